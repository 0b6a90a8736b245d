/**
 * saveModel over an existing model under kill -9 (issue 12, item 3): after any kill the path
 * holds the complete old or the complete new model — checked by the weights' values and the
 * metadata that names them, not only by loading — and the next save leaves nothing else
 * beside it.
 *
 * Two tests, both with child processes (tests/train/_save_child.ts):
 * - crash points: the child freezes a save (or a recovering load) just before each of its
 *   file-system changes in turn, then dies by SIGKILL; every state a kill can leave is checked;
 * - random kills: the child saves generation after generation and is sent SIGKILL at random
 *   moments, also in the middle of a write.
 *
 * The folders are on /dev/shm when there is one: killing a process tests what the renames
 * leave for other processes, which is the same on tmpfs, and fsync there costs nothing.
 */
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { loadModel } from "../../lib/train/load_model.ts";
import { generationModel } from "./_save_child.ts";

await tf.setBackend("cpu");

const child = new URL("./_save_child.ts", import.meta.url).pathname;
const config = new URL("../../deno.json", import.meta.url).pathname;

async function tempRoot(): Promise<string> {
  try {
    return await Deno.makeTempDir({ dir: "/dev/shm", prefix: "likeness-kill-" });
  } catch {
    return await Deno.makeTempDir({ prefix: "likeness-kill-" });
  }
}

const spawn = (...args: string[]) =>
  new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "-A", "--config", config, child, ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();

/**
 * The generation of the model at `dir` (0 when there is none), after checking that it is
 * whole: every weight of the embedder and the head equals the generation its metadata names.
 */
async function generationAt(dir: string): Promise<number> {
  let loaded;
  try {
    loaded = await loadModel(dir);
  } catch (error) {
    if ((error as Error).message.includes("metadata.json does not exist")) return 0;
    throw error;
  }
  const g = loaded.metadata.extra.generation as number;
  assert.ok(loaded.head, `${dir}: the head is there`);
  const weights = [...loaded.embedder.getWeights(), ...loaded.head!.getWeights()];
  const values = weights.flatMap((w) => Array.from(w.dataSync()));
  assert.equal(values.length, 3 * 2 + 2 + 4 + 1, `${dir}: all weights`);
  assert.ok(values.every((v) => v === g), `${dir}: generation ${g} but weights [${values}]`);
  loaded.dispose();
  return g;
}

async function siblings(dir: string): Promise<string[]> {
  const parent = dir.slice(0, dir.lastIndexOf("/"));
  const names = [];
  for await (const e of Deno.readDir(parent)) names.push(e.name);
  return names.sort();
}

/** After a load: the model (if any) and at most temp folders, which only a save removes. */
async function checkAfterLoad(dir: string, g: number) {
  const left = (await siblings(dir)).filter((n) => n !== "model");
  assert.ok(
    left.every((n) => /^model\.tmp-\d+-\d+-\d+$/.test(n)),
    `${dir} (generation ${g}): a load left ${left}`,
  );
}

/** The next save cleans up everything else, and its model is there whole. */
async function checkNextSave(
  dir: string,
  model: ReturnType<typeof generationModel>,
  g: number,
) {
  await model.save(dir, g);
  assert.deepEqual(await siblings(dir), ["model"], `${dir}: the next save cleans up`);
  assert.equal(await generationAt(dir), g);
}

Deno.test("kill -9 at every file-system step of a save or a recovery leaves the old or the new model", async () => {
  const root = await tempRoot();
  const model = generationModel();
  try {
    const process = spawn("sweep", root);
    const output = await process.output();
    const stdout = new TextDecoder().decode(output.stdout);
    assert.equal(output.signal, "SIGKILL", new TextDecoder().decode(output.stderr));
    const points: { dir: string; scenario: string; allowed: number[] }[] = JSON.parse(stdout);
    const counts: Record<string, number> = {};
    const failures: string[] = [];
    for (const { dir, scenario, allowed } of points) {
      counts[scenario] = (counts[scenario] ?? 0) + 1;
      const point = dir.slice(root.length + 1, -"/model".length);
      try {
        const g = await generationAt(dir);
        if (!allowed.includes(g)) {
          failures.push(`${point}: generation ${g} at the path, expected one of ${allowed}`);
          continue;
        }
        await checkAfterLoad(dir, g);
        await checkNextSave(dir, model, 9);
      } catch (error) {
        failures.push(`${point}: ${(error as Error).message.split("\n")[0]}`);
      }
    }
    assert.deepEqual(failures, [], `${failures.length} of ${points.length} crash points`);
    // Every scenario was cut at several points (a save over a model makes ~30 changes).
    for (const scenario of ["overwrite", "first", "recover-save", "recover-load"]) {
      assert.ok(counts[scenario] >= 3, `${scenario}: ${counts[scenario]} crash points`);
    }
  } finally {
    model.dispose();
    await Deno.remove(root, { recursive: true });
  }
});

/** A small seeded generator, so that a failing run can be replayed (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("kill -9 at random moments while saving over a model: always the old or the new model", async () => {
  const seed = Number(Deno.env.get("LIKENESS_KILL_SEED") ?? 12);
  const next = random(seed);
  const root = await tempRoot();
  const dir = `${root}/model`;
  const model = generationModel();
  const start = Date.now();
  let kills = 0;
  let g = 1;
  try {
    await model.save(dir, g);
    // 40 kills, or fewer if the machine is slow (each child takes ~0.3-1 s to start).
    while (kills < 40 && Date.now() - start < 15_000) {
      const process = spawn("loop", dir, String(g));
      const reader = process.stdout.getReader();
      const decoder = new TextDecoder();
      let text = "";
      while (!text.includes("ready\n")) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value);
      }
      assert.ok(text.includes("ready\n"), `the child did not start (seed ${seed})`);
      // A save takes a few ms: kill within the first few saves, anywhere in them.
      await new Promise((resolve) => setTimeout(resolve, next() * 30));
      process.kill("SIGKILL");
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value);
      }
      const status = await process.status;
      await process.stderr.cancel();
      assert.equal(status.signal, "SIGKILL");
      kills += 1;
      const saved = [...text.matchAll(/saved (\d+)/g)].map((m) => Number(m[1]));
      const last = saved.at(-1) ?? g;
      const found = await generationAt(dir);
      assert.ok(
        found === last || found === last + 1,
        `kill ${kills} (seed ${seed}): generation ${found} at ${dir}, expected ${last} (old) or ${
          last + 1
        } (new)`,
      );
      await checkAfterLoad(dir, found);
      g = found + 1;
      await checkNextSave(dir, model, g);
    }
    console.log(`${kills} kills in ${Date.now() - start} ms, up to generation ${g}`);
    assert.ok(kills >= 5, `only ${kills} kills in the time`);
  } finally {
    model.dispose();
    await Deno.remove(root, { recursive: true });
  }
});
