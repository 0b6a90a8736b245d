import * as tf from "@tensorflow/tfjs";
import { useBackend } from "./lib/backend/mod.ts";
await useBackend("wasm");
const x = tf.randomNormal([96, 28, 28, 8]);
const c = tf.randomNormal([8]);
function time(name: string, f: () => tf.Tensor) {
  for (let i = 0; i < 3; i++) f().dispose();
  const ts = [];
  for (let i = 0; i < 15; i++) { const t0 = performance.now(); const r = f(); r.dataSync(); ts.push(performance.now() - t0); r.dispose(); }
  ts.sort((a, b) => a - b);
  console.log(name.padEnd(30), ts[7].toFixed(2), "ms (min", ts[0].toFixed(2) + ")");
}
time("identity", () => tf.clone(x));
time("mul bcast [8]", () => tf.mul(x, c));
time("mul same", () => tf.mul(x, x));
time("sum 012", () => tf.sum(x, [0, 1, 2]));
time("transpose 2d", () => tf.transpose(tf.reshape(x, [-1, 8])));
time("sum axis0 of 2d", () => tf.sum(tf.reshape(x, [-1, 8]), 0));
time("matmul ones", () => tf.matMul(tf.ones([1, 75264]), tf.reshape(x, [-1, 8])));
time("relu", () => tf.relu(x));
const a = tf.randomNormal([96, 1568]); const b = tf.randomNormal([1568, 256]);
time("matmul 96x1568x256", () => tf.matMul(a, b));
time("tile", () => tf.tile(tf.reshape(c, [1,1,1,8]), [96,28,28,1]));
const w = tf.randomNormal([3,3,8,8]) as tf.Tensor4D;
time("conv fwd", () => tf.conv2d(x as tf.Tensor4D, w, 1, "same"));
time("maxpool", () => tf.maxPool(x as tf.Tensor4D, 2, 2, "valid"));
