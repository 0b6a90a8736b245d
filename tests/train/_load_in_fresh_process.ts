/**
 * Run as a subprocess by save_model_test.ts: loads the model saved in Deno.args[0] (a fresh
 * process: only loadModel's own imports register layers) and prints its embedding of a ones
 * batch and its metadata as JSON.
 */
import * as tf from "@tensorflow/tfjs";
import { loadModel } from "../../lib/train/mod.ts";

await tf.setBackend("cpu");
const model = await loadModel(Deno.args[0]);
const shape = [2, ...model.metadata.inputShape];
const x = tf.ones(shape);
const y = model.embed(x);
console.log(JSON.stringify({ embedding: Array.from(y.dataSync()), metadata: model.metadata }));
