/**
 * `data.tensorBatches` is the lazy form `fit` can resume without building tensors: resuming at
 * step N converts only the batches it trains on, where the old eager generator built (and
 * freed) a tensor batch for every skipped step.
 */
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { tensorBatches } from "../../lib/data/tensor_batches.ts";
import { toTensors } from "../../lib/data/to_tensors.ts";
import { disposeTensors } from "../../lib/data/dispose_tensors.ts";
import { fitToEnd } from "../../lib/train/mod.ts";
import { pk, repeat, seeded } from "../../lib/samplers/mod.ts";
import { pipe } from "../../lib/pipe.ts";
import type { Dataset, LabelledIndex } from "../../lib/types.ts";
import { type FakeBatch, fakeProgram } from "../train/_fake_program.ts";

await tf.setBackend("cpu");

const data: Dataset = {
  images: Float32Array.from({ length: 24 * 4 }, (_, i) => (i * 7919) % 13 / 13),
  labels: Int32Array.from({ length: 24 }, (_, i) => i % 3),
  shape: [4],
  size: 24,
  classNames: ["a", "b", "c"],
};
const indices = () => pipe(pk(data, { p: 3, k: 2 }), repeat(), seeded(3));
/** The id the next tensor gets: how many tensors were made since an earlier call. */
const nextId = () => {
  const t = tf.scalar(0);
  const id = t.id;
  t.dispose();
  return id;
};
/** The eager form tensorBatches had before: converts every batch as the loop pulls it. */
function* eager(batches: Iterable<readonly LabelledIndex[]>) {
  const convert = toTensors(data);
  for (const b of batches) {
    const t = convert(b);
    try {
      yield t;
    } finally {
      disposeTensors(t);
    }
  }
}

/** Tensors made while resuming a 30-step run at step 29 to train step 30. */
const resumeCost = async (batches: () => Iterable<unknown>) => {
  const dir = await Deno.makeTempDir();
  const options = { stepsPerEpoch: 10, progress: "none" as const, checkpoint: { dir, every: 100 } };
  const first = fakeProgram();
  await fitToEnd(first, batches() as Iterable<FakeBatch>, { ...options, steps: 29 });
  first.dispose();
  const second = fakeProgram();
  const before = nextId();
  const history = await fitToEnd(second, batches() as Iterable<FakeBatch>, {
    ...options,
    steps: 30,
    resume: true,
  });
  const made = nextId() - before;
  assert.equal(history.steps, 30);
  second.dispose();
  await Deno.remove(dir, { recursive: true });
  return made;
};

Deno.test("tensorBatches: a resumed fit builds tensors for the step it trains, not the 29 it skips", async () => {
  const start = tf.memory().numTensors;
  assert.equal(tensorBatches(data)(indices()).lazy, true);
  const lazy = await resumeCost(() => tensorBatches(data)(indices()));
  const replayed = await resumeCost(() => eager(indices()));
  // The eager form converts 30 batches (2 tensors each, plus toTensors' intermediates); the
  // lazy one converts 1, so it makes far fewer tensors over the same resume.
  assert.ok(replayed - lazy >= 29 * 2, `lazy ${lazy} tensors, replayed ${replayed}`);
  assert.equal(tf.memory().numTensors, start);
});
