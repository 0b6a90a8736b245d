import { type Batches, fit, type FitOptions, type History } from "./fit.ts";
import type { TrainableProgram } from "./trainable_program.ts";

/**
 * Runs {@linkcode fit} to its end and returns the {@linkcode History}: for when the step
 * reports are not needed (the progress display still shows them).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fitToEnd } from "./fit_to_end.ts";
 *
 * await tf.setBackend("cpu");
 * const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });
 * const optimizer = tf.train.sgd(0.05);
 * const program = {
 *   embedder,
 *   optimizer,
 *   setLearningRate: (lr: number) => optimizer.setLearningRate(lr),
 *   trainStep: (x: tf.Tensor) =>
 *     optimizer.minimize(() => tf.mean(tf.square(embedder.apply(x) as tf.Tensor)), true)!,
 * };
 * // Three epochs of two batches each (an array is re-iterated every epoch).
 * const history = await fitToEnd(program, () => [tf.ones([2, 1]), tf.ones([2, 1])], {
 *   epochs: 3,
 *   progress: "none",
 * });
 * if (history.steps !== 6 || history.epochLoss.length !== 3) throw new Error("length");
 * // each epoch's loss is the mean of its two steps, and training lowers it
 * const [l, e] = [history.loss, history.epochLoss];
 * if (e[0] !== (l[0] + l[1]) / 2 || e[2] !== (l[4] + l[5]) / 2) throw new Error(`${e}`);
 * if (!(l[5] < l[0] && e[2] < e[0])) throw new Error(`the loss did not fall: ${l}`);
 * embedder.dispose();
 * ```
 */
export async function fitToEnd<B>(
  program: TrainableProgram<B>,
  batches: Batches<B>,
  options: FitOptions = {},
): Promise<History> {
  const run = fit(program, batches, options);
  let result = await run.next();
  while (!result.done) result = await run.next();
  return result.value;
}
