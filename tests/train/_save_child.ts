/**
 * Run as a subprocess by save_model_kill_test.ts; killed with SIGKILL by it (or by itself).
 *
 * - `loop <dir> <g>`: given the model at `<dir>` is generation g (weights all = g), saves
 *   generations g+1, g+2, … over it with `overwrite: true`, printing `saved <g>` after each,
 *   until killed.
 * - `sweep <root>`: crash points. For every k, freezes a save (or load) just before its k-th
 *   file-system change — the op never runs and the save never goes on, exactly what kill -9
 *   leaves on disk — each in its own folder `<root>/<scenario>-<k>/model`; prints one JSON
 *   line describing the folders, then kills itself with SIGKILL.
 */
import * as tf from "@tensorflow/tfjs";
import { loadModel } from "../../lib/train/load_model.ts";
import { saveModel } from "../../lib/train/save_model.ts";

await tf.setBackend("cpu");

/** An embedder and head whose every weight is `g`; metadata.extra.generation says `g` too. */
export function generationModel() {
  const embedder = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [3], units: 2 })],
  });
  const head = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 1 })] });
  const set = (g: number) => {
    for (const model of [embedder, head]) {
      const values = model.getWeights().map((w) => tf.fill(w.shape, g));
      model.setWeights(values);
      tf.dispose(values);
    }
  };
  const save = (dir: string, g: number) => {
    set(g);
    return saveModel({ embedder, head }, dir, { overwrite: true, extra: { generation: g } });
  };
  return { save, dispose: () => [embedder, head].forEach((m) => m.dispose()) };
}

const [mode, path] = Deno.args;

if (mode === "loop") {
  let g = Number(Deno.args[2]);
  const model = generationModel();
  console.log("ready");
  for (;;) {
    g += 1;
    await model.save(path, g);
    console.log(`saved ${g}`);
  }
}

if (mode === "sweep") {
  // Every file-system change lib/train makes goes through one of these.
  const deno = Deno as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const file = Deno.FsFile.prototype as unknown as Record<
    string,
    (...args: unknown[]) => Promise<unknown>
  >;
  const hooks: [Record<string, (...args: unknown[]) => Promise<unknown>>, string][] = [
    [deno, "mkdir"],
    [deno, "rename"],
    [deno, "remove"],
    [deno, "open"],
    [deno, "writeFile"],
    [deno, "writeTextFile"],
    [file, "write"],
    [file, "sync"],
    [file, "syncData"],
  ];
  let countdown = Infinity;
  let frozen: (() => void) | undefined;
  for (const [owner, name] of hooks) {
    const original = owner[name];
    owner[name] = function (this: unknown, ...args: unknown[]) {
      countdown -= 1;
      if (countdown === 0) {
        frozen?.();
        return new Promise(() => {}); // never runs, never returns: the process "died" here
      }
      return original.apply(this, args);
    };
  }
  /** Runs `action` frozen before its k-th change; true if it froze, false if it finished. */
  const freezeAt = async (k: number, action: () => Promise<unknown>) => {
    const froze = new Promise<boolean>((resolve) => frozen = () => resolve(true));
    countdown = k;
    // An action that throws has ended too; the parent judges what it left.
    const finished = action().then(() => false, () => false);
    const result = await Promise.race([froze, finished]);
    countdown = Infinity;
    return result;
  };
  const model = generationModel();
  const dirs: { dir: string; scenario: string; allowed: number[] }[] = [];
  /** The state a save killed between its two renames leaves: gen 1 old, gen 2 complete temp. */
  const betweenRenames = async (dir: string) => {
    await model.save(`${dir}.old-1-1000-1`, 1);
    await model.save(`${dir}.tmp-1-1000-2`, 2);
    await Deno.mkdir(`${dir}.trash-1-1000-3/head`, { recursive: true });
  };
  const scenarios: [
    string,
    (dir: string) => Promise<void>,
    (dir: string) => Promise<unknown>,
    number[],
  ][] = [
    // A save over an existing model (gen 1) of gen 2: old or new.
    ["overwrite", (dir) => model.save(dir, 1).then(() => {}), (dir) => model.save(dir, 2), [1, 2]],
    // A first save: nothing or the new model.
    ["first", () => Promise.resolve(), (dir) => model.save(dir, 2), [0, 2]],
    // A save that first has to recover from an earlier kill: the restored old (1) or new (3).
    ["recover-save", betweenRenames, (dir) => model.save(dir, 3), [1, 3]],
    // A load that recovers: the old model (1), whatever point it dies at.
    ["recover-load", betweenRenames, (dir) => loadModel(dir).then((m) => m.dispose()), [1]],
  ];
  for (const [scenario, setUp, action, allowed] of scenarios) {
    for (let k = 1;; k++) {
      const dir = `${path}/${scenario}-${k}/model`;
      await Deno.mkdir(`${path}/${scenario}-${k}`);
      await setUp(dir);
      const froze = await freezeAt(k, () => action(dir));
      dirs.push({ dir, scenario, allowed });
      if (!froze) break; // k is past the last change: this one ran to the end
    }
  }
  console.log(JSON.stringify(dirs));
  Deno.kill(Deno.pid, "SIGKILL");
}
