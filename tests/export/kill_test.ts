// kill -9 while exporting leaves the old export or the new one, never neither: the folder is
// complete, or (killed between the two renames) missing with a complete sibling that the
// next exportEmbedder puts back.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { exportEmbedder } from "../../lib/export/mod.ts";

const child = new URL("./_kill_child.ts", import.meta.url).pathname;
const root = new URL("../../", import.meta.url).pathname;

/** Whether `dir` holds a whole export: export.json and every file it lists, each whole. */
async function complete(dir: string): Promise<boolean> {
  let meta: { format?: string; files?: string[] };
  try {
    meta = JSON.parse(await Deno.readTextFile(`${dir}/export.json`));
  } catch {
    return false;
  }
  if (meta.format !== "likeness-export" || !meta.files) return false;
  for (const f of meta.files) {
    try {
      const size = (await Deno.stat(`${dir}/${f}`)).size;
      if (f === "weights.bin" && size !== (64 * 256 + 256) * 4) return false;
      if (f === "model.json") JSON.parse(await Deno.readTextFile(`${dir}/${f}`));
    } catch {
      return false;
    }
  }
  return true;
}

Deno.test("kill -9 during exportEmbedder leaves a whole export (old or new), restored by the next export", async () => {
  await tf.setBackend("cpu");
  const parent = await Deno.makeTempDir();
  const dir = `${parent}/exported`;
  const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [64], units: 256 })] });
  try {
    await exportEmbedder(embedder, dir, { format: "both", threshold: -1 });
    for (let round = 0; round < 4; round++) {
      const process = new Deno.Command(Deno.execPath(), {
        args: ["run", "--quiet", "--allow-read", `--allow-write=${parent}`, child, dir],
        cwd: root,
        stdout: "piped",
        stderr: "null",
      }).spawn();
      const reader = process.stdout.getReader();
      let seen = "";
      while (!seen.includes("ready")) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += new TextDecoder().decode(value);
      }
      assert.ok(seen.includes("ready"), "the child started exporting");
      await new Promise((r) => setTimeout(r, 40 + 97 * round));
      process.kill("SIGKILL");
      await process.status;
      reader.releaseLock();
      await process.stdout.cancel();

      const siblings = [...Deno.readDirSync(parent)].map((e) => e.name);
      if (!(await complete(dir))) {
        // Killed between the renames: the folder is missing and a whole one waits beside it.
        assert.ok(!siblings.includes("exported"), `a broken export at ${dir}: ${siblings}`);
        const whole = [];
        for (const s of siblings) if (await complete(`${parent}/${s}`)) whole.push(s);
        assert.ok(whole.length > 0, `no whole export survived: ${siblings}`);
      }
      // The next export recovers and cleans up.
      await exportEmbedder(embedder, dir, { format: "both", overwrite: true, threshold: -1 });
      assert.ok(await complete(dir));
      assert.deepEqual([...Deno.readDirSync(parent)].map((e) => e.name), ["exported"]);
    }
  } finally {
    embedder.dispose();
    await Deno.remove(parent, { recursive: true });
  }
});
