import assert from "node:assert/strict";
import { pca, tsne, umap } from "../../lib/report/mod.ts";
import { clusters, nearestCentroidAccuracy, nearestNeighbourAccuracy } from "./_data.ts";
import { seededRandom } from "../../lib/report/_rng.ts";

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

Deno.test("tsne, umap, pca: bad input gets a clear error", async () => {
  for (const f of [tsne, umap, pca]) {
    // umap is asynchronous (druidjs loads on first use): every call is awaited.
    await assert.rejects(async () => await f(new Float32Array(0), 2), /embeddings are empty/);
    await assert.rejects(
      async () => await f(new Float32Array(5), 2),
      /multiple of dim 2: current length is 5/,
    );
    await assert.rejects(
      async () => await f(new Float32Array([0, NaN, 1, 1]), 2),
      /row 0 holds NaN/,
    );
    await assert.rejects(
      async () => await f(new Float32Array(4), 0),
      /dim must be a positive integer: current dim is 0/,
    );
    await assert.rejects(
      async () => await f(new Float32Array(4), 2, { maxPoints: 0 }),
      /maxPoints .* current maxPoints is 0/,
    );
  }
  assert.throws(
    () => tsne(new Float32Array(4), 2, { perplexity: -1 }),
    /perplexity .* current perplexity is -1/,
  );
  assert.throws(() => tsne(new Float32Array(4), 2, { iterations: 1.5 }), /iterations .* 1.5/);
  await assert.rejects(
    () => umap(new Float32Array(4), 2, { neighbours: 1 }),
    /neighbours .* current neighbours is 1/,
  );
});

Deno.test("pca: recovers a hand-computed projection", () => {
  // Points on the line y = 2x in 3-D (z = 0): the first component spans it (centred: -1.5,
  // -0.5, 0.5, 1.5 steps of √5); there is no second direction of variance, so it maps to 0.
  const x = new Float32Array([0, 0, 0, 1, 2, 0, 2, 4, 0, 3, 6, 0]);
  const map = pca(x, 3);
  // The sign of a component is arbitrary; it is never 0 (Math.sign would let an all-zero map pass).
  const sign = map.points[2] - map.points[0] >= 0 ? 1 : -1;
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
  // Each component's sign is arbitrary, but ±1: an all-zero or constant map must fail.
  const sx = map.points[2] >= 0 ? 1 : -1, sy = map.points[5] >= 0 ? 1 : -1;
  expected.forEach(([ex, ey], i) => {
    assert.ok(Math.abs(map.points[2 * i] - sx * ex) < 1e-4, `x ${map.points[2 * i]}`);
    assert.ok(Math.abs(map.points[2 * i + 1] - sy * ey) < 1e-4, `y ${map.points[2 * i + 1]}`);
  });
});

Deno.test("umap: same seed gives the same map; clusters stay separated", async () => {
  const a = await umap(data.values, data.dim, { seed: 9, epochs: 150, neighbours: 8 });
  const b = await umap(data.values, data.dim, { seed: 9, epochs: 150, neighbours: 8 });
  assert.deepEqual(a.points, b.points);
  const labels = Array.from(a.rows, (r) => data.labels[r]);
  assert.equal(nearestNeighbourAccuracy(a.points, labels), 1);
});

/**
 * Exact t-SNE written from the paper (van der Maaten & Hinton, 2008) and the optimiser of its
 * reference `tsne.m` (momentum, gains +0.2 / ×0.8 with a floor of 0.01), with the schedule
 * likeness documents: the first min(250, ⌊iterations / 2⌋) steps multiply P by the
 * exaggeration and use momentum 0.5, later ones 0.8; the map is re-centred after each step.
 */
function tsneOracle(
  x: number[][],
  { perplexity, iterations, exaggeration, learningRate, y0 }: {
    perplexity: number;
    iterations: number;
    exaggeration: number;
    learningRate: number;
    y0: number[][];
  },
): number[][] {
  const n = x.length;
  const d2 = x.map((a) => x.map((b) => a.reduce((s, v, k) => s + (v - b[k]) ** 2, 0)));
  // p_{j|i} with σ_i found by bisection on the entropy H = log(perplexity) (nats).
  const cond = x.map((_, i) => {
    let lo = 0, hi = 1e6;
    let row: number[] = [];
    for (let t = 0; t < 200; t++) {
      const beta = (lo + hi) / 2;
      const w = d2[i].map((d, j) => (j === i ? 0 : Math.exp(-beta * d)));
      const sum = w.reduce((s, v) => s + v, 0);
      row = w.map((v) => v / sum);
      const h = -row.reduce((s, p) => s + (p > 0 ? p * Math.log(p) : 0), 0);
      if (h > Math.log(perplexity)) lo = beta;
      else hi = beta;
    }
    return row;
  });
  const p = cond.map((row, i) =>
    row.map((_, j) => (i === j ? 0 : Math.max((cond[i][j] + cond[j][i]) / (2 * n), 1e-12)))
  );
  const y = y0.map((r) => r.slice());
  const update = y.map(() => [0, 0]);
  const gains = y.map(() => [1, 1]);
  const early = Math.min(250, Math.floor(iterations / 2));
  for (let it = 0; it < iterations; it++) {
    const scale = it < early ? exaggeration : 1;
    const momentum = it < early ? 0.5 : 0.8;
    const kernel = y.map((a) => y.map((b) => 1 / (1 + (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2)));
    let z = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) z += kernel[i][j];
    // ∂C/∂y_i = 4 Σ_j (p_ij − q_ij)(y_i − y_j)(1 + ‖y_i − y_j‖²)⁻¹
    const grad = y.map((a, i) =>
      [0, 1].map((c) =>
        4 * y.reduce(
          (s, b, j) =>
            j === i ? s : s + (scale * p[i][j] - kernel[i][j] / z) * kernel[i][j] *
                (a[c] - b[c]),
          0,
        )
      )
    );
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < 2; c++) {
        const g = grad[i][c];
        gains[i][c] = (g > 0) !== (update[i][c] > 0) ? gains[i][c] + 0.2 : gains[i][c] * 0.8;
        gains[i][c] = Math.max(gains[i][c], 0.01);
        update[i][c] = momentum * update[i][c] - learningRate * gains[i][c] * g;
        y[i][c] += update[i][c];
      }
    }
    for (let c = 0; c < 2; c++) {
      const mean = y.reduce((s, r) => s + r[c], 0) / n;
      for (const r of y) r[c] -= mean;
    }
  }
  return y;
}

Deno.test("tsne: equals a loop oracle of the paper's algorithm, early exaggeration included", () => {
  const small = clusters(4, centres.slice(0, 3), 1); // 12 points in 8-D
  const rows = Array.from(
    { length: 12 },
    (_, i) => Array.from(small.values.subarray(i * 8, (i + 1) * 8)),
  );
  // Four steps (two exaggerated): t-SNE amplifies tiny differences, and likeness's bisection
  // stops at an entropy within 1e-5 of log(perplexity) (the oracle bisects to the end), which
  // alone moves the points by ~5e-4 of their spread after two steps.
  const rand = seededRandom(4);
  const y0 = rows.map(() => [rand.gauss() * 1e-4, rand.gauss() * 1e-4]);
  for (const exaggeration of [12, 4]) {
    const settings = { perplexity: 3, iterations: 4, exaggeration, learningRate: 50 };
    const got = tsne(small.values, 8, { seed: 4, ...settings });
    const want = tsneOracle(rows, { ...settings, y0 });
    const spread = Math.max(...want.flat().map(Math.abs));
    for (let i = 0; i < 12; i++) {
      for (let c = 0; c < 2; c++) {
        const err = Math.abs(got.points[2 * i + c] - want[i][c]);
        assert.ok(
          err < 5e-3 * spread,
          `exaggeration ${exaggeration}, point ${i}.${c}: ${got.points[2 * i + c]} vs oracle ${
            want[i][c]
          }`,
        );
      }
    }
  }
});
