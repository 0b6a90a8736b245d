// Child process of tests/train/history_log_test.ts: trains a one-weight program through
// `fit` with `historyLog` until it is killed (or for `steps` steps), printing "started"
// once the log is open.
import * as tf from "@tensorflow/tfjs";
import { fit } from "../../lib/train/fit.ts";
import { historyLog } from "../../lib/train/history_log.ts";

const [path, mode, steps] = Deno.args;
await tf.setBackend("cpu");
const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });
const program = {
  embedder,
  optimizer: tf.train.sgd(0.1),
  setLearningRate: () => {},
  trainStep: (x: tf.Tensor) => tf.mean(x) as tf.Scalar,
};
function* batches() {
  for (let i = 1;; i++) yield tf.fill([2, 1], i);
}
const validation = { every: 5, run: ({ step }: { step: number }) => ({ score: step }) };
const run = historyLog(path, { config: { seed: 1, mode }, append: mode === "append" })(
  fit(program, batches(), { steps: Number(steps), stepsPerEpoch: 7, validation, progress: "none" }),
);
let said = false;
for await (const _ of run) {
  if (!said) {
    console.log("started");
    said = true;
  }
}
