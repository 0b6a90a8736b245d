import * as tf from "@tensorflow/tfjs";
import { useBackend } from "./lib/backend/mod.ts";
await useBackend("cpu");
const x = tf.randomNormal([1,7,7,2],0,1,"float32",5) as tf.Tensor4D;
const r = tf.randomNormal([1,4,4,2],0,1,"float32",6);
const g = tf.grad((x: tf.Tensor4D) => tf.mul(tf.maxPool(x, 2, 2, "same"), r));
const out: Float32Array[] = [];
for (const b of ["wasm", "cpu"] as const) { await useBackend(b); out.push(g(x).dataSync() as Float32Array); }
let m = 0; for (let i = 0; i < out[0].length; i++) m = Math.max(m, Math.abs(out[0][i]-out[1][i])); console.log("grad path diff", m);
