import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../../lib/backend/mod.ts";
await useBackend("wasm");
const D = 33, n = 8192, G = 64, k = 5;
const colT = tf.randomUniform([D, n]) as tf.Tensor2D;
for (const nb of [256, 1024]) {
  const q = tf.randomUniform([nb, D]) as tf.Tensor2D;
  let mm = 0, mx = 0, tk = 0, ga = 0, sy = 0;
  const reps = 8;
  for (let r = 0; r < reps; r++) {
    let a = performance.now();
    const p = tf.matMul(q, colT);
    let b = performance.now(); mm += b - a;
    const p3 = tf.reshape(p, [nb, n / G, G]);
    const m = tf.max(p3, 2);
    a = performance.now(); mx += a - b;
    const { values, indices } = tf.topk(m, k, true);
    b = performance.now(); tk += b - a;
    const gi = indices.dataSync() as Int32Array; const fl = new Int32Array(gi.length); for (let i = 0; i < gi.length; i++) fl[i] = Math.floor(i / k) * (n / G) + gi[i]; const flat = tf.tensor1d(fl, 'int32');
    const s = tf.gather(tf.reshape(p, [nb * n / G, G]), flat.reshape([-1]));
    a = performance.now(); ga += a - b;
    s.dataSync(); indices.dataSync();
    b = performance.now(); sy += b - a;
    tf.dispose([p, p3, m, values, indices, s]);
  }
  console.log(`nb=${nb} per chunk: mm ${(mm / reps).toFixed(1)} max ${(mx / reps).toFixed(1)} topk ${(tk / reps).toFixed(1)} gather ${(ga / reps).toFixed(1)} sync ${(sy / reps).toFixed(1)} ms`);
  q.dispose();
}
