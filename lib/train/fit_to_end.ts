import { type Batches, fit, type FitOptions, type History } from "./fit.ts";
import type { TrainableProgram } from "./trainable_program.ts";
import { historyLog, type HistoryLogOptions } from "./history_log.ts";
import type { LazyBatches } from "./chain/lazy_batches.ts";

/**
 * Options of {@linkcode fitToEnd}: {@linkcode FitOptions}, and where to log the run.
 *
 * @example
 * ```ts
 * import type { FitToEndOptions } from "./fit_to_end.ts";
 * const options: FitToEndOptions = { epochs: 2, history: { path: "runs/a/history.jsonl", append: true } };
 * if (options.history?.path !== "runs/a/history.jsonl") throw new Error("history");
 * ```
 */
export interface FitToEndOptions extends FitOptions {
  /**
   * Write every step and validation to a `history.jsonl` at `path` as {@linkcode historyLog}
   * does (`append` to continue a resumed run's log, `overwrite` to replace one).
   */
  readonly history?: { readonly path: string } & HistoryLogOptions;
}

/**
 * Runs {@linkcode fit} to its end and returns the {@linkcode History}: for when the step
 * reports are not needed (the progress display still shows them). With `options.history`
 * the run is also logged to a `history.jsonl`.
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
  batches: Batches<B> | LazyBatches<unknown, B>,
  options: FitToEndOptions = {},
): Promise<History> {
  const { history, ...fitOptions } = options;
  const run = history === undefined
    ? fit(program, batches, fitOptions)
    : historyLog(history.path, history)(fit(program, batches, fitOptions));
  let result = await run.next();
  while (!result.done) result = await run.next();
  return result.value;
}
