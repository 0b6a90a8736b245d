// Finite-difference check of the conv path on wasm: gradients that flow through the
// filled Conv2DBackpropFilter and the overridden Conv2DBackpropInput, MaxPoolGrad, Tile
// (batch-norm gradient) and BatchMatMul (dense gradient).
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { useBackend } from "./lib/backend/mod.ts";
import { seeded } from "./tests/backend/_compare.ts";

function values(shape: number[], seed: number, scale = 0.5): number[] {
  const next = seeded(seed);
  return Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => next() * scale);
}

Deno.test("wasm conv-net gradients match central finite differences", async () => {
  await useBackend((Deno.env.get("B") ?? "wasm") as "wasm");
  const before = tf.memory().numTensors;
  const xShape = [2, 7, 7, 2];
  const shapes = { w1: [3, 3, 2, 3], w2: [3, 3, 3, 4], dense: [4 * 4 * 4, 3] };
  const x = tf.tensor4d(values(xShape, 1, 1), xShape as [number, number, number, number]);
  const params = Object.fromEntries(
    Object.entries(shapes).map(([k, s], i) => [k, tf.tensor(values(s, 10 + i), s)]),
  ) as Record<keyof typeof shapes, tf.Tensor>;
  const f = (w1: tf.Tensor, w2: tf.Tensor, dense: tf.Tensor): tf.Scalar =>
    tf.tidy(() => {
      const h1 = tf.tanh(tf.conv2d(x, w1 as tf.Tensor4D, 1, "same"));
      const h2 = tf.conv2d(h1, w2 as tf.Tensor4D, 2, "same"); // stride 2: [2,4,4,4]
      const { mean, variance } = tf.moments(h2, [0, 1, 2]);
      // Explicit scale: tfjs cannot save an absent scale for the gradient.
      const normed = tf.batchNorm(h2, mean, variance, tf.zeros([4]), tf.ones([4]), 1e-3);
      const pooled = tf.maxPool(tf.sin(normed) as tf.Tensor4D, 2, 1, "same"); // overlapping: stock kernel
      const flat = tf.reshape(pooled, [2, 4 * 4 * 4]);
      return tf.sum(tf.square(tf.matMul(flat, dense as tf.Tensor2D)));
    });
  const grads = tf.grads((a, b, c) => f(a, b, c))([params.w1, params.w2, params.dense]);
  const analytic = await Promise.all(grads.map((g) => g.data()));
  grads.forEach((g) => g.dispose());
  const eps = 1e-2;
  let worst = 0;
  const names = Object.keys(shapes) as (keyof typeof shapes)[];
  for (const [pi, name] of names.entries()) {
    const base = await params[name].data();
    const next = seeded(100 + pi);
    for (let trial = 0; trial < 6; trial++) {
      const idx = Math.floor(((next() + 1) / 2) * base.length);
      const probe = async (delta: number) => {
        const moved = Float32Array.from(base);
        moved[idx] += delta;
        const t = tf.tensor(moved, params[name].shape);
        const args = names.map((n) => (n === name ? t : params[n]));
        const y = f(args[0], args[1], args[2]);
        const v = (await y.data())[0];
        y.dispose();
        t.dispose();
        return v;
      };
      const numeric = ((await probe(eps)) - (await probe(-eps))) / (2 * eps);
      const got = analytic[pi][idx];
      const err = Math.abs(got - numeric) / Math.max(1, Math.abs(numeric));
      worst = Math.max(worst, err);
      assert.ok(err < 2e-2, `${name}[${idx}]: analytic ${got}, finite difference ${numeric}`);
    }
  }
  console.log(`worst relative error vs finite differences: ${worst.toExponential(2)}`);
  x.dispose();
  Object.values(params).forEach((t) => t.dispose());
  assert.equal(tf.memory().numTensors, before);
});
