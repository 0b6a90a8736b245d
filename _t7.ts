import * as tf from "@tensorflow/tfjs";
import { useBackend } from "./lib/backend/mod.ts";
await useBackend("wasm");
function time(name: string, f: () => tf.Tensor | tf.Tensor[]) {
  const run = () => { const r = f(); const rs = Array.isArray(r) ? r : [r]; rs.forEach((t) => t.dataSync()); rs.forEach((t) => t.dispose()); };
  for (let i = 0; i < 2; i++) run();
  const ts = [];
  for (let i = 0; i < 9; i++) { const t0 = performance.now(); run(); ts.push(performance.now() - t0); }
  ts.sort((a, b) => a - b);
  console.log(name.padEnd(40), ts[4].toFixed(2), "ms");
}
for (const [n, h, ci, co] of [[96, 28, 1, 8], [96, 28, 8, 8], [96, 14, 16, 16], [96, 7, 32, 32], [384, 28, 8, 8]]) {
  const x = tf.randomNormal([n, h, h, ci]) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, ci, co]) as tf.Tensor4D;
  const g = tf.grads((x: tf.Tensor4D, w: tf.Tensor4D) => tf.conv2d(x, w, 1, "same"));
  time(`conv grads x,w ${[n,h,ci,co]}`, () => g([x, w]));
  const gw = tf.grad((w: tf.Tensor4D) => tf.conv2d(x, w, 1, "same"));
  time(`conv grad w ${[n,h,ci,co]}`, () => gw(w));
}
const x = tf.randomNormal([96, 28, 28, 8]) as tf.Tensor4D;
const gp = tf.grad((x: tf.Tensor4D) => tf.maxPool(x, 2, 2, "valid"));
time("maxpool grad", () => gp(x));
