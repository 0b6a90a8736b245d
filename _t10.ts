import * as tf from "@tensorflow/tfjs";
import { useBackend } from "./lib/backend/mod.ts";
await useBackend("wasm");
console.log(tf.argMax(tf.tensor2d([[0,0,0,0],[1,3,3,0],[0,0,0,5]]), 1).arraySync());
const x = tf.tensor4d([[[[0],[0]],[[0],[0]]]]);
const gp = tf.grad((x: tf.Tensor4D) => tf.maxPool(x, 2, 2, "valid"));
console.log(gp(x).arraySync());
await useBackend("cpu");
console.log(gp(x).arraySync());
