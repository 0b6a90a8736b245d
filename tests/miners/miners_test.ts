import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { pipe } from "../../lib/pipe.ts";
import { dense, empty, labelled } from "../../lib/branches/mod.ts";
import { compile } from "../../lib/compile/mod.ts";
import { cosine, manhattan } from "../../lib/distances/mod.ts";
import {
  meanNonZero,
  pmlTripletMarginLoss,
  softMarginTriplet,
  tripletMargin,
} from "../../lib/losses/mod.ts";
import { batchAll, batchHard, mined, semiHard } from "../../lib/miners/mod.ts";
import type { Labelled, Tensor2D } from "../../lib/types.ts";
import { assertClose } from "../distances/_fd.ts";

await tf.setBackend("cpu");

const LABELS = [0, 0, 0, 1, 1, 2, 2, 2, 1];
const batch = (seed: number): Labelled => ({
  kind: "labelled",
  embeddings: tf.randomNormal([LABELS.length, 3], 0, 1, "float32", seed) as Tensor2D,
  labels: tf.tensor1d(LABELS, "int32"),
});
const dist = (x: number[][], i: number, j: number) =>
  Math.hypot(...x[i].map((v, k) => v - x[j][k]));

Deno.test("batchAll: exactly the valid triplets; with meanNonZero it is pml's TripletMarginLoss", () => {
  const input = batch(1);
  const t = batchAll()(input);
  // Σ over anchors of (K − 1)·(n − K): classes of 3, 3, 3 → 9 · 2 · 6
  assert.equal(t.anchor.length, 9 * 2 * 6);
  for (let i = 0; i < t.anchor.length; i++) {
    assert.equal(LABELS[t.anchor[i]], LABELS[t.positive[i]]);
    assert.notEqual(t.anchor[i], t.positive[i]);
    assert.notEqual(LABELS[t.anchor[i]], LABELS[t.negative[i]]);
  }
  const ours = mined(batchAll(), tripletMargin({ margin: 0.4 }), { reduce: meanNonZero });
  const pml = pmlTripletMarginLoss({ margin: 0.4 });
  assertClose(
    [ours.reduce(ours.perItem(input)).dataSync()[0]],
    [pml.reduce(pml.perItem(input)).dataSync()[0]],
    1e-5,
  );
});

Deno.test("batchHard: agrees with a brute-force oracle", () => {
  for (const seed of [1, 2, 3]) {
    const input = batch(seed);
    const x = input.embeddings.arraySync();
    const t = batchHard()(input);
    assert.equal(t.anchor.length, LABELS.length);
    t.anchor.forEach((a, i) => {
      const pos = LABELS.map((_, j) => j).filter((j) => j !== a && LABELS[j] === LABELS[a]);
      const neg = LABELS.map((_, j) => j).filter((j) => LABELS[j] !== LABELS[a]);
      assert.equal(dist(x, a, t.positive[i]), Math.max(...pos.map((j) => dist(x, a, j))));
      assert.equal(dist(x, a, t.negative[i]), Math.min(...neg.map((j) => dist(x, a, j))));
    });
  }
});

Deno.test("semiHard: the closest negative beyond the positive, else the furthest", () => {
  const input = batch(4);
  const x = input.embeddings.arraySync();
  const t = semiHard({ distance: manhattan })(input);
  const l1 = (i: number, j: number) => x[i].reduce((s, v, k) => s + Math.abs(v - x[j][k]), 0);
  assert.equal(t.anchor.length, 9 * 2);
  let fallbacks = 0;
  t.anchor.forEach((a, i) => {
    const dap = l1(a, t.positive[i]);
    const negs = LABELS.map((_, j) => j).filter((j) => LABELS[j] !== LABELS[a]).map((j) =>
      l1(a, j)
    );
    const beyond = negs.filter((d) => d > dap);
    const want = beyond.length > 0 ? Math.min(...beyond) : Math.max(...negs);
    if (beyond.length === 0) fallbacks++;
    assertClose([l1(a, t.negative[i])], [want], 1e-5);
  });
  assert.ok(fallbacks < t.anchor.length);
});

Deno.test("mined: gradients reach the backbone through the gathered rows; no leak", () => {
  const program = compile({
    model: labelled(pipe(empty, dense(6, { activation: "tanh" }), dense(3))),
    loss: mined(batchHard(), softMarginTriplet()),
    inputShape: [3],
    seed: 2,
  });
  const input = batch(5);
  const weights = program.trainableWeights();
  const { value, grads } = tf.variableGrads(() => program.evaluate(input), weights);
  assert.ok(grads[weights[0].name].dataSync().some((v) => v !== 0));
  tf.dispose([value, ...Object.values(grads)]);
  program.trainStep(input).dispose();
  const before = tf.memory().numTensors;
  program.trainStep(input).dispose();
  assert.equal(tf.memory().numTensors, before);
  program.dispose();
});

Deno.test("mined: a batch without valid triplets costs 0; bad batches are named errors", () => {
  const one: Labelled = {
    kind: "labelled",
    embeddings: tf.ones([3, 2]) as Tensor2D,
    labels: tf.tensor1d([4, 4, 4], "int32"),
  };
  for (const miner of [batchAll(), batchHard(), semiHard()]) {
    assert.equal(miner(one).anchor.length, 0);
    const loss = mined(miner, tripletMargin());
    assert.equal(loss.reduce(loss.perItem(one)).dataSync()[0], 0);
  }
  const bad = { ...one, labels: tf.tensor1d([1, 2], "int32") };
  assert.throws(
    () => batchHard()(bad),
    /Cannot mine batch-hard triplets as labels must have shape \[3\]: current shape is \[2\]/,
  );
  assert.throws(
    () => mined(3 as unknown as ReturnType<typeof batchAll>, tripletMargin()),
    /miner must be a function: current value is 3/,
  );
});

Deno.test("mined rows: the gradient sums over repeated rows, as tf.gather's does", async () => {
  const { gatherRows } = await import("../../lib/miners/_gather_rows.ts");
  const x = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
  const w = tf.tensor2d([[1, 10], [100, 1000], [2, 3], [7, 7]]);
  const rows = Int32Array.from([0, 2, 0, 1]);
  const ours = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gatherRows(t as Tensor2D, rows), w)))(x);
  const ref = tf.grad((t: tf.Tensor) =>
    tf.sum(tf.mul(tf.gather(t, tf.tensor1d(rows, "int32")), w))
  )(x);
  assert.deepEqual(ours.arraySync(), [[3, 13], [7, 7], [100, 1000]]);
  assert.deepEqual(ours.arraySync(), ref.arraySync());
  tf.dispose([x, w, ours, ref]);
});

Deno.test("mined: a miner without its own distance mines with the loss's (cosine), not euclidean", () => {
  // anchor (1, 0) and positive (2, 0) of class 0; negatives of class 1: (10, 1) points the
  // anchor's way (cosine ≈ 0.005, euclidean ≈ 9.06), (0, 1) is near but orthogonal (cosine 1,
  // euclidean ≈ 1.41). The hardest negative is (10, 1) by angle, (0, 1) by place.
  const input: Labelled = {
    kind: "labelled",
    embeddings: tf.tensor2d([[1, 0], [2, 0], [10, 1], [0, 1]]),
    labels: tf.tensor1d([0, 0, 1, 1], "int32"),
  };
  assert.equal(batchHard()(input).negative[0], 3, "euclidean by default");
  assert.equal(batchHard()(input, cosine).negative[0], 2, "the given distance");
  assert.equal(batchHard({ distance: manhattan })(input, cosine).negative[0], 3, "its own wins");
  assert.equal(semiHard()(input, cosine).negative[0], 2);
  let seen: unknown = "not called";
  const spy = (batch: Labelled, d?: unknown) => {
    seen = d;
    return batchHard()(batch, d as typeof cosine);
  };
  const loss = mined(spy, tripletMargin({ distance: cosine }));
  loss.perItem(input).dispose();
  assert.equal(seen, cosine);
  assert.throws(
    () => batchHard()(input, "cosine" as unknown as typeof cosine),
    /Cannot mine batch-hard triplets as the loss's distance must be a Distance record/,
  );
  tf.dispose([input.embeddings, input.labels]);
});
