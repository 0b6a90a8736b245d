/**
 * Property: for any cut, length, epoch size, checkpoint interval and seed, a run interrupted at
 * the cut and resumed converts only the batches from the cut on and ends bitwise where the
 * uninterrupted run ends (losses, epoch losses, weights), leaving no tensor behind.
 */
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import fc from "fast-check";
import { fitToEnd, lazyBatches } from "../../lib/train/mod.ts";
import { type FakeBatch, fakeProgram, weightsOf } from "./_fake_program.ts";

await tf.setBackend("cpu");

/** A labelled batch of 4 rows from (seed, epoch, i). */
const makeBatch = (seed: number, key: number): FakeBatch => {
  let s = (seed * 7919 + key * 104729 + 1) >>> 0;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const x: number[] = [];
  const labels: number[] = [];
  for (let r = 0; r < 4; r++) {
    const label = Math.floor(next() * 3);
    labels.push(label);
    for (let j = 0; j < 4; j++) x.push(next() + (j === label ? 1 : 0));
  }
  return { kind: "labelled", embeddings: tf.tensor2d(x, [4, 4]), labels: tf.tensor1d(labels) };
};

const bits = (xs: readonly number[]) => Array.from(new Float32Array(xs)).join();

Deno.test("resume at any cut converts only what is left and ends bitwise where a straight run ends", async () => {
  // Adam makes its slots on its first step; a first fit warms the engine's counters
  const warm = fakeProgram();
  await fitToEnd(warm, lazyBatches([0], (i: number) => makeBatch(0, i)), { progress: "none" });
  warm.dispose();
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 2, max: 10 }),
      fc.integer({ min: 1, max: 9 }),
      fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 0, max: 1000 }),
      async (total, cutAt, stepsPerEpoch, every, seed) => {
        const cut = Math.min(cutAt, total - 1);
        // with stepsPerEpoch: one endless stream; without: 3 batches per epoch, per epoch
        const source = (calls: number[]) =>
          stepsPerEpoch !== undefined
            ? lazyBatches(
              (function* () {
                for (let i = 0;; i++) yield i;
              })(),
              (i: number, at) => (calls.push(at.step), makeBatch(seed, i)),
            )
            : lazyBatches(
              (epoch: number) => [0, 1, 2].map((i) => 10 * epoch + i),
              (i: number, at) => (calls.push(at.step), makeBatch(seed, i)),
            );
        const before = tf.memory().numTensors;
        const dir = await Deno.makeTempDir();
        const common = { stepsPerEpoch, steps: total, progress: "none" as const };
        try {
          const a = fakeProgram({ seed: seed % 7 + 1 });
          const straight = await fitToEnd(a, source([]), { ...common, epochs: 100 });
          const b = fakeProgram({ seed: seed % 7 + 1 });
          await fitToEnd(b, source([]), {
            ...common,
            epochs: 100,
            steps: cut,
            checkpoint: { dir, every },
          });
          b.dispose();
          const c = fakeProgram({ seed: seed % 7 + 1 });
          const calls: number[] = [];
          const resumed = await fitToEnd(c, source(calls), {
            ...common,
            epochs: 100,
            resume: true,
            checkpoint: { dir, every },
          });
          assert.deepEqual(calls, Array.from({ length: total - cut }, (_, i) => cut + i));
          assert.equal(bits(resumed.loss), bits(straight.loss), "losses");
          assert.equal(bits(resumed.epochLoss), bits(straight.epochLoss), "epoch losses");
          assert.equal(weightsOf(c).map(bits).join("|"), weightsOf(a).map(bits).join("|"));
          a.dispose();
          c.dispose();
          assert.equal(tf.memory().numTensors, before);
        } finally {
          await Deno.remove(dir, { recursive: true });
        }
      },
    ),
    { numRuns: 40, seed: 4242 },
  );
});
