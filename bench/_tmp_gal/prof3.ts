import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../../lib/backend/mod.ts";
await useBackend("wasm");
const D = 33, n = 8192;
const cols = new Float32Array(D * n).map(() => Math.random());
const colT = tf.tensor2d(cols, [D, n]);
for (const nb of [1, 256, 1024]) {
  const q = tf.randomUniform([nb, D]) as tf.Tensor2D;
  let up = 0, mm = 0, tk = 0, sy = 0;
  const reps = 12;
  for (let r = 0; r < reps; r++) {
    let a = performance.now();
    const c = tf.tensor2d(cols, [D, n]);
    let b = performance.now(); up += b - a;
    const p = tf.matMul(q, colT);
    a = performance.now(); mm += a - b;
    const { values, indices } = tf.topk(p, 5, true);
    b = performance.now(); tk += b - a;
    values.dataSync(); indices.dataSync();
    a = performance.now(); sy += a - b;
    tf.dispose([c, p, values, indices]);
  }
  console.log(`nb=${nb} per chunk: upload ${(up / reps).toFixed(2)} mm ${(mm / reps).toFixed(2)} topk ${(tk / reps).toFixed(2)} sync ${(sy / reps).toFixed(2)} ms`);
  q.dispose();
}
