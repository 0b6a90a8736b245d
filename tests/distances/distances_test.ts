import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import fc from "fast-check";
import {
  builtInDistance,
  cosine,
  distance,
  dot,
  euclidean,
  hostRow,
  manhattan,
  squaredEuclidean,
} from "../../lib/distances/mod.ts";
import type { Distance, Tensor2D } from "../../lib/types.ts";
import { analytic, assertClose, assertGradientClose, finiteDifference5 } from "./_fd.ts";

await tf.setBackend("cpu");

const t2 = (rows: number[][]) => tf.tensor2d(rows);

/** Plain-JS references, row by row (the loop oracle). */
const REFERENCE: Record<string, (a: number[], b: number[]) => number> = {
  euclidean: (a, b) => Math.hypot(...a.map((x, i) => x - b[i])),
  squaredEuclidean: (a, b) => a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0),
  manhattan: (a, b) => a.reduce((s, x, i) => s + Math.abs(x - b[i]), 0),
  cosine: (a, b) => {
    const dot = a.reduce((s, x, i) => s + x * b[i], 0);
    const na = Math.max(Math.hypot(...a), 1e-12), nb = Math.max(Math.hypot(...b), 1e-12);
    return 1 - dot / (na * nb);
  },
  dot: (a, b) => -a.reduce((s, x, i) => s + x * b[i], 0),
  chebyshev: (a, b) => Math.max(...a.map((x, i) => Math.abs(x - b[i]))),
};
const chebyshev = distance({
  name: "chebyshev",
  rows: (a, b) => tf.max(tf.abs(tf.sub(a, b)), 1),
});
const chebyshevHost = distance({
  name: "chebyshev-host",
  rows: chebyshev.rows,
  host: (a, b) => {
    let m = 0;
    for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k] - b[k]));
    return m;
  },
});
const BUILT_IN: Record<string, Distance> = {
  euclidean,
  squaredEuclidean,
  manhattan,
  cosine,
  dot,
};
const ALL: [string, Distance][] = [
  ...Object.entries(BUILT_IN),
  ["chebyshev", chebyshev],
  ["chebyshev", chebyshevHost],
];

Deno.test("distances: hand-computed values", () => {
  const a = t2([[0, 0], [1, 2], [1, 0]]);
  const b = t2([[3, 4], [1, 2], [0, 1]]);
  assertClose(euclidean.rows(a, b).dataSync(), [5, 0, Math.SQRT2], 1e-6);
  assertClose(squaredEuclidean.rows(a, b).dataSync(), [25, 0, 2], 1e-6);
  assertClose(manhattan.rows(a, b).dataSync(), [7, 0, 2], 1e-6);
  // [0,0]·anything: cosine 0 → distance 1; same vector → 0; orthogonal → 1.
  assertClose(cosine.rows(a, b).dataSync(), [1, 0, 1], 1e-6);
  // −(0·3 + 0·4) = 0; −(1 + 4) = −5; −(0 + 0) = 0
  assertClose(dot.rows(a, b).dataSync(), [0, -5, 0], 1e-6);
  assertClose(chebyshev.rows(a, b).dataSync(), [4, 0, 1], 1e-6);
  tf.dispose([a, b]);
});

Deno.test("distances: names and kinds; builtInDistance finds each built-in by name", () => {
  for (const [name, d] of Object.entries(BUILT_IN)) {
    assert.equal(d.name, name);
    assert.equal(d.host.kind, name);
    assert.equal(builtInDistance(name), d);
  }
  assert.equal(chebyshev.name, "chebyshev");
  assert.equal(chebyshev.host.kind, "custom");
  assert.equal(builtInDistance("chebyshev"), undefined);
});

Deno.test("distances: rows, matrix and host agree with the loop oracle on random rows (property)", () => {
  // quarters in [−10, 10]: exact in float32, and no denormal rows (whose cosine the tensor
  // form clamps at a 1e-12 norm while the host form computes it exactly)
  const row = fc.array(fc.integer({ min: -40, max: 40 }).map((v) => v / 4), {
    minLength: 3,
    maxLength: 3,
  });
  fc.assert(
    fc.property(
      fc.array(fc.tuple(row, row), { minLength: 1, maxLength: 5 }),
      fc.array(row, { minLength: 1, maxLength: 4 }),
      (rows, others) => {
        const xs = rows.map(([x]) => x), ys = rows.map(([, y]) => y);
        const a = t2(xs), b = t2(ys), c = t2(others);
        for (const [name, d] of ALL) {
          const ref = REFERENCE[name];
          // cosine of a (near-)zero row is 1 by definition in every form
          const tolerance = 1e-3 * (1 + Math.max(...xs.flat().map(Math.abs)) ** 2);
          const got = d.rows(a, b);
          assertClose(got.dataSync(), rows.map(([x, y]) => ref(x, y)), tolerance);
          const m = d.matrix(a, c);
          assert.deepEqual(m.shape, [xs.length, others.length]);
          assertClose(m.dataSync(), xs.flatMap((x) => others.map((y) => ref(x, y))), tolerance);
          const host = rows.map(([x, y]) =>
            d.host.pair(Float32Array.from(x), Float32Array.from(y))
          );
          assertClose(host, rows.map(([x, y]) => ref(x, y)), tolerance);
          const out = new Float64Array(others.length);
          hostRow(
            d.host,
            Float32Array.from(xs[0]),
            Float32Array.from(others.flat()),
            others.length,
            3,
            out,
          );
          assertClose(Array.from(out), others.map((y) => ref(xs[0], y)), tolerance);
          tf.dispose([got, m]);
        }
        tf.dispose([a, b, c]);
      },
    ),
    { numRuns: 25, seed: 42 },
  );
});

Deno.test("distances: smaller means closer, symmetric, zero on identical rows (the metrics)", () => {
  const a = t2([[1, 2, 3]]), near = t2([[1, 2, 3.5]]), far = t2([[-5, 2, 9]]);
  for (const [name, d] of ALL.filter(([n]) => n !== "dot")) {
    const [dn, df, ds, dba] = [d.rows(a, near), d.rows(a, far), d.rows(a, a), d.rows(near, a)]
      .map((x) => x.dataSync()[0]);
    assert.ok(dn < df, `${name}: near ${dn} < far ${df}`);
    assert.ok(Math.abs(ds) < 1e-6, `${name}: self distance ${ds}`);
    assert.ok(Math.abs(dn - dba) < 1e-6, `${name}: symmetric`);
  }
  // dot is not a metric: a longer vector in the same direction is "closer" than itself
  const self = dot.host.pair([1, 0], [1, 0]), longer = dot.host.pair([1, 0], [2, 0]);
  assert.ok(longer < self, "dot ranks by similarity, not by place");
  tf.dispose([a, near, far]);
});

Deno.test("euclidean: gradient is finite (zero) at zero distance, where plain sqrt gives NaN", () => {
  const x = t2([[1, 2], [3, 4]]);
  const g = tf.grad((a: tf.Tensor) => tf.sum(euclidean.rows(a as Tensor2D, x)))(x);
  assert.deepEqual(Array.from(g.dataSync()), [0, 0, 0, 0]);
  const naive = tf.grad((a: tf.Tensor) => tf.sum(tf.sqrt(tf.sum(tf.square(tf.sub(a, x)), 1))))(x);
  assert.ok(Number.isNaN(naive.dataSync()[0]), "the naive form is what we protect against");
  const pg = tf.grad((a: tf.Tensor) => tf.sum(euclidean.matrix(a as Tensor2D, x)))(x);
  assert.ok(pg.dataSync().every(Number.isFinite));
  tf.dispose([x, g, naive, pg]);
});

Deno.test("distances: gradients match finite differences (rows and matrix)", () => {
  const other = [0.3, -1.2, 0.8, 2.0, 0.1, -0.4];
  const values = [1.1, 0.4, -0.7, 0.5, 1.3, 0.9];
  for (const [, d] of ALL) {
    const f = (x: tf.Tensor) =>
      tf.tidy(() =>
        tf.sum(tf.mul(d.rows(x as Tensor2D, tf.tensor2d(other, [2, 3])), [1, 2])) as tf.Scalar
      );
    assertGradientClose(analytic(f, values, [2, 3]), finiteDifference5(f, values, [2, 3], 7e-3));
    const m = (x: tf.Tensor) =>
      tf.tidy(() =>
        tf.sum(
          tf.mul(d.matrix(x as Tensor2D, tf.tensor2d(other, [2, 3])), [[1, 2], [3, 4]]),
        ) as tf.Scalar
      );
    assertGradientClose(analytic(m, values, [2, 3]), finiteDifference5(m, values, [2, 3], 7e-3));
  }
});

Deno.test("distances: leave no tensors behind (rows, matrix, host of built-in and user distances)", () => {
  const a = t2([[1, 2]]), b = t2([[3, 5]]);
  const before = tf.memory().numTensors;
  for (const [, d] of ALL) {
    d.rows(a, b).dispose();
    d.matrix(a, b).dispose();
    d.host.pair([1, 2], [3, 5]);
    hostRow(
      d.host,
      new Float32Array([1, 2]),
      new Float32Array([3, 5, 0, 0]),
      2,
      2,
      new Float64Array(2),
    );
  }
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([a, b]);
});

Deno.test("distances: bad shapes are errors naming the argument and the value", () => {
  const a = t2([[1, 2]]), b = t2([[1, 2, 3]]), v = tf.tensor1d([1, 2]);
  assert.throws(
    () => euclidean.rows(a, b),
    /euclidean distance as a and b must have the same shape: current shapes are \[1,2\] and \[1,3\]/,
  );
  assert.throws(
    () => cosine.rows(v as unknown as Tensor2D, a),
    /a must be rank 2: current rank is 1/,
  );
  assert.throws(() => manhattan.matrix(a, b), /same width: current widths are 2 and 3/);
  assert.throws(
    () => chebyshev.rows(a, b),
    /chebyshev distance as a and b must have the same shape/,
  );
  assert.throws(
    () => chebyshev.matrix(a, b),
    /chebyshev distances of all pairs.*widths are 2 and 3/,
  );
  tf.dispose([a, b, v]);
});

Deno.test("distance(): a bad spec is an error naming the field and the value", () => {
  const rows = (a: Tensor2D, b: Tensor2D) => tf.sum(tf.abs(tf.sub(a, b)), 1);
  // deno-lint-ignore no-explicit-any
  const bad = (spec: any) => () => distance(spec);
  assert.throws(bad(null), /spec must be an object \{ name, rows \}: current value is null/);
  assert.throws(
    bad({ name: "", rows }),
    /spec.name must be a non-empty string: current value is ""/,
  );
  assert.throws(
    bad({ name: "euclidean", rows }),
    /'euclidean' as that is a built-in distance's name/,
  );
  assert.throws(
    bad({ name: "x", rows: 3 }),
    /'x' as spec.rows must be a function: current value is 3/,
  );
  assert.throws(bad({ name: "x", rows, matrix: "m" }), /spec.matrix must be a function or absent/);
  assert.throws(bad({ name: "x", rows, host: 1 }), /spec.host must be a function or absent/);
});

Deno.test("distance(): a user function that returns the wrong shape or NaN is an error naming the distance", () => {
  const a = t2([[1, 2], [3, 4]]);
  const wrong = distance({ name: "wrong", rows: (x) => tf.sum(x) as unknown as tf.Tensor1D });
  assert.throws(
    () => wrong.rows(a, a),
    /distance 'wrong' as its rows function must return a rank-1 tensor of 2 values .*shape \[\]/,
  );
  const nan = distance({ name: "nan", rows: (x) => tf.fill([x.shape[0]], NaN) as tf.Tensor1D });
  assert.throws(
    () => nan.host.pair([1], [2]),
    /distance 'nan' of two vectors as it gave null, not a number/,
  );
  const nanHost = distance({ name: "nanHost", rows: nan.rows, host: () => NaN });
  assert.throws(() => nanHost.host.pair([1], [2]), /distance 'nanHost'/);
  const badMatrix = distance({ name: "bm", rows: nan.rows, matrix: (x) => x });
  assert.throws(
    () => badMatrix.matrix(a, t2([[1, 2]])),
    /'bm' of all pairs as its matrix function must return a \[2, 1\] tensor: it returned shape \[2,2\]/,
  );
  tf.dispose(a);
});

Deno.test("distances: records are frozen (a distance cannot be changed behind a model's back)", () => {
  assert.throws(() => {
    (euclidean as { name: string }).name = "cosine";
  }, TypeError);
  assert.throws(() => {
    (chebyshev.host as { kind: string }).kind = "euclidean";
  }, TypeError);
});

Deno.test("cosine: a zero row has distance 1 and gradient 0 (never NaN), in rows and matrix", () => {
  // tf.norm's gradient at a zero row is 0/0: the old form gave NaN gradients to every loss using
  // cosine (and a floored norm alone would give ~1e12). Other rows keep the analytic gradient.
  const a = tf.tensor2d([[0, 0, 0], [1, 2, 3]]);
  const b = tf.tensor2d([[1, 0, 0], [1, 0, 1]]);
  assertClose(cosine.rows(a, b).dataSync(), [1, 1 - 4 / (Math.sqrt(14) * Math.sqrt(2))], 1e-6);
  const g = tf.grad((x: tf.Tensor) => tf.sum(cosine.rows(x as Tensor2D, b)))(a)
    .arraySync() as number[][];
  assert.deepEqual(g[0].map(Math.abs), [0, 0, 0]);
  // ∂(1 − a·b/‖a‖‖b‖)/∂a = −(b/(‖a‖‖b‖) − s·a/‖a‖²) for the live row
  const s = 4 / (Math.sqrt(14) * Math.sqrt(2));
  const want = [1, 0, 1].map((bv, k) =>
    -(bv / (Math.sqrt(14) * Math.sqrt(2)) - (s * [1, 2, 3][k]) / 14)
  );
  assertClose(g[1], want, 1e-5);
  const gm = tf.grad((x: tf.Tensor) => tf.sum(cosine.matrix(x as Tensor2D, b)))(a)
    .arraySync() as number[][];
  assert.deepEqual(gm[0].map(Math.abs), [0, 0, 0]);
  assert.ok(gm.flat().every(Number.isFinite));
  tf.dispose([a, b]);
});
