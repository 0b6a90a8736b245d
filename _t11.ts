import * as tf from "@tensorflow/tfjs";
import { useBackend } from "./lib/backend/mod.ts";
await useBackend("wasm");
function time(name: string, f: () => tf.Tensor) {
  for (let i = 0; i < 2; i++) f().dispose();
  const ts = [];
  for (let i = 0; i < 7; i++) { const t0 = performance.now(); const r = f(); r.dataSync(); ts.push(performance.now() - t0); r.dispose(); }
  ts.sort((a, b) => a - b); console.log(name.padEnd(30), ts[3].toFixed(2));
}
const a = tf.randomNormal([1, 72, 84000]); const b = tf.randomNormal([1, 84000, 8]);
time("mm 72xKx8", () => tf.matMul(a, b));
const bt = tf.randomNormal([1, 8, 84000]); const at = tf.randomNormal([1, 84000, 72]);
time("mm 8xKx72", () => tf.matMul(bt, at));
const xt = tf.randomNormal([8, 86000]);
time("slice col", () => tf.slice(xt, [0, 31], [8, 84000]));
const parts = Array.from({length: 9}, () => tf.randomNormal([8, 84000]));
time("concat 9", () => tf.concat(parts, 0));
const x2 = tf.randomNormal([86000, 8]);
time("transpose", () => tf.transpose(x2));
