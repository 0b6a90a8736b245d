import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../../lib/backend/mod.ts";
await useBackend("wasm");
const D = 33, N = 100_000;
for (const [nb, n, k] of [[256, 8192, 5], [1024, 8192, 5], [1024, 4096, 5], [1024, 16384, 5], [1024, 8192, 50]]) {
  const cols = tf.randomUniform([D, n]);
  const qt = tf.randomUniform([nb, D]);
  const reps = Math.round(N / n);
  for (let rep = 0; rep < 2; rep++) {
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) {
    const { values, indices } = tf.tidy(() => tf.topk(tf.matMul(qt, cols), k));
    values.dataSync(); indices.dataSync(); values.dispose(); indices.dispose();
  }
  const tot = performance.now() - t0;
  console.log(`nb=${nb} n=${n} k=${k}: per 1000 q @100k: total ${(tot * 1000 / nb).toFixed(0)}ms`);
  }
  cols.dispose(); qt.dispose();
}
const qt = tf.randomUniform([1024, D]); const cols = tf.randomUniform([D, 8192]);
let t0 = performance.now(); for (let r = 0; r < 12; r++) { const p = tf.matMul(qt, cols); p.dispose(); } console.log("mm only", ((performance.now() - t0) * 1000 / 1024).toFixed(0));
