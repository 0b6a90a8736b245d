import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../../lib/backend/mod.ts";
await useBackend("wasm");
const D = 33, n = 8192, G = 64, k = 5, nb = 1024;
const colT = tf.randomUniform([D, n]) as tf.Tensor2D;
const q = tf.randomUniform([nb, D]) as tf.Tensor2D;
const A = () => { const p = tf.matMul(q, colT); const s = p.dataSync(); p.dispose(); let c = 0;
  for (let i = 0; i < nb; i++) { let thr = 1e9; const o = i * n; for (let j = 0; j < n; j++) if (s[o + j] < thr) { thr = s[o + j] + 0.0; c++; } } return c; };
const B = () => { const { values, indices } = tf.tidy(() => tf.topk(tf.matMul(q, colT), k)); values.dataSync(); indices.dataSync(); tf.dispose([values, indices]); };
const C = () => { const p = tf.matMul(q, colT); const m = tf.tidy(() => tf.max(tf.reshape(p, [nb, n / G, G]), 2)); const { values, indices } = tf.topk(m, k);
  const gi = indices.dataSync() as Int32Array; const fl = new Int32Array(gi.length); for (let i = 0; i < gi.length; i++) fl[i] = Math.floor(i / k) * (n / G) + gi[i];
  const s = tf.tidy(() => tf.gather(tf.reshape(p, [nb * n / G, G]), tf.tensor1d(fl, "int32"))); s.dataSync(); tf.dispose([p, m, values, indices, s]); };
const MM = () => { const p = tf.matMul(q, colT); p.dispose(); };
const t: Record<string, number> = { A: 0, B: 0, C: 0, MM: 0 };
for (let r = 0; r < 6; r++) for (const [name, f] of Object.entries({ A, B, C, MM })) { const a = performance.now(); f(); t[name] += performance.now() - a; }
console.log(Object.entries(t).map(([k, v]) => `${k} ${(v / 6).toFixed(0)}ms`).join("  "));
// direct view
// deno-lint-ignore no-explicit-any
const be = tf.backend() as any;
const view = (t: tf.Tensor) => { const d = be.dataIdMap.get(t.dataId); return new Float32Array(be.wasm.HEAPU8.buffer, d.memoryOffset, t.size); };
const A2 = () => { const p = tf.matMul(q, colT); const s = view(p); let c = 0;
  for (let i = 0; i < nb; i++) { let thr = 1e9; const o = i * n; for (let j = 0; j < n; j++) if (s[o + j] < thr) { thr = s[o + j] + 0.0; c++; } } p.dispose(); return c; };
const t2: Record<string, number> = { A: 0, A2: 0, MM: 0 };
for (let r = 0; r < 6; r++) for (const [name, f] of Object.entries({ A, A2, MM })) { const a = performance.now(); f(); t2[name] += performance.now() - a; }
console.log(Object.entries(t2).map(([k, v]) => `${k} ${(v / 6).toFixed(0)}ms`).join("  "));
