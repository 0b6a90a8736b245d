// Many steps of `fit` on a real compiled program (issue #19): tensors and bytes stay exactly
// flat from step to step once the optimiser's slots exist, and nothing is left at the end.
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { fit } from "../../lib/train/mod.ts";
import { BACKENDS, smallProgram, triplets, use } from "./_compiled.ts";

const STEPS = 200;
const WARM_UP = 2; // step 1 creates Adam's slots

for (const { name, ignore } of BACKENDS.filter((b) => b.name !== "cpu")) {
  Deno.test({
    name: `${name}: ${STEPS} steps of fit on a compiled VGG keep numTensors and numBytes flat`,
    ignore,
    fn: async () => {
      await use(name);
      try {
        const dir = await Deno.makeTempDir();
        const start = tf.memory();
        const program = smallProgram();
        const seen: { step: number; tensors: number; bytes: number }[] = [];
        const losses: number[] = [];
        const run = fit(program, triplets(11, 4), {
          steps: STEPS,
          stepsPerEpoch: 50,
          progress: "none",
          checkpoint: { dir, every: 40, keep: 1 },
          validation: {
            every: 25,
            run: () => ({
              norm: tf.tidy(() => program.embed(tf.zeros([2, 12, 12, 1])).norm().dataSync()[0]),
            }),
          },
        });
        for await (const r of run) {
          losses.push(r.loss);
          const m = tf.memory();
          seen.push({ step: r.step, tensors: m.numTensors, bytes: m.numBytes });
        }
        assert.equal(seen.length, STEPS);
        const flat = seen.filter((s) => s.step > WARM_UP);
        const [first] = flat;
        const moved = flat.filter((s) => s.tensors !== first.tensors || s.bytes !== first.bytes);
        const levels = new Map<string, number>();
        for (const s of flat) {
          if (!levels.has(`${s.tensors}/${s.bytes}`)) levels.set(`${s.tensors}/${s.bytes}`, s.step);
        }
        assert.deepEqual(
          moved,
          [],
          `tensors/bytes from step: ${
            [...levels].map(([l, step]) => `${l} from ${step}`).join(", ")
          }`,
        );
        assert.ok(losses.every(Number.isFinite));
        program.dispose();
        const end = tf.memory();
        assert.equal(end.numTensors, start.numTensors, "nothing left after dispose");
        assert.equal(end.numBytes, start.numBytes, "no bytes left after dispose");
        await Deno.remove(dir, { recursive: true });
      } finally {
        await tf.setBackend("cpu");
      }
    },
  });
}
