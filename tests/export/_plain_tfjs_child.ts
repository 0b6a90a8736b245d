// Loads an exported embedder with stock TensorFlow.js only — no likeness import — as a user's
// program would, and embeds the inputs given. Run in a fresh process by the export tests:
//   deno run --allow-read _plain_tfjs_child.ts <model.json> <inputs.f32> <out.f32> <comma-shape>
// Prints the model's userDefinedMetadata as JSON on stdout.
import * as tf from "@tensorflow/tfjs";

const [modelPath, inputPath, outputPath, shapeText] = Deno.args;
await tf.setBackend("cpu");
const url = new URL(`file://${modelPath}`).href;
const model = await tf.loadLayersModel(tf.io.http(url, { fetchFunc: fetch }));
const shape = shapeText.split(",").map(Number);
const x = tf.tensor(new Float32Array((await Deno.readFile(inputPath)).buffer), shape);
const y = model.predict(x) as tf.Tensor;
await Deno.writeFile(outputPath, new Uint8Array((y.dataSync() as Float32Array).buffer));
console.log(JSON.stringify({
  classes: model.layers.map((l) => l.getClassName()),
  metadata: model.getUserDefinedMetadata(),
}));
