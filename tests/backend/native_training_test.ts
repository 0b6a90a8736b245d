// A full vgg triplet training step on `native` matches `wasm`; no tensor or memory growth.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../../lib/backend/mod.ts";
import { vgg } from "../../lib/backbones/mod.ts";
import { l2Normalize, triplet } from "../../lib/branches/mod.ts";
import { compile } from "../../lib/compile/mod.ts";
import { tripletMargin } from "../../lib/losses/mod.ts";
import { pipe } from "../../lib/pipe.ts";
import { batchNormTrainName } from "../../lib/backend/_fused_kernels.ts";
import { Adam } from "../../lib/compile/_adam.ts";
import "../../lib/compile/_batch_norm_layer.ts"; // the gradient of the batch-norm kernel
import { maxAbsDiff, skipReason, useNative } from "./_native.ts";

const ignore = skipReason !== undefined;

async function train(backend: "wasm" | "native", steps: number) {
  if (backend === "native") await useNative();
  else await useBackend("wasm");
  // No dropout: both backends must see the same network; weights from the same seed.
  const model = triplet(pipe(vgg({ dropout: 0 }), l2Normalize()));
  // Plain SGD: Adam's first steps are ±learning rate wherever a gradient is ~0, so they
  // would magnify rounding differences of gradients that are zero in exact arithmetic.
  const program = compile({
    model,
    loss: tripletMargin(),
    inputShape: [28, 28, 1],
    seed: 3,
    optimizer: "sgd",
    learningRate: 0.05,
  });
  const x = (seed: number) => tf.randomUniform([8, 28, 28, 1], 0, 1, "float32", seed);
  const batch = { kind: "triplet" as const, anchor: x(1), positive: x(2), negative: x(3) };
  const losses: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < steps; i++) {
    const loss = program.trainStep(batch);
    losses.push((await loss.data())[0]);
    loss.dispose();
    counts.push(tf.memory().numTensors);
  }
  const weights = await Promise.all(program.trainableWeights().map((w) => w.data()));
  const embedding = program.embed(batch.anchor);
  const embedded = await embedding.data();
  tf.dispose([embedding, batch.anchor, batch.positive, batch.negative]);
  program.dispose();
  return { losses, counts, weights, embedded };
}

Deno.test({
  name: "native: vgg triplet training matches wasm, tensor count flat",
  ignore,
  fn: async () => {
    await useBackend("wasm");
    const before = tf.memory().numTensors;
    const wasm = await train("wasm", 4);
    const native = await train("native", 4);
    const lossDiff = maxAbsDiff(native.losses, wasm.losses);
    const weightDiff = Math.max(...native.weights.map((w, i) => maxAbsDiff(w, wasm.weights[i])));
    const embedDiff = maxAbsDiff(native.embedded, wasm.embedded);
    console.log(
      `native vs wasm over 4 steps: losses ${native.losses.map((v) => v.toFixed(6))} vs ` +
        `${wasm.losses.map((v) => v.toFixed(6))}; max |Δloss| ${lossDiff.toExponential(2)}, ` +
        `max |Δweight| ${weightDiff.toExponential(2)}, max |Δembedding| ${
          embedDiff.toExponential(2)
        }`,
    );
    assert.ok(lossDiff < 1e-4, `loss differs by ${lossDiff}`);
    assert.ok(weightDiff < 1e-3, `weights differ by ${weightDiff}`);
    assert.ok(embedDiff < 5e-3, `embeddings differ by ${embedDiff}`);
    assert.ok(native.losses[3] < native.losses[0], "training should lower the loss");
    assert.deepEqual(native.counts, native.counts.map(() => native.counts[0]), "tensor count");
    assert.equal(tf.memory().numTensors, before, "tensors left after dispose");
  },
});

Deno.test({
  name: "native: 1,000 steps of a small conv/batch-norm/Adam loop keep tensors and RSS flat",
  ignore,
  fn: async () => {
    await useNative();
    const x = tf.randomUniform([4, 12, 12, 3], -1, 1, "float32", 1) as tf.Tensor4D;
    const w = tf.variable(tf.randomUniform([3, 3, 3, 8], -1, 1, "float32", 2) as tf.Tensor4D);
    const d = tf.variable(tf.randomUniform([6 * 6 * 8, 4], -1, 1, "float32", 3) as tf.Tensor2D);
    const gamma = tf.variable(tf.ones([8]));
    const beta = tf.variable(tf.zeros([8]));
    const mask = tf.randomUniform([4, 1, 1, 8], 0, 2, "float32", 4);
    // Adam and the fused kernels: batch norm (batch statistics), ReLU's gradient, the
    // channel-broadcast multiply of spatial dropout.
    const optimizer = new Adam(1e-4, 0.9, 0.999);
    const step = () => {
      const loss = optimizer.minimize(() => {
        const c = tf.conv2d(x, w, 1, "same");
        const [n] = tf.engine().runKernel(
          batchNormTrainName,
          { x: c, scale: gamma, offset: beta },
          {
            epsilon: 1e-3,
          },
        ) as tf.Tensor[];
        const y = tf.mul(tf.relu(n), mask) as tf.Tensor4D;
        const p = tf.maxPool(y, 2, 2, "valid").reshape([4, -1]) as tf.Tensor2D;
        return tf.mean(tf.square(tf.matMul(p, d)));
      }, true)!;
      loss.dispose();
    };
    for (let i = 0; i < 100; i++) step();
    const tensors = tf.memory().numTensors;
    const rss = Deno.memoryUsage().rss;
    for (let i = 0; i < 1000; i++) step();
    const growth = Deno.memoryUsage().rss - rss;
    console.log(`RSS growth over 1,000 steps: ${(growth / 2 ** 20).toFixed(1)} MiB`);
    assert.equal(tf.memory().numTensors, tensors, "tensor count");
    assert.ok(growth < 32 * 2 ** 20, `RSS grew by ${(growth / 2 ** 20).toFixed(1)} MiB`);
    tf.dispose([x, w, d, gamma, beta, mask]);
    optimizer.dispose();
  },
});
