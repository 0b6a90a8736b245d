import assert from "node:assert/strict";
import {
  auc,
  cmcCurve,
  equalErrorRate,
  evaluate,
  galleryProbeSplit,
  pairDistances,
  retrievalMetrics,
  rocCurve,
  tarAtFar,
} from "../../lib/metrics/mod.ts";
import { chebyshev, dist, floatSet, RECORD, rowOf } from "./_brute.ts";
import * as tf from "@tensorflow/tfjs";
import { distance } from "../../lib/distances/mod.ts";

Deno.test("pairDistances: all pairs in order when few, direct distances", () => {
  const set = floatSet(12, 3, 3, 1);
  const p = pairDistances(set, { distance: RECORD.manhattan });
  assert.equal(p.sampled, false);
  assert.equal(p.distances.length, 66);
  let k = 0;
  for (let i = 0; i < 12; i++) {
    for (let j = i + 1; j < 12; j++, k++) {
      assert.equal(p.left[k], i);
      assert.equal(p.right[k], j);
      assert.ok(Math.abs(p.distances[k] - dist(rowOf(set, i), rowOf(set, j), "manhattan")) < 1e-12);
      assert.equal(p.same[k], set.labels[i] === set.labels[j] ? 1 : 0);
    }
  }
});

Deno.test("pairDistances: seeded sample when there are too many pairs", () => {
  const set = floatSet(100, 3, 4, 2);
  const a = pairDistances(set, { maxPairs: 500, seed: 3 });
  const b = pairDistances(set, { maxPairs: 500, seed: 3 });
  const c = pairDistances(set, { maxPairs: 500, seed: 4 });
  assert.equal(a.sampled, true);
  assert.equal(a.distances.length, 500);
  assert.deepEqual(a.left, b.left);
  assert.deepEqual(a.right, b.right);
  assert.notDeepEqual(a.left, c.left);
  for (let k = 0; k < 500; k++) {
    assert.notEqual(a.left[k], a.right[k]);
    assert.ok(
      Math.abs(a.distances[k] - dist(rowOf(set, a.left[k]), rowOf(set, a.right[k]), "euclidean")) <
        1e-12,
    );
  }
  // every row gets drawn on both sides (uniform over ordered pairs)
  assert.equal(new Set(a.left).size > 90, true);
  assert.equal(new Set(a.right).size > 90, true);
  assert.throws(
    () => pairDistances(set, { maxPairs: 0 }),
    /options.maxPairs must be a positive integer/,
  );
});

Deno.test("evaluate: the metrics.json block equals the separate functions", () => {
  const set = floatSet(90, 5, 4, 7);
  const m = evaluate(set, { seed: 5 });
  const pairs = pairDistances(set, { seed: 5 });
  const roc = rocCurve(pairs.distances, pairs.same);
  assert.equal(m.verification.auc, auc(roc));
  assert.equal(m.verification.tarAtFar["0.01"], tarAtFar(roc, 0.01));
  assert.equal(m.verification.tarAtFar["0.001"], tarAtFar(roc, 0.001));
  const { gallery, probes } = galleryProbeSplit(set, { seed: 5 });
  // 4 labels → 4 gallery rows: rank 5 is past the gallery and equals rank 4 (= 1)
  const cmc = cmcCurve(gallery, probes, { maxRank: 5 });
  assert.equal(cmc.accuracy[4], 1);
  assert.equal(m.identification.rank1, cmc.accuracy[0]);
  assert.equal(m.identification.rank5, cmc.accuracy[4]);
  const r = retrievalMetrics(set);
  assert.deepEqual(m.retrieval, {
    precisionAt1: r.precisionAt1,
    rPrecision: r.rPrecision,
    mapAtR: r.mapAtR,
  });
  // deterministic, JSON-ready (all finite numbers here)
  assert.deepEqual(evaluate(set, { seed: 5 }), m);
  const json = JSON.parse(JSON.stringify(m));
  assert.deepEqual(Object.keys(json), ["verification", "identification", "retrieval"]);
  assert.deepEqual(Object.keys(json.verification.tarAtFar), ["0.01", "0.001"]);
  for (const v of [m.verification.auc, m.verification.eer, m.identification.rank1]) {
    assert.ok(v >= 0 && v <= 1);
  }
});

Deno.test("evaluate: a user-defined distance flows through pairs, CMC and retrieval (not silently euclidean)", () => {
  const set = floatSet(60, 5, 4, 11);
  const m = evaluate(set, { seed: 2, distance: chebyshev });
  const pairs = pairDistances(set, { seed: 2, distance: chebyshev });
  for (let k = 0; k < pairs.distances.length; k++) {
    const want = dist(rowOf(set, pairs.left[k]), rowOf(set, pairs.right[k]), "chebyshev");
    assert.ok(Math.abs(pairs.distances[k] - want) < 1e-6, `pair ${k}`);
  }
  const roc = rocCurve(pairs.distances, pairs.same);
  assert.equal(m.verification.auc, auc(roc));
  assert.equal(m.verification.eerThreshold, equalErrorRate(roc).threshold);
  const { gallery, probes } = galleryProbeSplit(set, { seed: 2 });
  const cmc = cmcCurve(gallery, probes, { maxRank: 5, distance: chebyshev });
  assert.equal(m.identification.rank1, cmc.accuracy[0]);
  const r = retrievalMetrics(set, { distance: chebyshev });
  assert.equal(m.retrieval.mapAtR, r.mapAtR);
  // the thresholds are chebyshev distances, not euclidean ones
  const e = evaluate(set, { seed: 2 });
  assert.notEqual(m.verification.eerThreshold, e.verification.eerThreshold);
  assert.ok(m.verification.eerThreshold < e.verification.eerThreshold, "L∞ ≤ L2");
});

Deno.test("evaluate: a distance given as a name, not a record, is an error naming the option", () => {
  const set = floatSet(10, 2, 2, 1);
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => evaluate(set, { distance: "cosine" as any }),
    /Cannot evaluate embeddings as options.distance must be a Distance record .*"cosine" \(pass distances.cosine instead\)/,
  );
});

Deno.test("pairDistances: a user distance that gives NaN is an error naming it", () => {
  const set = floatSet(6, 2, 2, 1);
  const nan = distance({ name: "nan", rows: (a) => tf.fill([a.shape[0]], NaN) as tf.Tensor1D });
  assert.throws(() => pairDistances(set, { distance: nan }), /distance 'nan'/);
});

Deno.test("evaluate: errors name the problem", () => {
  const oneLabel = {
    embeddings: new Float32Array([0, 1, 2]),
    labels: new Int32Array([0, 0, 0]),
    dim: 1,
  };
  assert.throws(() => evaluate(oneLabel), /3 same and 0 different/);
});

Deno.test("evaluate: a worked example — EER point and best-accuracy point are different thresholds", () => {
  // 1-D rows 0, 1 (label 0) and 3, 4, 9 (label 1); all 10 pairs:
  //   same distances      1 (0–1), 1 (3–4), 6 (3–9), 5 (4–9)
  //   different distances 3 (0–3), 4 (0–4), 9 (0–9), 2 (1–3), 3 (1–4), 8 (1–9)
  // ROC (accept when d ≤ t):   t   −∞   1    2    3    4    5    6    8    9
  //                            TAR  0  .5   .5   .5   .5  .75   1    1    1
  //                            FAR  0   0  1/6  3/6  4/6  4/6  4/6  5/6   1
  // FAR + TAR − 1 first reaches 0 at t = 3 (FAR 0.5 = FRR 0.5): EER 0.5, threshold 3.
  // Correct decisions 4·TAR + 6·(1 − FAR): 6, 8, 7, 5, 4, 5, 6, 5, 4 → best at t = 1, 8/10.
  // AUC = P(same distance < different distance), ties half: (6 + 6 + 2 + 2) / 24 = 2/3.
  // Retrieval: every row's nearest other row shares its label (P@1 = 1); rows 3 and 4 have
  // R = 2 and one of their two nearest is row 1 (R-precision and MAP@R ½), the rest 1 → 0.8.
  const m = evaluate({
    embeddings: new Float32Array([0, 1, 3, 4, 9]),
    labels: new Int32Array([0, 0, 1, 1, 1]),
    dim: 1,
  });
  assert.equal(m.verification.eer, 0.5);
  assert.equal(m.verification.eerThreshold, 3);
  assert.equal(m.verification.threshold, 1);
  assert.equal(m.verification.accuracy, 0.8);
  assert.ok(Math.abs(m.verification.auc - 2 / 3) < 1e-12, `auc ${m.verification.auc}`);
  assert.equal(m.verification.tarAtFar["0.01"], 0.5);
  assert.equal(m.retrieval.precisionAt1, 1);
  assert.ok(Math.abs(m.retrieval.rPrecision - 0.8) < 1e-12, `${m.retrieval.rPrecision}`);
  assert.ok(Math.abs(m.retrieval.mapAtR - 0.8) < 1e-12, `${m.retrieval.mapAtR}`);
});
