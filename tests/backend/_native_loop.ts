// Run by native_training_test.ts in a fresh process: 100 warm-up steps, then 2 × 1,000 steps of a
// small training loop through conv, the fused batch norm, ReLU, the dropout multiply, max pool,
// matmul and Adam on native; prints one JSON line with RSS, wasm heap and tensor counts.
import * as tf from "@tensorflow/tfjs";
import { fusedBatchNormTrain, fusedRelu } from "../../lib/backend/mod.ts";
import { Adam } from "../../lib/compile/_adam.ts";
import { useNative } from "./_native.ts";

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
    const n = fusedBatchNormTrain(c, gamma, beta, 1e-3)!.y;
    const y = tf.mul(fusedRelu(n), mask) as tf.Tensor4D;
    const p = tf.maxPool(y, 2, 2, "valid").reshape([4, -1]) as tf.Tensor2D;
    return tf.mean(tf.square(tf.matMul(p, d)));
  }, true)!;
  loss.dispose();
};
for (let i = 0; i < 100; i++) step();
const heap = () =>
  (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.byteLength;
// Collect JS garbage first where allowed (--v8-flags=--expose-gc): RSS should show leaks only.
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
gc();
const tensorsBefore = tf.memory().numTensors;
const heapBefore = heap();
const jsHeap = Deno.memoryUsage().heapUsed;
// Two phases of 1,000 steps. V8 enlarging its own heap (heapTotal) accounts for most RSS
// growth and flattens out; memory outside V8's heap (oneDNN, OpenBLAS, the wasm heap, Deno's
// buffers) is RSS − heapTotal, and a per-step leak there shows in the second phase as much as
// in the first.
const outside = () => {
  const m = Deno.memoryUsage();
  return { rss: m.rss, outside: m.rss - m.heapTotal };
};
const phase = () => {
  const before = outside();
  for (let i = 0; i < 1000; i++) step();
  gc();
  const after = outside();
  return { rss: after.rss - before.rss, outside: after.outside - before.outside };
};
const first = phase();
const second = phase();
const result = {
  rssGrowth: first.rss,
  outsideGrowth: [first.outside, second.outside],
  heapGrowth: heap() - heapBefore,
  jsHeapGrowth: Deno.memoryUsage().heapUsed - jsHeap,
  tensorsBefore,
  tensorsAfter: tf.memory().numTensors,
};
tf.dispose([x, w, d, gamma, beta, mask]);
optimizer.dispose();
console.log(JSON.stringify(result));
