// thresholdReducer, perAnchor and classWeighted against loop oracles of pml's reducers
// (ThresholdReducer, PerAnchorReducer, ClassWeightedReducer), gradients through them, and
// their errors.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  classWeighted,
  mean,
  meanNonZero,
  multiSimilarity,
  nPairs,
  ntXent,
  perAnchor,
  pmlTripletMarginLoss,
  sum,
  thresholdReducer,
  tripletMargin,
} from "../../lib/losses/mod.ts";
import { batchAll, mined } from "../../lib/miners/mod.ts";
import type { Labelled, Loss, Tensor, Tensor1D, Tensor2D } from "../../lib/types.ts";
import { analytic, assertGradientClose, finiteDifference5 } from "../distances/_fd.ts";
import { type Batch, batches, cos, labelled, logSumExp, partners } from "./_oracle.ts";

await tf.setBackend("cpu");

const avg = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
const l2 = (a: number[], b: number[]) => Math.hypot(...a.map((v, k) => v - b[k]));

/** pml's TripletMarginLoss costs of every triplet, grouped by anchor. */
function tripletCosts(b: Batch, margin: number): number[][] {
  return b.rows.map((r, a) => {
    const { pos, neg } = partners(b, a);
    return pos.flatMap((p) =>
      neg.map((n) => Math.max(0, l2(r, b.rows[p]) - l2(r, b.rows[n]) + margin))
    );
  });
}

/** multiSimilarity's per-row cost (pml's defaults). */
function msRow(b: Batch, i: number): number {
  const { pos, neg } = partners(b, i);
  return logSumExp(pos.map((j) => -2 * (cos(b.rows[i], b.rows[j]) - 0.5)), true) / 2 +
    logSumExp(neg.map((j) => 50 * (cos(b.rows[i], b.rows[j]) - 0.5)), true) / 50;
}

const valueOf = (loss: Loss<Labelled>, b: Batch) => {
  const input = labelled(b);
  const before = tf.memory().numTensors;
  const v = tf.tidy(() => loss.reduce(loss.perItem(input)).dataSync()[0]);
  assert.equal(tf.memory().numTensors, before, `${loss.name}: tensors left behind`);
  tf.dispose([input.embeddings, input.labels]);
  return v;
};

const close = (got: number, want: number, what: string) =>
  assert.ok(Math.abs(got - want) <= 1e-5 * (1 + Math.abs(want)), `${what}: ${got} vs ${want}`);

for (const [name, b] of batches()) {
  Deno.test(`reducers match pml's on ${name}`, () => {
    const costs = tripletCosts(b, 0.3);
    // ThresholdReducer: the mean of the costs strictly inside (low, high), 0 if none
    // (mined batchAll lists exactly pml's triplets; pmlTripletMarginLoss pads with 0 for
    // tuples that do not exist, so it needs low ≥ 0)
    for (const [low, high] of [[0.1, 0.6], [0, undefined], [undefined, 0.4]] as const) {
      const reduce = thresholdReducer({ low, high });
      const loss = low === undefined
        ? mined(batchAll(), tripletMargin({ margin: 0.3 }), { reduce })
        : { ...pmlTripletMarginLoss({ margin: 0.3 }), reduce };
      const kept = costs.flat().filter((c) =>
        (low === undefined || c > low) && (high === undefined || c < high)
      );
      close(valueOf(loss, b), avg(kept), `threshold (${low}, ${high})`);
    }
    // perAnchor: each anchor's non-zero mean, then the mean over all rows (0 for no triplet)
    const nonZero = (xs: number[]) => avg(xs.filter((x) => x > 0));
    close(
      valueOf(perAnchor(pmlTripletMarginLoss({ margin: 0.3 })), b),
      b.rows.length === 0 ? 0 : avg(costs.map(nonZero)),
      "perAnchor",
    );
    close(
      valueOf(perAnchor(pmlTripletMarginLoss({ margin: 0.3 }), { aggregate: sum, reduce: sum }), b),
      costs.flat().reduce((s, c) => s + c, 0),
      "perAnchor sum/sum",
    );
    // a loss with one value per row: perAnchor is the loss itself
    close(valueOf(perAnchor(multiSimilarity()), b), avg(b.rows.map((_, i) => msRow(b, i))), "ms");
    // ClassWeightedReducer: mean(losses · w[label of the anchor])
    const w = [0.5, 2, 3, 1.5];
    const weights = (i: number) => w[b.labels[i] % 4];
    const ww = Array.from({ length: 5 }, (_, c) => w[c % 4]);
    close(
      valueOf(classWeighted(multiSimilarity(), ww), b),
      avg(b.rows.map((_, i) => msRow(b, i) * weights(i))),
      "classWeighted multiSimilarity",
    );
    // on a sum of per-anchor shares (ntXent): pml's mean over positive pairs of w·ℓ
    const pairsW: number[] = [];
    let negatives = 0;
    b.rows.forEach((r, a) => {
      const { pos, neg } = partners(b, a);
      negatives += neg.length;
      const xs = neg.map((n) => cos(r, b.rows[n]) / 0.07);
      for (const p of pos) {
        const x = cos(r, b.rows[p]) / 0.07;
        pairsW.push((logSumExp([x, ...xs], false) - x) * weights(a));
      }
    });
    close(
      valueOf(classWeighted(ntXent(), ww), b),
      negatives === 0 ? 0 : avg(pairsW),
      "classWeighted ntXent",
    );
  });
}

Deno.test("reducers pass gradients: threshold, perAnchor, classWeighted match finite differences", () => {
  const b = batches().find(([n]) => n === "random 3")![1];
  const labels = tf.tensor1d(b.labels, "int32");
  const losses: Loss<Labelled>[] = [
    perAnchor(multiSimilarity()),
    perAnchor(pmlTripletMarginLoss({ margin: 2 }), { aggregate: mean }),
    classWeighted(nPairs(), [1, 2, 3, 4, 5]),
  ];
  for (const loss of losses) {
    const f = (x: Tensor) =>
      loss.reduce(loss.perItem({ kind: "labelled", embeddings: x as Tensor2D, labels }));
    const values = b.rows.flat(), shape = [b.rows.length, 3];
    const g = analytic(f, values, shape);
    assert.ok(g.some((v) => v !== 0), `${loss.name}: zero gradient`);
    assertGradientClose(g, finiteDifference5(f, values, shape, 5e-3), { rtol: 1e-2, atol: 1e-3 });
  }
  labels.dispose();
  // thresholdReducer is discontinuous where an item crosses a bound (the count changes), so
  // its gradient is checked exactly: 1/kept for each kept item, 0 for the others
  const g = tf.grad((x: Tensor) => thresholdReducer({ low: 0.1, high: 1 })(x as Tensor1D))(
    tf.tensor1d([0.02, 0.3, 0.7, 1.5]),
  );
  assert.deepEqual(Array.from(g.dataSync()), [0, 0.5, 0.5, 0]);
  g.dispose();
});
Deno.test("thresholdReducer: exact values, empty input, and named bad options", () => {
  const r = thresholdReducer({ low: 1, high: 3 });
  assert.equal(r(tf.tensor1d([1, 2, 2.5, 3, 9])).dataSync()[0], 2.25);
  assert.ok(Object.is(r(tf.tensor1d([])).dataSync()[0], 0));
  assert.throws(() => thresholdReducer({}), /options\.low or options\.high must be given/);
  assert.throws(
    () => thresholdReducer({ low: NaN }),
    /options\.low must be a number: current value is NaN/,
  );
  assert.throws(
    () => thresholdReducer({ low: 2, high: 1 }),
    /options\.low must be < options\.high: current values are 2 and 1/,
  );
});

Deno.test("perAnchor and classWeighted name what is wrong", () => {
  assert.throws(
    () => perAnchor(ntXent()),
    /perAnchor\(nt-xent\) as its per-item values are shares of a sum/,
  );
  const odd = {
    name: "odd",
    reduce: mean,
    perItem: () => tf.zeros([5]) as Tensor1D,
  };
  const input: Labelled = {
    kind: "labelled",
    embeddings: tf.zeros([2, 3]) as Tensor2D,
    labels: tf.tensor1d([0, 1], "int32"),
  };
  assert.throws(
    () => perAnchor(odd).perItem(input),
    /per-item values must be a whole number per row \(anchor-major\): current length is 5 for 2 rows/,
  );
  assert.throws(
    () => classWeighted(multiSimilarity(), [1]).perItem(input),
    /labels must be integers in \[0, 1\) to index the weights: label 1 at row 1/,
  );
  assert.throws(
    () => classWeighted(multiSimilarity(), [1, -1]),
    /weights must be a non-empty list of finite numbers ≥ 0: current value is \[1,-1\]/,
  );
  assert.throws(() => classWeighted(multiSimilarity(), []), /non-empty/);
  tf.dispose([input.embeddings, input.labels]);
  // the reducers keep meanNonZero's rule: perAnchor of a loss reduced by meanNonZero
  assert.equal(perAnchor(pmlTripletMarginLoss()).name, "per-anchor pml-triplet-margin");
  assert.equal(classWeighted(pmlTripletMarginLoss(), [1]).reduce, meanNonZero);
});
