// A stock tfjs model (tf.layers.batchNormalization + relu) and what it computes, for
// tests/compile/global_state_test.ts and global_state_native_test.ts. Imports tfjs only.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";

const C = 4;
const shape = [6, 3, 3, C];
/** Deterministic values in (−2, 2), with a NaN (ReLU's gradient there is NaN in tfjs). */
const values = (n: number, seed: number, nan = false) =>
  Array.from({ length: n }, (_, i) => (i === 5 && nan ? NaN : Math.sin(i * 12.9898 + seed) * 2));

/** Outputs and gradients of a stock `batchNormalization` + `relu` model, and of `tf.relu`. */
export async function stockRun(backend: string): Promise<Uint8Array[]> {
  assert.ok(await tf.setBackend(backend), backend);
  const before = tf.memory().numTensors;
  const input = tf.input({ shape: shape.slice(1) });
  const bn = tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-3 });
  const act = tf.layers.activation({ activation: "relu" });
  const model = tf.model({
    inputs: input,
    outputs: act.apply(bn.apply(input)) as tf.SymbolicTensor,
  });
  const start = [
    tf.tensor1d(values(C, 1).map((v) => 1 + v / 4)),
    tf.tensor1d(values(C, 2).map((v) => v / 4)),
    tf.tensor1d(values(C, 3)),
    tf.tensor1d(values(C, 4).map((v) => 1 + v * v)),
  ];
  model.setWeights(start);
  tf.dispose(start);
  const n = shape.reduce((a, b) => a * b, 1);
  const x = tf.tensor(values(n, 5), shape);
  const w = tf.tensor(values(n, 6), shape);
  const withNaN = tf.tensor(values(n, 7, true), shape);
  const train = (a: tf.Tensor) =>
    tf.sum(tf.mul(model.apply(a, { training: true }) as tf.Tensor, w));
  const { value, grads } = tf.variableGrads(() => train(x) as tf.Scalar);
  const dx = tf.grad((a: tf.Tensor) => train(a))(x);
  const inference = model.predict(x) as tf.Tensor;
  const reluGrad = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.relu(a), w)))(withNaN);
  const outs = [value, dx, inference, reluGrad, ...Object.values(grads), ...model.getWeights()];
  const bytes = await Promise.all(
    outs.map(async (t) => new Uint8Array((await t.data() as Float32Array).slice().buffer)),
  );
  tf.dispose([x, w, withNaN, value, dx, inference, reluGrad, ...Object.values(grads)]);
  model.dispose();
  assert.equal(tf.memory().numTensors, before, `stock model leaked on ${backend}`);
  return bytes;
}

/** What tfjs's registries hold for the kernels and classes the model uses. */
export function registries(): unknown[] {
  const map = tf.serialization.SerializationMap.getMap().classNameMap as Record<string, unknown[]>;
  return [
    ...["Relu", "FusedBatchNorm", "Step", "Multiply"].map((k) => tf.getGradient(k)?.gradFunc),
    map.BatchNormalization[0],
    map.Activation[0],
  ];
}

export function sameBits(label: string, got: Uint8Array[], want: Uint8Array[]): void {
  assert.equal(got.length, want.length, label);
  got.forEach((g, i) => assert.deepEqual(g, want[i], `${label}: output ${i} changed`));
}
