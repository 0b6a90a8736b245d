import assert from "node:assert/strict";
import { distanceHistogram, distanceSummary } from "../../lib/metrics/mod.ts";
import { lcg } from "./_brute.ts";

Deno.test("distanceHistogram: shared edges, counts, fractions", () => {
  // range [0, 4] in 4 bins: [0,1) [1,2) [2,3) [3,4]
  // same 0.5 1 1.5 → bins 0, 1, 1; different 2 3.9 4 → bins 2, 3, 3
  const h = distanceHistogram([0.5, 1, 1.5, 2, 3.9, 4, 0], [1, 1, 1, 0, 0, 0, 1], { bins: 4 });
  assert.deepEqual(h.edges, [0, 1, 2, 3, 4]);
  assert.deepEqual(h.same.counts, [2, 2, 0, 0]); // 0 joins bin 0
  assert.deepEqual(h.different.counts, [0, 0, 1, 2]);
  assert.deepEqual(h.same.fraction, [0.5, 0.5, 0, 0]);
  assert.equal(h.same.total, 4);
  assert.equal(h.different.outside, 0);
});

Deno.test("distanceHistogram: explicit range counts what falls outside", () => {
  const h = distanceHistogram([-1, 0.5, 2, 3], [1, 1, 0, 0], { bins: 2, range: [0, 2] });
  assert.deepEqual(h.edges, [0, 1, 2]);
  assert.deepEqual(h.same.counts, [1, 0]);
  assert.equal(h.same.outside, 1);
  assert.deepEqual(h.different.counts, [0, 1]);
  assert.equal(h.different.outside, 1);
  assert.deepEqual(h.different.fraction, [0, 0.5]); // fraction of all different pairs
});

Deno.test("distanceHistogram: constant distances and one kind only", () => {
  const h = distanceHistogram([2, 2, 2], [1, 1, 1], { bins: 2 });
  assert.deepEqual(h.edges, [1.5, 2, 2.5]);
  assert.deepEqual(h.same.counts, [0, 3]);
  assert.deepEqual(h.different.counts, [0, 0]);
  assert.deepEqual(h.different.fraction, [0, 0]);
});

Deno.test("distanceHistogram: every distance lands in exactly one bin (random)", () => {
  const r = lcg(4);
  const d = Array.from({ length: 500 }, () => r() * 3);
  const s = d.map(() => r() < 0.3);
  const h = distanceHistogram(d, s, { bins: 17 });
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  assert.equal(sum(h.same.counts) + sum(h.different.counts), 500);
  // brute-force bin of each distance via the edges
  const want = new Array(17).fill(0);
  d.forEach((x, i) => {
    if (!s[i]) return;
    let b = 0;
    while (b < 16 && x >= h.edges[b + 1]) b++;
    want[b]++;
  });
  assert.deepEqual(h.same.counts, want);
});

Deno.test("distanceHistogram: clear errors", () => {
  assert.throws(() => distanceHistogram([], []), /distances is empty/);
  assert.throws(
    () => distanceHistogram([1], [1], { bins: 0 }),
    /options.bins must be a positive integer/,
  );
  assert.throws(
    () => distanceHistogram([1], [1], { range: [2, 1] }),
    /options.range must be finite \[low, high\] with low < high: current value is \[2,1\]/,
  );
  assert.throws(
    () => distanceHistogram([1, Infinity], [1, 0]),
    /must be finite without options.range/,
  );
});

Deno.test("distanceSummary: hand-computed statistics", () => {
  // same: 1 2 3 4 5 → mean 3, population variance (4+1+0+1+4)/5 = 2
  //   quantiles (numpy linear): q05 at h = 4·0.05 = 0.2 → 1.2; q25 at h = 1 → 2;
  //   median 3; q75 4; q95 at h = 3.8 → 4.8
  // different: 6 8 → mean 7, variance 1; d' = (7 − 3) / √((2 + 1)/2) = 4 / √1.5
  const s = distanceSummary([1, 2, 3, 4, 5, 6, 8], [1, 1, 1, 1, 1, 0, 0], { bins: 7 });
  assert.equal(s.same.count, 5);
  assert.equal(s.same.mean, 3);
  assert.ok(Math.abs(s.same.std - Math.sqrt(2)) < 1e-12);
  assert.ok(Math.abs(s.same.q05 - 1.2) < 1e-12);
  assert.equal(s.same.q25, 2);
  assert.equal(s.same.median, 3);
  assert.equal(s.same.q75, 4);
  assert.ok(Math.abs(s.same.q95 - 4.8) < 1e-12);
  assert.equal(s.same.min, 1);
  assert.equal(s.same.max, 5);
  assert.equal(s.different.mean, 7);
  assert.equal(s.different.std, 1);
  assert.ok(Math.abs(s.dPrime - 4 / Math.sqrt(1.5)) < 1e-12);
  // 7 bins of width 1 over [1, 8]: same in bins 0–4, different in bins 5 and 6 (8 → last)
  assert.equal(s.overlap, 0);
});

Deno.test("distanceSummary: overlap of identical distributions is 1, d' 0", () => {
  const s = distanceSummary([1, 2, 3, 1, 2, 3], [1, 1, 1, 0, 0, 0], { bins: 3 });
  assert.ok(Math.abs(s.overlap - 1) < 1e-12);
  assert.equal(s.dPrime, 0);
  // half overlap: same {1, 2}, different {2, 3}, bins [1, 5/3) [5/3, 7/3) [7/3, 3]
  const h = distanceSummary([1, 2, 2, 3], [1, 1, 0, 0], { bins: 3 });
  assert.ok(Math.abs(h.overlap - 0.5) < 1e-12);
  // no spread: d' infinite when the means differ
  assert.equal(distanceSummary([1, 1, 2, 2], [1, 1, 0, 0]).dPrime, Infinity);
});

Deno.test("distanceSummary: clear errors", () => {
  assert.throws(() => distanceSummary([1, 2], [1, 1]), /2 same and 0 different/);
  assert.throws(
    () => distanceSummary([1, Infinity], [1, 0]),
    /distances\[1\] must be finite: current value is Infinity/,
  );
});
