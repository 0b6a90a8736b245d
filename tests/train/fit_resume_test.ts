/**
 * Resume without replaying tensors: `lazyBatches` (index batches + a conversion) are skipped as
 * indices, and a resumed run is bitwise the same as an uninterrupted one.
 */
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { fit, fitToEnd, type History, lazyBatches } from "../../lib/train/mod.ts";
import { toTensors } from "../../lib/data/to_tensors.ts";
import { batch, pk, repeat, seeded, triplets as tripletIndices } from "../../lib/samplers/mod.ts";
import { SIDE, smallProgram, weightsOf as weightsOfProgram } from "./_compiled.ts";
import { pipe } from "../../lib/pipe.ts";
import type { Dataset, LabelledIndex, Triplet, TripletIndex } from "../../lib/types.ts";
import { drain, type FakeBatch, fakeProgram, weightsOf } from "./_fake_program.ts";

await tf.setBackend("cpu");

/** 24 rows of 4 features in 3 classes (feature `label` is shifted by 1), seeded. */
const dataset = (): Dataset => {
  let s = 12345;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const labels = Int32Array.from({ length: 24 }, (_, i) => i % 3);
  const images = new Float32Array(24 * 4);
  for (let i = 0; i < 24; i++) {
    for (let j = 0; j < 4; j++) images[i * 4 + j] = next() + (j === labels[i] ? 1 : 0);
  }
  return { images, labels, shape: [4], size: 24, classNames: ["a", "b", "c"] };
};
const data = dataset();

/** Index batches of 3 classes × 2 samples, from a seed; and a counting conversion. */
const source = (seed: number, calls: number[]) => {
  const convert = toTensors(data);
  return lazyBatches(
    pipe(pk(data, { p: 3, k: 2 }), repeat(), seeded(seed)),
    (indices: readonly LabelledIndex[], at) => {
      calls.push(at.step);
      return convert(indices) as unknown as FakeBatch;
    },
  );
};

/** The same per epoch: a function of the epoch (one pass of pk over the data per epoch). */
const perEpochSource = (calls: number[]) => {
  const convert = toTensors(data);
  return lazyBatches(
    (epoch: number) => pipe(pk(data, { p: 3, k: 2 }), seeded(100 + epoch)),
    (indices: readonly LabelledIndex[], at) => {
      calls.push(at.step);
      return convert(indices) as unknown as FakeBatch;
    },
  );
};

/** Adam's running powers β₁ᵗ, β₂ᵗ (tfjs keeps them outside the optimiser's weights). */
const adamPowers = (program: { optimizer: tf.Optimizer }) =>
  (["accBeta1", "accBeta2"] as const).map((k) =>
    (program.optimizer as unknown as Record<string, tf.Variable>)[k].dataSync()[0]
  );

const bits = (xs: readonly number[]) => Array.from(new Float32Array(xs)).join();
const sameBits = (a: number[][], b: number[][], what: string) =>
  assert.equal(a.map(bits).join("|"), b.map(bits).join("|"), what);

Deno.test("resume at step N builds no tensors for the N batches it skips (lazyBatches)", async () => {
  const dir = await Deno.makeTempDir();
  const before = tf.memory().numTensors;
  const first = fakeProgram();
  const calls: number[] = [];
  await fitToEnd(first, source(7, calls), {
    steps: 9,
    stepsPerEpoch: 4,
    progress: "none",
    checkpoint: { dir, every: 100 },
  });
  assert.deepEqual(calls, [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  first.dispose();

  const second = fakeProgram();
  const resumedCalls: number[] = [];
  const run = fit(second, source(7, resumedCalls), {
    steps: 11,
    stepsPerEpoch: 4,
    progress: "none",
    resume: true,
    checkpoint: { dir, every: 100 },
  });
  const r = await run.next();
  // only the 10th batch was converted (to train step 10), none of the 9 skipped
  assert.equal(r.done, false);
  assert.deepEqual(resumedCalls, [9]);
  const rest = await drain(run);
  assert.deepEqual(resumedCalls, [9, 10]);
  assert.equal(rest.value.steps, 11);
  second.dispose();
  assert.equal(tf.memory().numTensors, before);
  await Deno.remove(dir, { recursive: true });
});

/** Trains `total` steps straight, then again interrupted after `cut` and resumed. */
const straightAndResumed = async (
  cut: number,
  total: number,
  batches: (calls: number[]) => Parameters<typeof fitToEnd<FakeBatch>>[1],
  options: { stepsPerEpoch?: number; epochs?: number },
) => {
  const dir = await Deno.makeTempDir();
  const a = fakeProgram({ withHead: true });
  const straight = await fitToEnd(a, batches([]), {
    ...options,
    steps: total,
    progress: "none",
  });
  const b = fakeProgram({ withHead: true });
  const controller = new AbortController();
  const cutRun = fit(b, batches([]), {
    ...options,
    steps: total,
    progress: "none",
    signal: controller.signal,
    checkpoint: { dir, every: 2, keep: 1 },
  });
  for await (const r of cutRun) if (r.step === cut) controller.abort();
  b.dispose();
  const c = fakeProgram({ withHead: true });
  const calls: number[] = [];
  const resumed: History = await fitToEnd(c, batches(calls), {
    ...options,
    steps: total,
    progress: "none",
    resume: true,
    checkpoint: { dir, every: 2, keep: 1 },
  });
  const result = {
    straight,
    resumed,
    calls,
    a: [...weightsOf(a), adamPowers(a)],
    c: [...weightsOf(c), adamPowers(c)],
  };
  a.dispose();
  c.dispose();
  await Deno.remove(dir, { recursive: true });
  return result;
};

Deno.test("a resumed run is bitwise the uninterrupted one, across an epoch boundary", async () => {
  const before = tf.memory().numTensors;
  // epochs of 4 steps over one endless seeded stream; cut at 6 (mid-epoch 2), run to 11
  const r = await straightAndResumed(6, 11, (calls) => source(3, calls), { stepsPerEpoch: 4 });
  assert.deepEqual(r.calls, [6, 7, 8, 9, 10]);
  sameBits([r.resumed.loss], [r.straight.loss], "losses");
  sameBits([r.resumed.epochLoss], [r.straight.epochLoss], "epoch losses");
  sameBits(r.c, r.a, "weights");
  assert.equal(r.resumed.epochs, 2);
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("a resumed run is bitwise the uninterrupted one when cut at an epoch's end", async () => {
  const r = await straightAndResumed(8, 10, (calls) => source(4, calls), { stepsPerEpoch: 4 });
  assert.deepEqual(r.calls, [8, 9]);
  sameBits([r.resumed.loss], [r.straight.loss], "losses");
  sameBits(r.c, r.a, "weights");
});

Deno.test("per-epoch lazy batches without stepsPerEpoch resume mid-epoch, bitwise", async () => {
  const before = tf.memory().numTensors;
  // pk over 24 rows in batches of 6: 4 steps an epoch; 3 epochs; cut at 6 (epoch 2, step 2)
  const r = await straightAndResumed(6, 12, (calls) => perEpochSource(calls), { epochs: 3 });
  assert.equal(r.straight.steps, 12);
  assert.deepEqual(r.calls, [6, 7, 8, 9, 10, 11]);
  sameBits([r.resumed.loss], [r.straight.loss], "losses");
  sameBits([r.resumed.epochLoss], [r.straight.epochLoss], "epoch losses");
  sameBits(r.c, r.a, "weights");
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("plain tensor batches still resume (drawn and disposed), bitwise", async () => {
  const before = tf.memory().numTensors;
  const tensorBatches = (_calls: number[]) => {
    const convert = toTensors(data);
    return (function* () {
      for (const b of pipe(pk(data, { p: 3, k: 2 }), repeat(), seeded(5))) {
        yield convert(b) as unknown as FakeBatch;
      }
    })();
  };
  const r = await straightAndResumed(5, 9, tensorBatches, { stepsPerEpoch: 4 });
  sameBits([r.resumed.loss], [r.straight.loss], "losses");
  sameBits(r.c, r.a, "weights");
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("lazyBatches iterated directly converts each batch and frees it on the next pull", async () => {
  const before = tf.memory().numTensors;
  const batches = lazyBatches([1, 2, 3], (n: number) => tf.fill([1, 1], n));
  const held: tf.Tensor[] = [];
  for await (const t of batches) {
    held.push(t);
    if (held.length === 2) break;
  }
  assert.ok(held.every((t) => t.isDisposed));
  assert.equal(tf.memory().numTensors, before);
  // synchronously too, as data.tensorBatches
  const sums: number[] = [];
  for (const t of batches) sums.push(t.dataSync()[0]);
  assert.deepEqual(sums, [1, 2, 3]);
  assert.equal(tf.memory().numTensors, before);
  const slow = lazyBatches([1], (n: number) => Promise.resolve(tf.scalar(n)));
  assert.throws(() => [...slow], /convert returned a promise/);
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(tf.memory().numTensors, before);
  assert.throws(
    () => lazyBatches(42 as unknown as number[], (n: number) => n),
    /indices must be an iterable.*current value is number/,
  );
  assert.throws(
    () => lazyBatches([1], "x" as unknown as (n: number) => number),
    /convert must be a function/,
  );
});

Deno.test("a compiled program with dropout resumes bitwise from lazy triplet batches", async () => {
  const before = tf.memory().numTensors;
  // 30 images of 12 × 12 in 5 classes, seeded
  const side = SIDE;
  let s = 99;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const images = Float32Array.from({ length: 30 * side * side }, next);
  const labels = Int32Array.from({ length: 30 }, (_, i) => i % 5);
  const faces: Dataset = {
    images,
    labels,
    shape: [side, side, 1],
    size: 30,
    classNames: ["a", "b", "c", "d", "e"],
  };
  const source = (calls: number[]) => {
    const convert = toTensors(faces);
    return lazyBatches(
      pipe(tripletIndices(faces), batch(4), repeat(), seeded(11)),
      (indices: readonly TripletIndex[], at) => {
        calls.push(at.step);
        return convert(indices) as unknown as Triplet<tf.Tensor>;
      },
    );
  };
  const dir = await Deno.makeTempDir();
  const options = { steps: 7, stepsPerEpoch: 3, progress: "none" as const };
  const a = smallProgram();
  const straight = await fitToEnd(a, source([]), options);
  const b = smallProgram();
  await fitToEnd(b, source([]), { ...options, steps: 5, checkpoint: { dir, every: 100 } });
  b.dispose();
  const c = smallProgram();
  const calls: number[] = [];
  const resumed = await fitToEnd(c, source(calls), {
    ...options,
    resume: true,
    checkpoint: { dir, every: 100 },
  });
  assert.deepEqual(calls, [5, 6]);
  sameBits([resumed.loss], [straight.loss], "losses");
  sameBits(weightsOfProgram(c), weightsOfProgram(a), "weights");
  for (const p of [a, c]) p.dispose();
  await Deno.remove(dir, { recursive: true });
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("after a NaN step the program is rolled back to exactly the last good step (Adam's running powers too) and continues bitwise", async () => {
  const before = tf.memory().numTensors;
  const batches = () => {
    const convert = toTensors(data);
    return lazyBatches(
      pipe(pk(data, { p: 3, k: 2 }), repeat(), seeded(8)),
      (indices: readonly LabelledIndex[]) => convert(indices) as unknown as FakeBatch,
    );
  };
  // a: 8 steps, then a NaN loss at its 9th call (rolled back), then 4 more steps (after 8
  // steps float32 β^9 by products and by pow differ in the last bit)
  const a = fakeProgram({ nanAt: 9 });
  await fitToEnd(a, batches(), { steps: 8, progress: "none" });
  await assert.rejects(fitToEnd(a, batches(), { steps: 1, progress: "none" }), /loss is NaN/);
  const rolledBack = [...weightsOf(a), adamPowers(a)];
  const aAfter = await fitToEnd(a, batches(), { steps: 4, progress: "none" });
  // b: 8 steps, then the same 4
  const b = fakeProgram();
  await fitToEnd(b, batches(), { steps: 8, progress: "none" });
  sameBits(rolledBack, [...weightsOf(b), adamPowers(b)], "the state rolled back to");
  const bAfter = await fitToEnd(b, batches(), { steps: 4, progress: "none" });
  sameBits([aAfter.loss], [bAfter.loss], "losses");
  sameBits(weightsOf(a), weightsOf(b), "weights");
  sameBits([adamPowers(a)], [adamPowers(b)], "Adam's running powers");
  a.dispose();
  b.dispose();
  assert.equal(tf.memory().numTensors, before);
});
