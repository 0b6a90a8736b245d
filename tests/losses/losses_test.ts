import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { cosine, distance, euclidean, manhattan } from "../../lib/distances/mod.ts";
import {
  contrastive,
  fromPerItem,
  lossMonoid,
  mean,
  meanNonZero,
  pairBce,
  plus,
  pmlContrastiveLoss,
  pmlTripletMarginLoss,
  softMarginTriplet,
  softmaxCrossEntropy,
  sum,
  tripletMargin,
  weighted,
  zero,
} from "../../lib/losses/mod.ts";
import type { Labelled, Loss, LossInput, Pair, Tensor2D, Triplet } from "../../lib/types.ts";
import { assertClose } from "../distances/_fd.ts";

await tf.setBackend("cpu");

const t2 = (rows: number[][]) => tf.tensor2d(rows);
const pair = (left: number[][], right: number[][], same: number[]): Pair => ({
  kind: "pair",
  left: t2(left),
  right: t2(right),
  same: tf.tensor1d(same),
});
const triplet = (a: number[][], p: number[][], n: number[][]): Triplet => ({
  kind: "triplet",
  anchor: t2(a),
  positive: t2(p),
  negative: t2(n),
});
const value = <I extends LossInput>(loss: Loss<I>, input: I) =>
  tf.tidy(() => loss.reduce(loss.perItem(input)).dataSync()[0]);
const items = <I extends LossInput>(loss: Loss<I>, input: I) =>
  tf.tidy(() => Array.from(loss.perItem(input).dataSync()));

Deno.test("reducers: mean, sum, meanNonZero by hand (and on empty batches)", () => {
  const x = tf.tensor1d([0, 1, 0, 3]);
  assert.equal(mean(x).dataSync()[0], 1);
  assert.equal(sum(x).dataSync()[0], 4);
  assert.equal(meanNonZero(x).dataSync()[0], 2);
  assert.equal(meanNonZero(tf.zeros([3]) as tf.Tensor1D).dataSync()[0], 0);
  assert.equal(mean(tf.zeros([0]) as tf.Tensor1D).dataSync()[0], 0);
});

Deno.test("contrastive: hand-computed (zero distance, margin met, margin not met)", () => {
  // distances: 0, 2, 0.5, 3 with labels same, same, different, different; margin 1
  const input = pair([[0, 0], [0, 0], [0, 0], [0, 0]], [[0, 0], [0, 2], [0.5, 0], [3, 0]], [
    1,
    1,
    0,
    0,
  ]);
  assertClose(items(contrastive(), input), [0, 2, 0.5, 0], 1e-6);
  assertClose([value(contrastive(), input)], [2.5 / 4], 1e-6);
  assertClose(items(contrastive({ squared: true }), input), [0, 4, 0.25, 0], 1e-6);
  assertClose(items(contrastive({ margin: 4 }), input), [0, 2, 3.5, 1], 1e-6);
  assertClose(items(contrastive({ distance: manhattan }), pair([[0, 0]], [[1, 1]], [1])), [2]);
});

Deno.test("contrastive: all labels equal → only the pull term; all different → only the push", () => {
  const left = [[0, 0], [1, 1]], right = [[0, 0.5], [1, 3]];
  assertClose(items(contrastive(), pair(left, right, [1, 1])), [0.5, 2], 1e-6);
  assertClose(items(contrastive(), pair(left, right, [0, 0])), [0.5, 0], 1e-6);
});

Deno.test("tripletMargin and softMarginTriplet: hand-computed", () => {
  // d(a,p) = 1, d(a,n) = 0.5, 3, 1 → max(1 − d_an + 1, 0) = 1.5, 0, 1
  const input = triplet([[0, 0], [0, 0], [0, 0]], [[1, 0], [1, 0], [1, 0]], [[0, 0.5], [0, 3], [
    0,
    1,
  ]]);
  assertClose(items(tripletMargin(), input), [1.5, 0, 1], 1e-6);
  assertClose([value(tripletMargin(), input)], [2.5 / 3], 1e-6);
  assertClose(items(tripletMargin({ margin: 0 }), input), [0.5, 0, 0], 1e-6);
  const soft = [Math.log1p(Math.exp(0.5)), Math.log1p(Math.exp(-2)), Math.log(2)];
  assertClose(items(softMarginTriplet(), input), soft, 1e-6);
  // anchor = positive = negative: margin m exactly
  const same = triplet([[1, 2]], [[1, 2]], [[1, 2]]);
  assertClose(items(tripletMargin({ margin: 0.3 }), same), [0.3], 1e-6);
  assertClose(items(tripletMargin({ distance: cosine }), triplet([[1, 0]], [[1, 0]], [[0, 1]])), [
    0,
  ]);
});

Deno.test("pairBce: hand-computed from head logits", () => {
  const loss = pairBce();
  const input = pair([[0], [0], [0]], [[0], [0], [0]], [1, 0, 1]);
  const logits = tf.tensor2d([[2], [2], [-30]]);
  const v = tf.tidy(() =>
    Array.from(loss.perItem(input, { training: false, head: () => logits }).dataSync())
  );
  // −log σ(2), −log(1 − σ(2)), −log σ(−30) = 30 + log(1 + e^−30)
  assertClose(v, [Math.log1p(Math.exp(-2)), 2 + Math.log1p(Math.exp(-2)), 30], 1e-5);
  assert.throws(() => loss.perItem(input), /context\.head must be the compiled head/);
  assert.equal(loss.head?.input, "pair");
  assert.deepEqual(loss.head?.branch.stages.map((s) => s.kind), ["dense", "dense"]);
});

Deno.test("softmaxCrossEntropy: hand-computed", () => {
  const loss = softmaxCrossEntropy({ classes: 3 });
  const input: Labelled = {
    kind: "labelled",
    embeddings: t2([[0], [0]]),
    labels: tf.tensor1d([0, 2], "int32"),
  };
  const logits = tf.tensor2d([[0, Math.log(2), Math.log(3)], [0, 0, 0]]);
  const v = tf.tidy(() =>
    Array.from(loss.perItem(input, { training: false, head: () => logits }).dataSync())
  );
  assertClose(v, [Math.log(6), Math.log(3)], 1e-6);
});

/** Loop oracles for pytorch-metric-learning's ContrastiveLoss and TripletMarginLoss. */
function pmlContrastiveOracle(x: number[][], y: number[], pos: number, neg: number): number {
  const d = (i: number, j: number) => Math.hypot(...x[i].map((v, k) => v - x[j][k]));
  const p: number[] = [], n: number[] = [];
  for (let i = 0; i < x.length; i++) {
    for (let j = 0; j < x.length; j++) {
      if (i === j) continue;
      if (y[i] === y[j]) p.push(Math.max(d(i, j) - pos, 0));
      else n.push(Math.max(neg - d(i, j), 0));
    }
  }
  const avgNonZero = (v: number[]) => {
    const nz = v.filter((z) => z > 0);
    return nz.length === 0 ? 0 : nz.reduce((s, z) => s + z, 0) / nz.length;
  };
  return avgNonZero(p) + avgNonZero(n);
}
function pmlTripletOracle(x: number[][], y: number[], margin: number): number {
  const d = (i: number, j: number) => Math.hypot(...x[i].map((v, k) => v - x[j][k]));
  const losses: number[] = [];
  for (let a = 0; a < x.length; a++) {
    for (let p = 0; p < x.length; p++) {
      for (let n = 0; n < x.length; n++) {
        if (p === a || y[p] !== y[a] || y[n] === y[a]) continue;
        losses.push(Math.max(d(a, p) - d(a, n) + margin, 0));
      }
    }
  }
  const nz = losses.filter((z) => z > 0);
  return nz.length === 0 ? 0 : nz.reduce((s, z) => s + z, 0) / nz.length;
}

Deno.test("pml presets match loop oracles of pytorch-metric-learning's definitions", () => {
  for (const seed of [1, 2, 3]) {
    const x = tf.randomNormal([9, 3], 0, 0.6, "float32", seed) as Tensor2D;
    const labels = [0, 0, 1, 1, 1, 2, 2, 0, 3];
    const input: Labelled = {
      kind: "labelled",
      embeddings: x,
      labels: tf.tensor1d(labels, "int32"),
    };
    const rows = x.arraySync();
    assertClose(
      [value(pmlContrastiveLoss({ posMargin: 0.2, negMargin: 1 }), input)],
      [pmlContrastiveOracle(rows, labels, 0.2, 1)],
      1e-4,
    );
    assertClose(
      [value(pmlTripletMarginLoss({ margin: 0.3 }), input)],
      [pmlTripletOracle(rows, labels, 0.3)],
      1e-4,
    );
  }
});

Deno.test("plus/weighted/zero: monoid laws on values", () => {
  const input = pair([[0, 0], [1, 1], [0, 2]], [[0, 1], [1, 3], [0, 2]], [1, 0, 0]);
  const a = contrastive(), b = contrastive({ squared: true }), c = weighted(contrastive(), 2);
  const v = (l: Loss<Pair>) => value(l, input);
  assert.equal(plus(zero<Pair>(), a), a);
  assert.equal(plus(a, zero<Pair>()), a);
  assertClose([v(plus(plus(a, b), c))], [v(plus(a, plus(b, c)))], 1e-6);
  assertClose([v(plus(a, b))], [v(a) + v(b)], 1e-6);
  assertClose([v(weighted(a, 3))], [3 * v(a)], 1e-6);
  // Same linear reducer: per-item values add item by item.
  assertClose(items(plus(a, b), input), items(a, input).map((x, i) => x + items(b, input)[i]));
  // Mixed reducers: one batch-level value.
  const nz = fromPerItem<Pair>("nz", (p) => a.perItem(p), meanNonZero);
  const mixed = plus(nz, a);
  assert.equal(items(mixed, input).length, 1);
  assertClose([v(mixed)], [v(nz) + v(a)], 1e-6);
  const M = lossMonoid<Pair>();
  assertClose([v([a, b, c].reduce(M.concat, M.empty))], [v(a) + v(b) + v(c)], 1e-6);
  // A custom reducer is scaled after reduction.
  const maxLoss = fromPerItem<Pair>("max", (p) => a.perItem(p), (x) => tf.max(x) as tf.Scalar);
  assertClose([v(weighted(maxLoss, 0.5))], [0.5 * v(maxLoss)], 1e-6);
});

Deno.test("plus keeps the one head and refuses two", () => {
  const withHead = plus(contrastive(), pairBce());
  assert.equal(withHead.head?.input, "pair");
  assert.equal(withHead.distance, euclidean);
  assert.throws(() => plus(pairBce(), pairBce()), /both carry a head/);
});

Deno.test("losses take a user-defined distance record and use its rows", () => {
  const chebyshev = distance({
    name: "chebyshev",
    rows: (a, b) => tf.max(tf.abs(tf.sub(a, b)), 1),
  });
  // a same pair costs its distance: L∞ of (0, 0) and (3, 1) is 3 (euclidean would be √10)
  const loss = contrastive({ distance: chebyshev });
  assert.equal(loss.distance, chebyshev);
  assertClose(items(loss, pair([[0, 0]], [[3, 1]], [1])), [3]);
  // triplet: d(a, p) = 1, d(a, n) = 1.5 → max(0, 1 − 1.5 + 1) = 0.5
  const t = tripletMargin({ distance: chebyshev });
  assertClose(items(t, triplet([[0, 0]], [[1, 0.5]], [[1.5, 1]])), [0.5]);
});

Deno.test("losses: bad options are errors naming the argument and the value", () => {
  assert.throws(
    () => contrastive({ margin: -1 }),
    /contrastive loss as margin must be ≥ 0: current value is -1/,
  );
  assert.throws(() => tripletMargin({ margin: NaN }), /margin must be ≥ 0: current value is NaN/);
  assert.throws(() => softMarginTriplet({ margin: -0.5 }), /current value is -0.5/);
  assert.throws(
    () => pmlContrastiveLoss({ negMargin: -2 }),
    /negMargin must be ≥ 0: current value is -2/,
  );
  assert.throws(() => weighted(contrastive(), -1), /weight must be ≥ 0: current value is -1/);
  assert.throws(
    () => softmaxCrossEntropy({ classes: 1 }),
    /classes must be an integer ≥ 2: current value is 1/,
  );
  assert.throws(
    () => pairBce({ hidden: [0] }),
    /hidden must hold positive integers: current value is \[0\]/,
  );
  assert.throws(() => fromPerItem("", () => tf.zeros([1])), /name must be a non-empty string/);
  assert.throws(
    () => contrastive({ distance: 3 as unknown as typeof euclidean }),
    /Cannot create contrastive loss as options.distance must be a Distance record .*current value is 3/,
  );
  // a bare row-wise function (the old form of a distance) is refused, with the way out
  assert.throws(
    () => tripletMargin({ distance: euclidean.rows as unknown as typeof euclidean }),
    /options.distance must be a Distance record .*a function \(pass a Distance record: distances.euclidean, or distances.distance\(\{ name, rows \}\)\)/,
  );
  assert.throws(
    () => fromPerItem("x", () => tf.zeros([1]), undefined, "cosine" as unknown as typeof euclidean),
    /Cannot create loss x as distance must be a Distance record .*"cosine" \(pass distances.cosine instead\)/,
  );
  const bad = pair([[0, 0]], [[0, 0]], [1, 0]);
  assert.throws(
    () => contrastive().perItem(bad),
    /same must have shape \[1\]: current shape is \[2\]/,
  );
  const wrongRank = { ...bad, left: tf.zeros([1, 2, 2]) as unknown as Tensor2D };
  assert.throws(() => contrastive().perItem(wrongRank), /left must be rank 2: current rank is 3/);
});
