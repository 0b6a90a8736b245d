import assert from "node:assert/strict";
import { batch, pairs, pk, repeat, rng, take, triplets } from "../../lib/samplers/mod.ts";
import { labelsDataset } from "./_fixtures.ts";

// The documented behaviour of each degenerate input, one case per line. None may hang.

Deno.test("degenerate: an empty dataset is an error for every generator", () => {
  const empty = labelsDataset([], 1);
  assert.throws(() => pairs(empty), /Cannot sample pairs from an empty dataset: size is 0/);
  assert.throws(() => triplets(empty), /Cannot sample triplets from an empty dataset/);
  assert.throws(() => pk(empty, { p: 1, k: 1 }), /Cannot sample pk batches from an empty dataset/);
});

Deno.test("degenerate: a dataset of one class", () => {
  const one = labelsDataset([0, 0, 0, 0]);
  // Pairs: all-positive epochs work; negatives are impossible.
  assert.equal([...pairs(one, { positiveFraction: 1 })(rng(1))].length, 4);
  assert.throws(
    () => pairs(one),
    /negative pairs need at least 2 classes: current classes are \[0\]/,
  );
  // Triplets need a negative.
  assert.throws(() => triplets(one), /at least 2 classes for negatives: current classes are \[0\]/);
  // pk with p = 1 works; p = 2 does not.
  assert.equal([...pk(one, { p: 1, k: 2 })(rng(1))].length, 2);
  assert.throws(() => pk(one, { p: 2, k: 2 }), /holds only 1 classes/);
});

Deno.test("degenerate: a class with one sample", () => {
  const labels = [0, 0, 0, 1, 1, 2]; // class 2 has one sample: index 5
  const d = labelsDataset(labels);
  // Triplets: never an anchor, still a negative.
  const epochs = [...repeat(200)(triplets(d))(rng(3))];
  assert.ok(epochs.every((t) => t.anchor !== 5 && t.positive !== 5));
  assert.ok(epochs.some((t) => t.negative === 5));
  // Pairs: always a negative left; a positive fraction needing it is an error.
  for (const p of repeat(200)(pairs(d))(rng(3))) if (p.left === 5) assert.equal(p.same, false);
  assert.throws(() => pairs(d, { positiveFraction: 1 }), /needs 6 positive pairs: only 5 of 6/);
  // pk: k = 1 works, k = 2 names the class.
  assert.equal([...pk(d, { p: 3, k: 1 })(rng(1))].length, 3);
  assert.throws(
    () => pk(d, { p: 2, k: 2 }),
    /class 2 \("c2"\) has only 1 samples: filter it out or lower k/,
  );
});

Deno.test("degenerate: only single-sample classes", () => {
  const d = labelsDataset([0, 1, 2]);
  assert.throws(() => triplets(d), /no class has 2 samples/);
  assert.equal([...pairs(d, { positiveFraction: 0 })(rng(1))].length, 3);
  assert.throws(() => pairs(d), /only 0 of 3 samples/);
});

Deno.test("degenerate: k larger than every class and batches larger than an epoch", () => {
  const d = labelsDataset([0, 0, 1, 1]);
  assert.throws(() => pk(d, { p: 2, k: 3 }), /k = 3 as class 0 \("c0"\) has only 2 samples/);
  // A batch bigger than an epoch: one short batch per epoch, or whole batches across epochs.
  assert.deepEqual([...batch(10)(triplets(d))(rng(1))].map((b) => b.length), [4]);
  const across = [...take(2)(batch(10)(repeat()(triplets(d))))(rng(1))];
  assert.deepEqual(across.map((b) => b.length), [10, 10]);
});
