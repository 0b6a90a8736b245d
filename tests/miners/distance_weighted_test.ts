// distanceWeighted: its weights equal the paper's q(d)^−1 (Wu et al. 2017, §4) with pml's
// clipping, its draws follow those weights (a chi-square test over seeded draws), its
// triplets are valid, and the same seed on the same batch draws the same triplets.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { marginLoss } from "../../lib/losses/mod.ts";
import { distanceWeighted } from "../../lib/miners/mod.ts";
import { distanceWeights } from "../../lib/miners/_distance_weights.ts";
import type { Labelled, Tensor2D } from "../../lib/types.ts";
import { rng } from "../losses/_oracle.ts";

await tf.setBackend("cpu");

/** A batch of unit vectors in `dim` dimensions, 3 classes of `k`. */
function unitBatch(seed: number, dim: number, k = 4): { rows: number[][]; labels: number[] } {
  const next = rng(seed);
  const rows = Array.from({ length: 3 * k }, () => {
    const r = Array.from({ length: dim }, () => next());
    const n = Math.hypot(...r);
    return r.map((v) => Math.fround(v / n));
  });
  return { rows, labels: rows.map((_, i) => Math.floor(i / k)) };
}
const input = (b: { rows: number[][]; labels: number[] }): Labelled => ({
  kind: "labelled",
  embeddings: tf.tensor2d(b.rows) as Tensor2D,
  labels: tf.tensor1d(b.labels, "int32"),
});
const l2 = (a: number[], b: number[]) => Math.hypot(...a.map((v, k) => v - b[k]));

Deno.test("distanceWeighted: weights are q(d)^−1 with d clipped at the cutoff, 0 beyond 1.4 and within the class", () => {
  for (const dim of [2, 3, 8]) {
    const b = unitBatch(dim, dim);
    const d = b.rows.map((r) => b.rows.map((s) => l2(r, s)));
    const w = distanceWeights(d, b.labels, dim, 0.5, 1.4);
    d.forEach((row, i) => {
      // the paper's density of distances on the unit sphere, written out
      const q = (x: number) => Math.pow(x, dim - 2) * Math.pow(1 - (x * x) / 4, (dim - 3) / 2);
      const raw = row.map((x, j) =>
        b.labels[j] === b.labels[i] || x >= 1.4 ? 0 : 1 / q(Math.max(x, 0.5))
      );
      const total = raw.reduce((s, v) => s + v, 0);
      raw.forEach((v, j) => {
        const want = total > 0 ? v / total : 0;
        assert.ok(
          Math.abs(w[i][j] - want) < 1e-9,
          `dim ${dim} [${i}, ${j}]: ${w[i][j]} vs ${want}`,
        );
      });
    });
  }
});

Deno.test("distanceWeighted: draws follow the weights (chi-square over 400 seeded draws per anchor)", () => {
  const dim = 3, b = unitBatch(11, dim);
  const x = input(b);
  const d = b.rows.map((r) => b.rows.map((s) => l2(r, s)));
  const w = distanceWeights(d, b.labels, dim, 0.5, 1.4);
  const counts = b.rows.map(() => b.rows.map(() => 0));
  for (let seed = 0; seed < 100; seed++) {
    const t = distanceWeighted({ seed })(x);
    t.anchor.forEach((a, k) => {
      counts[a][t.negative[k]]++;
      assert.equal(b.labels[t.positive[k]], b.labels[a]);
      assert.notEqual(t.positive[k], a);
      assert.notEqual(b.labels[t.negative[k]], b.labels[a]);
      assert.ok(w[a][t.negative[k]] > 0, "drew a negative of weight 0");
    });
  }
  let tested = 0;
  counts.forEach((row, a) => {
    const total = row.reduce((s, c) => s + c, 0);
    if (total === 0) return assert.ok(w[a].every((v) => v === 0));
    assert.equal(total, 400); // 4 draws per anchor (its class has 4 rows) × 100 seeds
    const cells = row.map((c, j) => [c, total * w[a][j]]).filter(([, e]) => e > 0);
    const chi2 = cells.reduce((s, [c, e]) => s + (c - e) ** 2 / e, 0);
    // at most 7 degrees of freedom: P(χ² > 29) < 2e-4
    assert.ok(chi2 < 29, `anchor ${a}: χ² ${chi2.toFixed(1)}, counts ${row}, weights ${w[a]}`);
    tested++;
  });
  assert.ok(tested >= 8, `${tested} anchors with negatives`);
  tf.dispose([x.embeddings, x.labels]);
});

Deno.test("distanceWeighted: same seed and batch, same triplets; another seed or batch, others", () => {
  const b = unitBatch(5, 4, 5), x = input(b);
  const t = (seed: number, i = x) => Array.from(distanceWeighted({ seed })(i).negative).join();
  assert.equal(t(3), t(3));
  assert.notEqual(t(3), t(4));
  const moved = input({ ...b, rows: b.rows.map((r, i) => (i === 0 ? r.map((v) => -v) : r)) });
  assert.notEqual(t(3), t(3, moved));
  tf.dispose([x.embeddings, x.labels, moved.embeddings, moved.labels]);
});

Deno.test("distanceWeighted: one class, singletons and far negatives give no triplet; with marginLoss it trains", () => {
  const one = input({ rows: [[1, 0], [0, 1], [-1, 0]], labels: [2, 2, 2] });
  assert.equal(distanceWeighted()(one).anchor.length, 0);
  const singletons = input({ rows: [[1, 0], [0, 1], [-1, 0]], labels: [0, 1, 2] });
  assert.equal(distanceWeighted()(singletons).anchor.length, 0);
  // every negative at distance 2 (≥ 1.4): no weight anywhere
  const far = input({ rows: [[1, 0], [1, 0], [-1, 0], [-1, 0]], labels: [0, 0, 1, 1] });
  assert.equal(distanceWeighted()(far).anchor.length, 0);
  const loss = marginLoss({ miner: distanceWeighted({ seed: 1 }) });
  assert.ok(Object.is(loss.reduce(loss.perItem(far)).dataSync()[0], 0));
  const b = unitBatch(2, 3), x = input(b);
  const v = tf.tidy(() => loss.reduce(loss.perItem(x)).dataSync()[0]);
  assert.ok(Number.isFinite(v) && v > 0, `${v}`);
  tf.dispose([one, singletons, far, x].flatMap((i) => [i.embeddings, i.labels]));
});

Deno.test("distanceWeighted names bad options", () => {
  assert.throws(
    () => distanceWeighted({ cutoff: -1 }),
    /options\.cutoff must be a finite number ≥ 0: current value is -1/,
  );
  assert.throws(
    () => distanceWeighted({ seed: 0.5 }),
    /options\.seed must be a safe integer: current value is 0\.5/,
  );
  assert.throws(
    () => distanceWeighted({ nonzeroLossCutoff: NaN }),
    /options\.nonzeroLossCutoff must be a finite number ≥ 0: current value is NaN/,
  );
});
