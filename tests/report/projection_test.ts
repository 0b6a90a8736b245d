import assert from "node:assert/strict";
import { pca, tsne, umap } from "../../lib/report/mod.ts";
import { clusters, nearestCentroidAccuracy, nearestNeighbourAccuracy } from "./_data.ts";

// Three well-separated clusters in 8-D: centres 10 apart, spread 1.
const centres = [0, 1, 2].map((c) => Array.from({ length: 8 }, (_, d) => (d === c ? 10 : 0)));
const data = clusters(20, centres, 1);

Deno.test("tsne: same seed gives the same map, another seed another", () => {
  const a = tsne(data.values, data.dim, { seed: 5, iterations: 300 });
  const b = tsne(data.values, data.dim, { seed: 5, iterations: 300 });
  const c = tsne(data.values, data.dim, { seed: 6, iterations: 300 });
  assert.deepEqual(a.points, b.points);
  assert.notDeepEqual(a.points, c.points);
  assert.equal(a.points.length, 2 * 60);
  assert.ok(a.points.every(Number.isFinite));
});

Deno.test("tsne: separable clusters stay separated in 2-D", () => {
  const map = tsne(data.values, data.dim, { seed: 1, iterations: 400 });
  const labels = Array.from(map.rows, (r) => data.labels[r]);
  assert.equal(nearestNeighbourAccuracy(map.points, labels), 1);
  assert.equal(nearestCentroidAccuracy(map.points, labels), 1);
});

Deno.test("tsne: the map is centred and spread out (the optimiser moved)", () => {
  const map = tsne(data.values, data.dim, { seed: 2, iterations: 300 });
  let mx = 0, my = 0, spread = 0;
  for (let i = 0; i < 60; i++) {
    mx += map.points[2 * i] / 60;
    my += map.points[2 * i + 1] / 60;
  }
  for (let i = 0; i < 60; i++) {
    spread = Math.max(spread, Math.hypot(map.points[2 * i], map.points[2 * i + 1]));
  }
  assert.ok(Math.abs(mx) < 1e-9 && Math.abs(my) < 1e-9, `mean ${mx}, ${my}`);
  assert.ok(spread > 1, `initial scale is 1e-4, final spread ${spread}`);
});

Deno.test("tsne: large inputs are subsampled under the seed", () => {
  const a = tsne(data.values, data.dim, { seed: 3, maxPoints: 25, iterations: 50 });
  const b = tsne(data.values, data.dim, { seed: 3, maxPoints: 25, iterations: 50 });
  const c = tsne(data.values, data.dim, { seed: 4, maxPoints: 25, iterations: 50 });
  assert.equal(a.rows.length, 25);
  assert.equal(a.points.length, 50);
  assert.deepEqual(a.rows, b.rows);
  assert.notDeepEqual(a.rows, c.rows);
  assert.equal(new Set(a.rows).size, 25);
  assert.ok(a.rows.every((r, i) => r >= 0 && r < 60 && (i === 0 || r > a.rows[i - 1])));
});

Deno.test("tsne: tiny inputs give finite points; 1 row maps to the origin", () => {
  assert.deepEqual(tsne(new Float32Array([1, 2]), 2), {
    points: new Float64Array([0, 0]),
    rows: new Int32Array([0]),
  });
  const two = tsne(new Float32Array([0, 0, 1, 1]), 2, { iterations: 20 });
  assert.ok(two.points.every(Number.isFinite));
});

Deno.test("tsne, umap, pca: bad input gets a clear error", () => {
  for (const f of [tsne, umap, pca]) {
    assert.throws(() => f(new Float32Array(0), 2), /embeddings are empty/);
    assert.throws(() => f(new Float32Array(5), 2), /multiple of dim 2: current length is 5/);
    assert.throws(() => f(new Float32Array([0, NaN, 1, 1]), 2), /row 0 holds NaN/);
    assert.throws(
      () => f(new Float32Array(4), 0),
      /dim must be a positive integer: current dim is 0/,
    );
    assert.throws(
      () => f(new Float32Array(4), 2, { maxPoints: 0 }),
      /maxPoints .* current maxPoints is 0/,
    );
  }
  assert.throws(
    () => tsne(new Float32Array(4), 2, { perplexity: -1 }),
    /perplexity .* current perplexity is -1/,
  );
  assert.throws(() => tsne(new Float32Array(4), 2, { iterations: 1.5 }), /iterations .* 1.5/);
  assert.throws(
    () => umap(new Float32Array(4), 2, { neighbours: 1 }),
    /neighbours .* current neighbours is 1/,
  );
});

Deno.test("pca: recovers a hand-computed projection", () => {
  // Points on the line y = 2x in 3-D (z = 0): the first component spans it (centred: -1.5,
  // -0.5, 0.5, 1.5 steps of √5); there is no second direction of variance, so it maps to 0.
  const x = new Float32Array([0, 0, 0, 1, 2, 0, 2, 4, 0, 3, 6, 0]);
  const map = pca(x, 3);
  const sign = Math.sign(map.points[2] - map.points[0]);
  [-1.5, -0.5, 0.5, 1.5].forEach((k, i) => {
    assert.ok(Math.abs(map.points[2 * i] - sign * k * Math.sqrt(5)) < 1e-6, `${map.points[2 * i]}`);
    assert.ok(Math.abs(map.points[2 * i + 1]) < 1e-6, `${map.points[2 * i + 1]}`);
  });
});

Deno.test("pca: a rectangle of points maps to its centred rectangle (up to signs)", () => {
  // Spread 4 along x, 1 along z, none along y: components are x then z.
  const x = new Float32Array([0, 5, 0, 4, 5, 0, 0, 5, 1, 4, 5, 1]);
  const map = pca(x, 3);
  const expected = [[-2, -0.5], [2, -0.5], [-2, 0.5], [2, 0.5]];
  const sx = Math.sign(map.points[2]), sy = Math.sign(map.points[5]);
  expected.forEach(([ex, ey], i) => {
    assert.ok(Math.abs(map.points[2 * i] - sx * ex) < 1e-4, `x ${map.points[2 * i]}`);
    assert.ok(Math.abs(map.points[2 * i + 1] - sy * ey) < 1e-4, `y ${map.points[2 * i + 1]}`);
  });
});

Deno.test("umap: same seed gives the same map; clusters stay separated", () => {
  const a = umap(data.values, data.dim, { seed: 9, epochs: 150, neighbours: 8 });
  const b = umap(data.values, data.dim, { seed: 9, epochs: 150, neighbours: 8 });
  assert.deepEqual(a.points, b.points);
  const labels = Array.from(a.rows, (r) => data.labels[r]);
  assert.equal(nearestNeighbourAccuracy(a.points, labels), 1);
});
