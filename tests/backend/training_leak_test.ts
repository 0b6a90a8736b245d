// 50 training steps of a small conv net on wasm leave the tensor count unchanged.
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { useBackend } from "../../lib/backend/mod.ts";

Deno.test("50 training steps on wasm leave tf.memory().numTensors unchanged", async () => {
  await useBackend("wasm");
  const input = tf.input({ shape: [12, 12, 1] });
  let h = tf.layers.conv2d({
    filters: 4,
    kernelSize: 3,
    padding: "same",
    kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
  })
    .apply(input) as tf.SymbolicTensor;
  h = tf.layers.batchNormalization().apply(h) as tf.SymbolicTensor;
  h = tf.layers.activation({ activation: "relu" }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.dropout({
    rate: 0.1,
    noiseShape: [null, 1, 1, 4] as unknown as number[],
    seed: 2, // deterministic test (tfjs draws the same mask each step with a seed)
  }).apply(
    h,
  ) as tf.SymbolicTensor;
  h = tf.layers.maxPooling2d({ poolSize: 2 }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.flatten().apply(h) as tf.SymbolicTensor;
  const out = tf.layers.dense({
    units: 8,
    kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
  })
    .apply(h) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  const optimizer = tf.train.adam(1e-2);
  const images = tf.randomUniform([6, 12, 12, 1], 0, 1, "float32", 4);
  const step = () =>
    tf.tidy(() => {
      const loss = optimizer.minimize(() => {
        const e = model.apply(images, { training: true }) as tf.Tensor2D;
        const [a, p, n] = tf.split(e, 3, 0);
        const d = (u: tf.Tensor, v: tf.Tensor) =>
          tf.sqrt(tf.add(tf.sum(tf.square(tf.sub(u, v)), 1), 1e-12));
        // Soft triplet loss: never exactly zero, so the decrease below is meaningful.
        return tf.mean(tf.softplus(tf.add(tf.sub(d(a, p), d(a, n)), 1))) as tf.Scalar;
      }, true)!;
      return loss;
    });
  step().dispose(); // creates Adam's slots once
  const tensors = tf.memory().numTensors;
  const bytes = tf.memory().numBytes;
  const losses: number[] = [];
  for (let i = 0; i < 50; i++) {
    const loss = step();
    losses.push((await loss.data())[0]);
    loss.dispose();
  }
  assert.equal(tf.memory().numTensors, tensors);
  assert.equal(tf.memory().numBytes, bytes);
  assert.ok(losses.every(Number.isFinite), "every loss is finite");
  const head = losses.slice(0, 5).reduce((x, y) => x + y) / 5;
  const tail = losses.slice(-5).reduce((x, y) => x + y) / 5;
  assert.ok(tail < head, `training lowers the loss: ${head} → ${tail}`);
  images.dispose();
  model.dispose();
  optimizer.dispose();
});
