/**
 * Run as a subprocess by checkpoint_kill_test.ts: trains the small compiled VGG program
 * (spatial dropout on) on wasm for `steps` steps, with a checkpoint after every step in `dir`
 * (resuming from the newest one), or straight through when `dir` is "-". Prints one JSON line
 * per step, then the run's losses and a digest of its final weights. With "paced", it reads
 * one byte from stdin before each step, so the parent decides when each step starts.
 *
 * Usage: _checkpoint_child.ts <dir | -> <steps> [paced]
 */
import { fit } from "../../lib/train/mod.ts";
import { smallProgram, triplets, use } from "./_compiled.ts";

const [dir, steps, paced] = [Deno.args[0], Number(Deno.args[1]), Deno.args[2] === "paced"];
const go = async () => {
  if (paced && (await Deno.stdin.read(new Uint8Array(1))) === null) Deno.exit(3);
};
await use("wasm");
const program = smallProgram();
const run = fit(program, triplets(3, 2), {
  steps,
  progress: "none",
  ...(dir === "-" ? {} : { checkpoint: { dir, every: 1, keep: 2 }, resume: true }),
});
await go();
let r = await run.next();
while (!r.done) {
  console.log(JSON.stringify({ step: r.value.step }));
  await go();
  r = await run.next();
}
const weights = program.embedder.getWeights().map((w) => Array.from(w.dataSync() as Float32Array));
const digest = await crypto.subtle.digest(
  "SHA-256",
  new Float32Array(weights.flat()),
);
console.log(JSON.stringify({
  done: true,
  loss: r.value.loss,
  weights: Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join(""),
}));
program.dispose();
