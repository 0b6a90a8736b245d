import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../../lib/backend/mod.ts";
await useBackend("wasm");
const D = 32, N = 100_000;
const cols = new Float32Array(D * 8192).map(() => Math.random());
for (const [nb, n] of [[256, 8192], [1024, 8192], [1024, 2048], [2048, 4096]]) {
  const block = new Float32Array(nb * D).map(() => Math.random());
  const reps = Math.round(N / n);
  let mm = 0, sync = 0, scan = 0;
  const t0 = performance.now();
  const qt = tf.tensor2d(block, [nb, D]);
  for (let r = 0; r < reps; r++) {
    let a = performance.now();
    const ct = tf.tensor2d(cols.subarray(0, D * n), [D, n]);
    const p = tf.matMul(qt, ct);
    // force compute
    let b = performance.now(); mm += b - a;
    const s = p.dataSync(); p.dispose(); ct.dispose();
    a = performance.now(); sync += a - b;
    let w = 0;
    for (let i = 0; i < s.length; i++) if (s[i] < w) w = s[i];
    b = performance.now(); scan += b - a;
  }
  qt.dispose();
  const tot = performance.now() - t0;
  console.log(`nb=${nb} n=${n}: per 1000 q @100k: total ${(tot * 1000 / nb).toFixed(0)}ms mm ${(mm * 1000 / nb).toFixed(0)} sync ${(sync * 1000 / nb).toFixed(0)} scan ${(scan * 1000 / nb).toFixed(0)}`);
}
