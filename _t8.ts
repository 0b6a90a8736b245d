import * as tf from "@tensorflow/tfjs";
import { useBackend } from "./lib/backend/mod.ts";
import { conv2DBackpropFilter, conv2DBackpropFilterShift } from "./lib/backend/_conv_kernels.ts";
await useBackend("wasm");
function time(name: string, f: () => tf.Tensor | tf.Tensor[]) {
  const run = () => { const r = f(); const rs = Array.isArray(r) ? r : [r]; rs.forEach((t) => t.dataSync()); rs.forEach((t) => t.dispose()); };
  for (let i = 0; i < 2; i++) run();
  const ts = [];
  for (let i = 0; i < 9; i++) { const t0 = performance.now(); run(); ts.push(performance.now() - t0); }
  ts.sort((a, b) => a - b);
  return ts[4].toFixed(2);
}
const impls = { conv: conv2DBackpropFilter("wasm"), mm: conv2DBackpropFilterShift("wasm") };
for (const [n, h, ci, co, s] of [[96, 28, 1, 8, 1], [96, 28, 8, 8, 1], [96, 14, 8, 16, 1], [96, 14, 16, 16, 1], [96, 7, 32, 32, 1], [384, 28, 8, 8, 1], [96, 28, 8, 8, 2]]) {
  const x = tf.randomNormal([n, h, h, ci]) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, ci, co]) as tf.Tensor4D;
  const out: string[] = [];
  const res: Float32Array[] = [];
  for (const [k, f] of Object.entries(impls)) {
    tf.unregisterKernel("Conv2DBackpropFilter", "wasm");
    tf.registerKernel({ kernelName: "Conv2DBackpropFilter", backendName: "wasm", kernelFunc: f });
    const gw = tf.grad((w: tf.Tensor4D) => tf.conv2d(x, w, s, "same"));
    out.push(k + " " + time("", () => gw(w)));
    res.push(gw(w).dataSync() as Float32Array);
  }
  let m = 0; for (let i = 0; i < res[0].length; i++) m = Math.max(m, Math.abs(res[0][i] - res[1][i]));
  console.log([n, h, ci, co, s].join(","), out.join("  "), "diff", m);
}
