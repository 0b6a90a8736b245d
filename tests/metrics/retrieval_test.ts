import assert from "node:assert/strict";
import { retrievalMetrics } from "../../lib/metrics/mod.ts";
import type { TieRule } from "../../lib/metrics/mod.ts";
import { forEachDistanceRow } from "../../lib/metrics/_chunked_knn.ts";
import {
  bruteRetrieval,
  dist,
  type DistanceName,
  floatSet,
  integerSet,
  RECORD,
  rowOf,
} from "./_brute.ts";
import type { Distance } from "../../lib/types.ts";

const close = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);

Deno.test("retrievalMetrics: worked example with R = 2", () => {
  // 1-d points and labels:
  //   index  0    1    2    3    4    5
  //   x      0    1    3    4    10   11
  //   label  a    a    b    a    b    b      (a = 0, b = 1)
  // query 0 (a, R = 2): others by distance 1(a) 3(b) 4(a) 10(b) 11(b)
  //   match ranks 1, 3 → P@1 1; R-precision 1/2; MAP@R (1/1)/2 = 1/2;
  //   AP (1/1 + 2/3)/2 = 5/6; RR 1
  // query 1 (a at 1, R = 2): 0(a,1) 3(b,2) 4(a,3) 10(b,9) 11(b,10)
  //   ranks 1, 3 → same as query 0: P@1 1, RP 1/2, MAP@R 1/2, AP 5/6, RR 1
  // query 2 (b at 3, R = 2): 4(a,1) 1(a,2) 0(a,3) 10(b,7) 11(b,8)
  //   ranks 4, 5 → P@1 0, RP 0, MAP@R 0, AP (1/4 + 2/5)/2 = 13/40, RR 1/4
  // query 3 (a at 4, R = 2): 3(b,1) 1(a,3) 0(a,4) 10(b,6) 11(b,7)
  //   ranks 2, 3 → P@1 0, RP 1/2 (rank 2 ≤ 2), MAP@R (1/2)/2 = 1/4,
  //   AP (1/2 + 2/3)/2 = 7/12, RR 1/2
  // query 4 (b at 10, R = 2): 11(b,1) 4(a,6) 3(b,7) 1(a,9) 0(a,10)
  //   ranks 1, 3 → P@1 1, RP 1/2, MAP@R 1/2, AP (1 + 2/3)/2 = 5/6, RR 1
  // query 5 (b at 11, R = 2): 10(b,1) 4(a,7) 3(b,8) … → ranks 1, 3: as query 4
  const set = {
    embeddings: new Float32Array([0, 1, 3, 4, 10, 11]),
    labels: new Int32Array([0, 0, 1, 0, 1, 1]),
    dim: 1,
  };
  const m = retrievalMetrics(set, { k: 3 });
  close(m.precisionAt1, 4 / 6, "P@1");
  close(m.rPrecision, (0.5 + 0.5 + 0 + 0.5 + 0.5 + 0.5) / 6, "R-precision");
  close(m.mapAtR, (0.5 + 0.5 + 0 + 0.25 + 0.5 + 0.5) / 6, "MAP@R");
  close(m.meanAveragePrecision, (5 / 6 * 4 + 13 / 40 + 7 / 12) / 6, "MAP");
  close(m.meanReciprocalRank, (1 + 1 + 1 / 4 + 1 / 2 + 1 + 1) / 6, "MRR");
  // kNN with k = 3: q0 a,b,a → a ✓; q1 a,b,a → a ✓; q2 a,a,a → a ✗; q3 b,a,a → a ✓;
  // q4 b,a,b → b ✓; q5 b,a,b → b ✓ → 5/6
  close(m.knnAccuracy, 5 / 6, "kNN");
  assert.equal(m.queries, 6);
  assert.equal(m.loneQueries, 0);
  for (const distance of ["squaredEuclidean", "manhattan"] as const) {
    assert.deepEqual(retrievalMetrics(set, { k: 3, distance: RECORD[distance] }), m, distance);
  }
});

Deno.test("retrievalMetrics: kNN vote tie goes to the label met first", () => {
  // query 0 (label 0) at 0; neighbours 1 (label 1, d 1), 2 (label 0, d 2) — k = 2 ties 1:1,
  // label 1 comes first → wrong. Query 2 at 2: 1 (label 1, d 1), 0 (label 0, d 2) → wrong.
  // Query 1 (label 1, alone) is a lone query.
  const m = retrievalMetrics({
    embeddings: new Float32Array([0, 1, 2]),
    labels: new Int32Array([0, 1, 0]),
    dim: 1,
  }, { k: 2 });
  assert.equal(m.knnAccuracy, 0);
  assert.equal(m.queries, 2);
  assert.equal(m.loneQueries, 1);
  // P@1 0 for both queries, their one match at rank 2 → MAP 1/2
  assert.equal(m.precisionAt1, 0);
  assert.equal(m.meanAveragePrecision, 0.5);
});

Deno.test("retrievalMetrics: equals brute force on random integer data (ties), all distances", () => {
  for (const [seed, n, dim, classes] of [[1, 40, 3, 4], [2, 57, 2, 3], [3, 33, 4, 8]]) {
    const set = integerSet(n, dim, classes, seed);
    // dot gives negative distances; chebyshev is user-defined (host form derived from rows)
    const names: DistanceName[] = [
      "squaredEuclidean",
      "euclidean",
      "manhattan",
      "dot",
      "chebyshev",
    ];
    for (const distance of names) {
      for (const ties of ["pessimistic", "optimistic"] as TieRule[]) {
        for (const k of [1, 4]) {
          const got = retrievalMetrics(set, { distance: RECORD[distance], ties, k });
          const want = bruteRetrieval(set, distance, ties, k);
          const tag = `seed ${seed} ${distance} ${ties} k ${k}`;
          for (const key of Object.keys(want) as (keyof typeof want)[]) {
            close(got[key], want[key], `${tag} ${key}`);
          }
        }
      }
    }
  }
});

Deno.test("retrievalMetrics: equals brute force on continuous data, cosine included", () => {
  const set = floatSet(80, 6, 5, 21);
  for (
    const distance of ["euclidean", "cosine", "manhattan", "dot", "chebyshev"] as DistanceName[]
  ) {
    const got = retrievalMetrics(set, { distance: RECORD[distance], k: 5 });
    const want = bruteRetrieval(set, distance, "pessimistic", 5);
    for (const key of Object.keys(want) as (keyof typeof want)[]) {
      close(got[key], want[key], `${distance} ${key}`);
    }
  }
});

Deno.test("retrievalMetrics: tie rules bound the truth; collapse scores like chance", () => {
  // all embeddings equal: every distance ties
  const n = 12;
  const set = {
    embeddings: new Float32Array(n * 2),
    labels: Int32Array.from({ length: n }, (_, i) => i % 3),
    dim: 2,
  };
  const low = retrievalMetrics(set);
  const high = retrievalMetrics(set, { ties: "optimistic" });
  // pessimistic: the 8 non-matches come first, matches at ranks 9, 10, 11 of 11
  assert.equal(low.precisionAt1, 0);
  assert.equal(low.mapAtR, 0);
  assert.ok(Math.abs(low.meanAveragePrecision - (1 / 9 + 2 / 10 + 3 / 11) / 3) < 1e-12);
  // optimistic: matches at ranks 1, 2, 3
  assert.equal(high.precisionAt1, 1);
  assert.equal(high.mapAtR, 1);
});

Deno.test("retrievalMetrics: all labels equal → every metric 1", () => {
  const set = floatSet(20, 3, 1, 4);
  const m = retrievalMetrics(set);
  for (const key of ["precisionAt1", "rPrecision", "mapAtR", "meanAveragePrecision"] as const) {
    assert.equal(m[key], 1, key);
  }
  assert.equal(m.meanReciprocalRank, 1);
  assert.equal(m.knnAccuracy, 1);
});

Deno.test("retrievalMetrics: lone queries are left out and counted", () => {
  // labels 0 0 1 2: queries 2 and 3 are alone; queries 0, 1 find each other first
  const m = retrievalMetrics({
    embeddings: new Float32Array([0, 1, 0.5, 5]),
    labels: new Int32Array([0, 0, 1, 2]),
    dim: 1,
  });
  assert.equal(m.queries, 2);
  assert.equal(m.loneQueries, 2);
  // query 0: 2 (d .5, label 1) before 1 (d 1) → rank 2; query 1: 2 (d .5) → rank 2
  assert.equal(m.precisionAt1, 0);
  assert.equal(m.meanReciprocalRank, 0.5);
});

Deno.test("retrievalMetrics: clear errors", () => {
  const ok = { embeddings: new Float32Array([0, 1]), labels: new Int32Array([0, 0]), dim: 1 };
  assert.throws(
    () => retrievalMetrics({ ...ok, labels: new Int32Array([0, 1]) }),
    /no label occurs twice in set.labels: all 2 queries are alone/,
  );
  assert.throws(
    () => retrievalMetrics({ embeddings: new Float32Array(0), labels: new Int32Array(0), dim: 1 }),
    /set is empty: it has 0 rows/,
  );
  assert.throws(
    () =>
      retrievalMetrics({ ...ok, embeddings: new Float32Array([0]), labels: new Int32Array([0]) }),
    /at least 2 rows: it has 1/,
  );
  assert.throws(
    () => retrievalMetrics({ ...ok, embeddings: new Float32Array([0, 1, 2]) }),
    /set.embeddings must hold labels.length × dim = 2 × 1 = 2 values: current length is 3/,
  );
  assert.throws(
    () => retrievalMetrics({ ...ok, embeddings: new Float32Array([0, NaN]) }),
    /set.embeddings must be finite: row 1 holds NaN/,
  );
  assert.throws(() => retrievalMetrics({ ...ok, dim: 0 }), /set.dim must be a positive integer/);
  assert.throws(
    () => retrievalMetrics(ok, { distance: "cosine" as unknown as Distance }),
    /options.distance must be a Distance record .*current value is the string "cosine" \(pass distances.cosine instead\)/,
  );
  assert.throws(() => retrievalMetrics(ok, { k: 0 }), /options.k must be a positive integer/);
  assert.throws(
    () => retrievalMetrics(ok, { ties: "random" as TieRule }),
    /options.ties must be "pessimistic" or "optimistic"/,
  );
  assert.throws(
    () => retrievalMetrics({ ...ok, labels: [0, 0] as unknown as Int32Array }),
    /set.labels must be an Int32Array/,
  );
});

Deno.test("distance rows: SIMD and JS kernels agree with float64 distances", () => {
  const set = floatSet(23, 7, 3, 8); // 23 and 7: not multiples of 4
  const queries = floatSet(9, 7, 3, 9);
  // a zero row for the cosine convention (distance 1 to everything)
  queries.embeddings.fill(0, 0, 7);
  for (
    const distance of [
      "euclidean",
      "squaredEuclidean",
      "cosine",
      "manhattan",
      "dot",
      "chebyshev",
    ] as const
  ) {
    for (const kernel of ["simd", "js"] as const) {
      let seen = 0;
      forEachDistanceRow(queries, set, RECORD[distance], (q, row) => {
        assert.equal(q, seen++);
        assert.equal(row.length, 23);
        for (let j = 0; j < 23; j++) {
          const want = dist(rowOf(queries, q), rowOf(set, j), distance);
          assert.ok(
            Math.abs(row[j] - want) <= 1e-5 * Math.max(1, want),
            `${kernel} ${distance} [${q}, ${j}]: ${row[j]} vs ${want}`,
          );
        }
      }, kernel);
      assert.equal(seen, 9);
    }
  }
});

Deno.test("distance rows: a larger gallery grows the SIMD memory and stays correct", () => {
  const big = floatSet(5000, 16, 4, 31);
  const queries = floatSet(5, 16, 4, 32);
  forEachDistanceRow(queries, big, RECORD.euclidean, (q, row) => {
    for (const j of [0, 1, 2499, 4998, 4999]) {
      const want = dist(rowOf(queries, q), rowOf(big, j), "euclidean");
      assert.ok(Math.abs(row[j] - want) <= 1e-5 * Math.max(1, want));
    }
  });
});
