// The webgpu batch-norm kernels against cpu, and the host cost they remove: a webgpu training
// step must not fill and upload batch-sized arrays from the host (tfjs's Mean gradient does,
// `ones(x.shape)`, when batch norm falls back to tf.moments). Needs a WebGPU adapter (on
// Debian, mesa-vulkan-drivers gives a software one); ignored without.
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { fusedBatchNormTrain, useBackend } from "../../lib/backend/mod.ts";
import { missing } from "../_require.ts";
import { randomSpec } from "./_compare.ts";
import { compile } from "../../lib/compile/mod.ts";
import { pipe } from "../../lib/pipe.ts";
import { vgg } from "../../lib/backbones/mod.ts";
import { embedding, l2Normalize, triplet } from "../../lib/branches/mod.ts";
import { tripletMargin } from "../../lib/losses/mod.ts";

const gpu = (globalThis.navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
const adapter = gpu === undefined ? null : await gpu.requestAdapter().catch(() => null);
const reason = gpu === undefined ? "navigator.gpu is undefined" : "navigator.gpu gave no adapter";
const ignore = missing(
  "webgpu",
  adapter === null || adapter === undefined
    ? `${reason} (install a Vulkan driver, e.g. mesa-vulkan-drivers)`
    : undefined,
);

/** y, mean, variance and the gradients of Σ y·w for x, scale, offset, as plain arrays. */
async function batchNormAndGrads(
  backend: "webgpu" | "cpu",
  shape: number[],
  epsilon: number,
  fused: boolean,
): Promise<Float32Array[]> {
  await useBackend(backend);
  const before = tf.memory().numTensors;
  const c = shape[shape.length - 1];
  const t = (s: number[], seed: number, k = 1, add = 0) =>
    tf.tensor(randomSpec(s, seed).values.map((v) => v * k + add), s);
  // An offset per element so that the mean is far from 0 (tests the two-pass variance).
  const x = t(shape, 1, 3, 2);
  const scale = t([c], 2, 1, 1.5);
  const offset = t([c], 3);
  const w = t(shape, 4);
  const f = (xi: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
    let y: tf.Tensor;
    if (fused) {
      const r = fusedBatchNormTrain(xi, s, o, epsilon);
      if (r === undefined) throw new Error(`no fused batch norm on ${backend}`);
      tf.dispose([r.mean, r.variance]);
      y = r.y;
    } else {
      const axes = shape.slice(0, -1).map((_, i) => i);
      const { mean, variance } = tf.moments(xi, axes);
      y = tf.batchNorm(xi, mean, variance, o as tf.Tensor1D, s as tf.Tensor1D, epsilon);
    }
    return tf.sum(tf.mul(y, w));
  };
  const g = tf.grads((a, b, d) => f(a, b, d))([x, scale, offset]);
  let stats: tf.Tensor[];
  if (fused) {
    const r = fusedBatchNormTrain(x, scale, offset, epsilon)!;
    stats = [r.y, r.mean, r.variance];
  } else {
    const axes = shape.slice(0, -1).map((_, i) => i);
    const { mean, variance } = tf.moments(x, axes);
    stats = [
      tf.batchNorm(x, mean, variance, offset as tf.Tensor1D, scale as tf.Tensor1D, epsilon),
      mean,
      variance,
    ];
  }
  const out: Float32Array[] = [];
  for (const r of [...stats, ...g]) out.push((await r.data()) as Float32Array);
  tf.dispose([...stats, ...g, x, scale, offset, w]);
  assert.equal(tf.memory().numTensors, before, `${backend} leaked tensors`);
  return out;
}

Deno.test({
  name: "webgpu LikenessBatchNormTrain and its gradient match cpu's moments + batchNorm",
  ignore,
  async fn() {
    const names = ["y", "mean", "variance", "dx", "dScale", "dOffset"];
    for (const shape of [[5, 6, 7, 3], [9, 4], [2, 3, 3, 33]]) {
      const got = await batchNormAndGrads("webgpu", shape, 1e-3, true);
      const want = await batchNormAndGrads("cpu", shape, 1e-3, false);
      for (let k = 0; k < names.length; k++) {
        assert.equal(got[k].length, want[k].length, `${names[k]} length at [${shape}]`);
        let diff = 0;
        let scale = 0;
        for (let i = 0; i < want[k].length; i++) {
          diff = Math.max(diff, Math.abs(got[k][i] - want[k][i]));
          scale = Math.max(scale, Math.abs(want[k][i]));
        }
        assert.ok(
          diff <= 1e-4 * Math.max(1, scale),
          `${names[k]} at [${shape}]: max abs diff ${diff} (values up to ${scale})`,
        );
      }
    }
  },
});

Deno.test({
  name: "webgpu LikenessBatchNormTrain on an empty batch gives zeros, and rejects int32 input",
  ignore,
  async fn() {
    await useBackend("webgpu");
    const before = tf.memory().numTensors;
    const x = tf.zeros([0, 4]);
    const [scale, offset] = [tf.ones([4]), tf.zeros([4])];
    const r = fusedBatchNormTrain(x, scale, offset, 1e-3)!;
    assert.deepEqual(r.y.shape, [0, 4]);
    assert.deepEqual(Array.from(await r.mean.data()), [0, 0, 0, 0]);
    assert.deepEqual(Array.from(await r.variance.data()), [0, 0, 0, 0]);
    const xi = tf.zeros([2, 4], "int32");
    assert.throws(
      () => tf.engine().runKernel("LikenessBatchNormTrain", { x: xi, scale, offset }, {}),
      /x must be a float32 tensor: current dtype is int32/,
    );
    tf.dispose([x, xi, scale, offset, r.y, r.mean, r.variance]);
    assert.equal(tf.memory().numTensors, before);
  },
});

/** Bytes the host uploads to the GPU during one training step after a warm-up step. */
async function uploadedPerStep(triplets: number): Promise<number> {
  await useBackend("webgpu");
  const backend = tf.backend() as unknown as {
    uploadToGPU(dataId: object): void;
    tensorMap: { get(dataId: object): { resource?: unknown; values?: ArrayLike<number> | null } };
  };
  const inputs = [1, 2, 3].map((seed) =>
    tf.randomUniform([triplets, 8, 8, 1], 0, 1, "float32", seed) as tf.Tensor4D
  );
  const program = compile({
    model: triplet(
      pipe(vgg({ blocks: 1, filters: [4], dropout: 0, dense: 8 }), embedding(4), l2Normalize()),
    ),
    loss: tripletMargin({ margin: 1 }),
    inputShape: [8, 8, 1],
    seed: 1,
  });
  const batch = {
    kind: "triplet" as const,
    anchor: inputs[0],
    positive: inputs[1],
    negative: inputs[2],
  };
  const step = async () => {
    const loss = program.trainStep(batch);
    await loss.data();
    loss.dispose();
  };
  await step();
  let bytes = 0;
  const original = backend.uploadToGPU;
  backend.uploadToGPU = function (dataId: object) {
    const data = backend.tensorMap.get(dataId);
    if (data.resource == null && data.values != null) bytes += 4 * data.values.length;
    return original.call(this, dataId);
  };
  try {
    await step();
  } finally {
    backend.uploadToGPU = original;
    tf.dispose(inputs);
    program.dispose();
  }
  return bytes;
}

Deno.test({
  name: "a webgpu training step uploads no batch-sized arrays from the host",
  ignore,
  async fn() {
    const small = await uploadedPerStep(2);
    const large = await uploadedPerStep(16);
    // Scalars and per-weight constants only, about the same at 6 and 48 images: far below
    // one batch-sized activation (48 images × 8×8×4 floats = 49,152 bytes).
    const activation = 48 * 8 * 8 * 4 * 4;
    assert.ok(
      large < activation / 8 && Math.abs(large - small) < 1024,
      `uploaded ${small} bytes a step at 2 triplets, ${large} at 16`,
    );
  },
});
