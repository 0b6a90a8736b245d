// Exports a small embedder into Deno.args[0] over and over (overwrite: true), printing
// "ready" once, until the export tests kill it with SIGKILL.
import * as tf from "@tensorflow/tfjs";
import { exportEmbedder } from "../../lib/export/mod.ts";

await tf.setBackend("cpu");
const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [64], units: 256 })] });
let i = 0;
await exportEmbedder(embedder, Deno.args[0], { overwrite: true, format: "both", threshold: i });
console.log("ready");
for (;;) {
  i += 1;
  await exportEmbedder(embedder, Deno.args[0], { overwrite: true, format: "both", threshold: i });
}
