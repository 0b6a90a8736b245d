import assert from "node:assert/strict";
import { retrievalMetrics } from "../../lib/metrics/retrieval_metrics.ts";
import { hnswIndex } from "../../lib/gallery/ann_index.ts";
import { cosine, dot, euclidean, manhattan } from "../../lib/distances/mod.ts";
import type { Distance } from "../../lib/types.ts";

/** Seeded normal values (mulberry32 + Box–Muller). */
function normals(seed: number, length: number): Float32Array {
  let s = seed >>> 0;
  const u = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return new Float32Array(length).map(() =>
    Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u())
  );
}

/** `classes` clusters of `per` rows in `dim` dimensions; `spread` is the noise around each centre. */
function clusters(classes: number, per: number, dim: number, spread: number, seed: number) {
  const centres = normals(seed, classes * dim);
  const noise = normals(seed + 1, classes * per * dim);
  const embeddings = new Float32Array(classes * per * dim);
  const labels = new Int32Array(classes * per);
  for (let r = 0; r < classes * per; r++) {
    const c = (r * 7) % classes; // classes interleaved, not in row order
    labels[r] = c;
    for (let t = 0; t < dim; t++) {
      embeddings[r * dim + t] = centres[c * dim + t] + spread * noise[r * dim + t];
    }
  }
  return { embeddings, labels, dim };
}

const keys = ["precisionAt1", "rPrecision", "mapAtR", "knnAccuracy"] as const;

for (const distance of [euclidean, cosine, dot] as Distance[]) {
  Deno.test(`${distance.name}: over a small set the index gives the metrics up to its stated recall`, async () => {
    const set = clusters(150, 6, 8, 0.6, 11);
    const exact = retrievalMetrics(set, { distance, k: 5 });
    const approx = retrievalMetrics(set, {
      distance,
      k: 5,
      index: await hnswIndex({ expansionSearch: 256, threads: 1 }),
    });
    assert.equal(exact.indexRecall, undefined);
    // HNSW is approximate and its multi-threaded build not reproducible: on 900 rows it
    // finds (nearly) every neighbour, and the metrics follow what it found
    assert.equal(approx.indexRecall?.at, 5);
    assert.equal(approx.indexRecall?.queries, 200);
    assert.ok(approx.indexRecall!.recall >= 0.98, JSON.stringify(approx.indexRecall));
    const slack = 1 - approx.indexRecall!.recall + 1e-12;
    for (const key of keys) {
      assert.ok(
        Math.abs(approx[key] - exact[key]) <= slack,
        `${key} ${approx[key]} vs ${exact[key]}, recall ${approx.indexRecall!.recall}`,
      );
    }
    // beyond the first K neighbours nothing is seen: lower bounds of the full-ranking metrics
    assert.ok(approx.meanAveragePrecision <= exact.meanAveragePrecision + 1e-12);
    assert.ok(approx.meanReciprocalRank <= exact.meanReciprocalRank + 1e-12);
    assert.equal(approx.queries, exact.queries);
    assert.equal(approx.k, exact.k);
  });
}

Deno.test("at 6k × 32 the index states its recall (≥ 0.95 at the defaults) and the metrics stay close", async () => {
  const set = clusters(1200, 5, 32, 0.9, 12);
  const exact = retrievalMetrics(set, { k: 3 });
  const approx = retrievalMetrics(set, { k: 3, index: await hnswIndex({ threads: 1 }) });
  assert.ok(
    approx.indexRecall !== undefined && approx.indexRecall.recall >= 0.95,
    JSON.stringify(approx.indexRecall),
  );
  assert.equal(approx.indexRecall.queries, 200);
  for (const key of keys) {
    assert.ok(Math.abs(approx[key] - exact[key]) < 0.02, `${key} ${approx[key]} vs ${exact[key]}`);
  }
});

Deno.test("a bad index, or a distance without an HNSW form, is refused by name", async () => {
  const set = clusters(10, 3, 2, 0.1, 13);
  const index = await hnswIndex();
  assert.throws(
    () => retrievalMetrics(set, { index: {} as never }),
    /options\.index must be an index made by hnswIndex: current value is another object/,
  );
  assert.throws(
    () => retrievalMetrics(set, { distance: manhattan, index }),
    /distance 'manhattan' has no HNSW form/,
  );
});
