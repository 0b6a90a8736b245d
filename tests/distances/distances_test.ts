import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import fc from "fast-check";
import {
  cosine,
  euclidean,
  manhattan,
  pairwise,
  squaredEuclidean,
} from "../../lib/distances/mod.ts";
import type { Distance, Tensor2D } from "../../lib/types.ts";
import { analytic, assertClose, assertGradientClose, finiteDifference5 } from "./_fd.ts";

await tf.setBackend("cpu");

const t2 = (rows: number[][]) => tf.tensor2d(rows);

/** Plain-JS references, row by row. */
const REFERENCE: Record<string, (a: number[], b: number[]) => number> = {
  euclidean: (a, b) => Math.hypot(...a.map((x, i) => x - b[i])),
  squaredEuclidean: (a, b) => a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0),
  manhattan: (a, b) => a.reduce((s, x, i) => s + Math.abs(x - b[i]), 0),
  cosine: (a, b) => {
    const dot = a.reduce((s, x, i) => s + x * b[i], 0);
    const na = Math.max(Math.hypot(...a), 1e-12), nb = Math.max(Math.hypot(...b), 1e-12);
    return 1 - dot / (na * nb);
  },
};
const DISTANCES: Record<string, Distance> = { euclidean, squaredEuclidean, manhattan, cosine };

Deno.test("distances: hand-computed values", () => {
  const a = t2([[0, 0], [1, 2], [1, 0]]);
  const b = t2([[3, 4], [1, 2], [0, 1]]);
  assertClose(euclidean(a, b).dataSync(), [5, 0, Math.SQRT2], 1e-6);
  assertClose(squaredEuclidean(a, b).dataSync(), [25, 0, 2], 1e-6);
  assertClose(manhattan(a, b).dataSync(), [7, 0, 2], 1e-6);
  // [0,0]·anything: cosine 0 → distance 1; same vector → 0; orthogonal → 1.
  assertClose(cosine(a, b).dataSync(), [1, 0, 1], 1e-6);
  tf.dispose([a, b]);
});

Deno.test("distances: agree with plain-JS references on random rows (property)", () => {
  const row = fc.array(fc.float({ min: -10, max: 10, noNaN: true, noDefaultInfinity: true }), {
    minLength: 3,
    maxLength: 3,
  });
  fc.assert(
    fc.property(fc.array(fc.tuple(row, row), { minLength: 1, maxLength: 5 }), (rows) => {
      const a = t2(rows.map(([x]) => x)), b = t2(rows.map(([, y]) => y));
      for (const [name, d] of Object.entries(DISTANCES)) {
        const got = d(a, b);
        const want = rows.map(([x, y]) => REFERENCE[name](x, y));
        assertClose(got.dataSync(), want, 1e-3);
        got.dispose();
      }
      tf.dispose([a, b]);
    }),
    { numRuns: 30, seed: 42 },
  );
});

Deno.test("distances: smaller means closer, symmetric, zero on identical rows", () => {
  const a = t2([[1, 2, 3]]), near = t2([[1, 2, 3.5]]), far = t2([[-5, 2, 9]]);
  for (const [name, d] of Object.entries(DISTANCES)) {
    const [dn, df, ds, dba] = [d(a, near), d(a, far), d(a, a), d(near, a)].map((x) =>
      x.dataSync()[0]
    );
    assert.ok(dn < df, `${name}: near ${dn} < far ${df}`);
    assert.ok(Math.abs(ds) < 1e-6, `${name}: self distance ${ds}`);
    assert.ok(Math.abs(dn - dba) < 1e-6, `${name}: symmetric`);
  }
  tf.dispose([a, near, far]);
});

Deno.test("euclidean: gradient is finite (zero) at zero distance, where plain sqrt gives NaN", () => {
  const x = t2([[1, 2], [3, 4]]);
  const g = tf.grad((a: tf.Tensor) => tf.sum(euclidean(a as Tensor2D, x)))(x);
  assert.deepEqual(Array.from(g.dataSync()), [0, 0, 0, 0]);
  const naive = tf.grad((a: tf.Tensor) => tf.sum(tf.sqrt(tf.sum(tf.square(tf.sub(a, x)), 1))))(x);
  assert.ok(Number.isNaN(naive.dataSync()[0]), "the naive form is what we protect against");
  const pg = tf.grad((a: tf.Tensor) => tf.sum(pairwise(euclidean)(a as Tensor2D, x)))(x);
  assert.ok(pg.dataSync().every(Number.isFinite));
  tf.dispose([x, g, naive, pg]);
});

Deno.test("distances: gradients match finite differences", () => {
  const other = [0.3, -1.2, 0.8, 2.0, 0.1, -0.4];
  const values = [1.1, 0.4, -0.7, 0.5, 1.3, 0.9];
  for (const [name, d] of Object.entries(DISTANCES)) {
    const f = (x: tf.Tensor) =>
      tf.tidy(() =>
        tf.sum(tf.mul(d(x as Tensor2D, tf.tensor2d(other, [2, 3])), [1, 2])) as tf.Scalar
      );
    assertGradientClose(analytic(f, values, [2, 3]), finiteDifference5(f, values, [2, 3], 7e-3));
    const m = (x: tf.Tensor) =>
      tf.tidy(() =>
        tf.sum(
          tf.mul(pairwise(d)(x as Tensor2D, tf.tensor2d(other, [2, 3])), [[1, 2], [3, 4]]),
        ) as tf.Scalar
      );
    assertGradientClose(analytic(m, values, [2, 3]), finiteDifference5(m, values, [2, 3], 7e-3));
    void name;
  }
});

Deno.test("pairwise: fast paths and the generic path agree with a loop over row pairs", () => {
  const a = tf.randomNormal([5, 4], 0, 1, "float32", 1) as Tensor2D;
  const b = tf.randomNormal([3, 4], 0, 1, "float32", 2) as Tensor2D;
  const ra = a.arraySync(), rb = b.arraySync();
  const custom: Distance = (x, y) => tf.max(tf.abs(tf.sub(x, y)), 1); // Chebyshev: generic path
  const all = { ...DISTANCES, custom };
  const references = {
    ...REFERENCE,
    custom: (x: number[], y: number[]) => Math.max(...x.map((v, i) => Math.abs(v - y[i]))),
  };
  for (const [name, d] of Object.entries(all)) {
    const m = pairwise(d)(a, b);
    assert.deepEqual(m.shape, [5, 3]);
    const want = ra.flatMap((x) =>
      rb.map((y) => references[name as keyof typeof references](x, y))
    );
    assertClose(m.dataSync(), want, 1e-4);
    m.dispose();
  }
  tf.dispose([a, b]);
});

Deno.test("distances: leave no tensors behind", () => {
  const a = t2([[1, 2]]), b = t2([[3, 5]]);
  const before = tf.memory().numTensors;
  for (const d of Object.values(DISTANCES)) {
    d(a, b).dispose();
    pairwise(d)(a, b).dispose();
  }
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([a, b]);
});

Deno.test("distances: bad shapes are errors naming the argument and the value", () => {
  const a = t2([[1, 2]]), b = t2([[1, 2, 3]]), v = tf.tensor1d([1, 2]);
  assert.throws(
    () => euclidean(a, b),
    /euclidean distance as a and b must have the same shape: current shapes are \[1,2\] and \[1,3\]/,
  );
  assert.throws(() => cosine(v as unknown as Tensor2D, a), /a must be rank 2: current rank is 1/);
  assert.throws(() => pairwise(manhattan)(a, b), /same width: current widths are 2 and 3/);
  tf.dispose([a, b, v]);
});
