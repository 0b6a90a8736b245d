import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { disposeTensors, makeDataset, tensorBatches, toTensors } from "../../lib/data/mod.ts";
import { batch, nWay, pairs, pk, seeded, take, triplets } from "../../lib/samplers/mod.ts";
import { pipe } from "../../lib/pipe.ts";
import type { IndexTuple, NWay, NWayIndex, Tensor } from "../../lib/types.ts";

await tf.setBackend("cpu");

// 12 samples of shape [2, 2, 1]; sample j holds the values j·4 … j·4 + 3 (scaled by 255).
const labels = [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3];
const dataset = makeDataset({
  images: Uint8Array.from({ length: 48 }, (_, i) => i),
  labels,
  shape: [2, 2, 1],
  classNames: ["a", "b", "c", "d"],
});
const row = (j: number) => [0, 1, 2, 3].map((i) => Math.fround((j * 4 + i) / 255));

Deno.test("toTensors: pairs, triplets and labelled batches hold the right rows", () => {
  const before = tf.memory().numTensors;
  const convert = toTensors(dataset);
  const [pb] = pipe(pairs(dataset), batch(5), take(1), seeded(1));
  const p = convert(pb);
  assert.equal(p.kind, "pair");
  assert.deepEqual(p.left.shape, [5, 2, 2, 1]);
  assert.equal(p.left.dtype, "float32");
  assert.equal(p.same.dtype, "float32");
  assert.deepEqual([...p.left.dataSync()], pb.flatMap((x) => row(x.left)));
  assert.deepEqual([...p.right.dataSync()], pb.flatMap((x) => row(x.right)));
  assert.deepEqual([...p.same.dataSync()], pb.map((x) => (x.same ? 1 : 0)));
  disposeTensors(p);

  const [tb] = pipe(triplets(dataset), batch(4), take(1), seeded(2));
  const t = convert(tb);
  assert.deepEqual(t.anchor.shape, [4, 2, 2, 1]);
  assert.deepEqual([...t.negative.dataSync()], tb.flatMap((x) => row(x.negative)));
  assert.deepEqual([...t.positive.dataSync()], tb.flatMap((x) => row(x.positive)));
  disposeTensors(t);

  const [lb] = pipe(pk(dataset, { p: 2, k: 3 }), take(1), seeded(3));
  const l = convert(lb);
  assert.deepEqual(l.embeddings.shape, [6, 2, 2, 1]);
  assert.equal(l.labels.dtype, "int32");
  assert.deepEqual([...l.labels.dataSync()], lb.map((x) => labels[x.index]));
  assert.deepEqual([...l.embeddings.dataSync()], lb.flatMap((x) => row(x.index)));
  disposeTensors(l);
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("toTensors: bad batches throw and leak nothing", () => {
  const before = tf.memory().numTensors;
  const convert = toTensors(dataset);
  assert.throws(() => convert([]), /batch must be a non-empty array/);
  const mixed: IndexTuple[] = [
    { kind: "labelled", index: 0, label: 0 },
    { kind: "pair", left: 0, right: 1, same: true },
  ];
  assert.throws(() => convert(mixed), /item 0 is "labelled", item 1 is "pair"/);
  // The anchor tensor is built before the bad negative is seen: it must be freed.
  assert.throws(
    () => convert([{ kind: "triplet", anchor: 0, positive: 1, negative: 12 }]),
    /\[0, 12\): current index of item 0 is 12/,
  );
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("tensorBatches: lazy, and disposes each batch after its step, even on break", () => {
  const before = tf.memory().numTensors;
  const indexBatches = pipe(triplets(dataset), batch(3), seeded(4));
  const iterable = tensorBatches(dataset)(indexBatches);
  assert.equal(tf.memory().numTensors, before); // nothing made yet
  let steps = 0;
  for (const t of iterable) {
    assert.equal(tf.memory().numTensors, before + 3); // only the current batch is alive
    assert.equal(t.anchor.shape[0], 3);
    if (++steps === 2) break;
  }
  assert.equal(steps, 2);
  assert.equal(tf.memory().numTensors, before);
  let all = 0;
  for (const t of tensorBatches(dataset)(pipe(triplets(dataset), batch(5), seeded(5)))) {
    all += t.anchor.shape[0];
  }
  assert.equal(all, 12);
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("toTensors: N-way batches hold one tensor per slot, with the right rows", () => {
  const before = tf.memory().numTensors;
  const [nb] = pipe(nWay(dataset, { n: 4 }), batch(5), take(1), seeded(6));
  const t = toTensors(dataset)(nb);
  assert.equal(t.kind, "nway");
  const four: NWay<Tensor, 4> = t; // the arity survives the conversion, in the types
  // @ts-expect-error a 4-way batch is not a 3-way batch
  const three: NWay<Tensor, 3> = t;
  assert.equal(four.items.length + three.items.length, 8);
  t.items.forEach((x, s) => {
    assert.deepEqual(x.shape, [5, 2, 2, 1]);
    assert.equal(x.dtype, "float32");
    assert.deepEqual([...x.dataSync()], nb.flatMap((tuple) => row(tuple.items[s])));
  });
  disposeTensors(t);
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("toTensors: bad N-way batches name the item and leak nothing", () => {
  const before = tf.memory().numTensors;
  const convert = toTensors(dataset);
  // slots 0–2 are built before the bad index in slot 3 is seen: they must be freed
  assert.throws(
    () => convert([{ kind: "nway", items: [0, 1, 3, 12] }]),
    /\[0, 12\): current index of item 0 is 12 \(its items\[3\]\)/,
  );
  const ragged: NWayIndex[] = [
    { kind: "nway", items: [0, 1, 3, 6] },
    { kind: "nway", items: [3, 4, 0] },
  ];
  assert.throws(
    () => convert(ragged),
    /all nway items must have one length: item 0 has 4 indices, item 1 has 3/,
  );
  assert.throws(
    () => convert([{ kind: "nway", items: [0] }]),
    /nway items must be arrays of at least 2 indices .*current items of item 0 is of length 1/,
  );
  assert.throws(
    () => convert([{ kind: "nway", items: null } as unknown as NWayIndex]),
    /current items of item 0 is null/,
  );
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("tensorBatches: N-way batches are disposed after their step", () => {
  const before = tf.memory().numTensors;
  let steps = 0;
  for (
    const t of tensorBatches(dataset)(pipe(nWay(dataset, { n: 3 }), batch(4), take(3), seeded(7)))
  ) {
    assert.equal(t.items.length, 3);
    assert.ok(tf.memory().numTensors <= before + 3, "only the live batch's 3 tensors exist");
    steps++;
  }
  assert.equal(steps, 3);
  assert.equal(tf.memory().numTensors, before);
});
