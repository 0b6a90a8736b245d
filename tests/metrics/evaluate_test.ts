import assert from "node:assert/strict";
import {
  auc,
  cmcCurve,
  evaluate,
  galleryProbeSplit,
  pairDistances,
  retrievalMetrics,
  rocCurve,
  tarAtFar,
} from "../../lib/metrics/mod.ts";
import { dist, floatSet, rowOf } from "./_brute.ts";

Deno.test("pairDistances: all pairs in order when few, direct distances", () => {
  const set = floatSet(12, 3, 3, 1);
  const p = pairDistances(set, { distance: "manhattan" });
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

Deno.test("evaluate: errors name the problem", () => {
  const oneLabel = {
    embeddings: new Float32Array([0, 1, 2]),
    labels: new Int32Array([0, 0, 0]),
    dim: 1,
  };
  assert.throws(() => evaluate(oneLabel), /3 same and 0 different/);
});
