import type { LayersModel, Optimizer, Scalar } from "../types.ts";

/**
 * What the training loop needs from a compiled program: one optimiser step per batch, the
 * learning rate, and the models and optimizer whose state checkpoints save. A `Program`
 * from `compile` has all of these; any object with them (a hand-written tfjs model, a test
 * fake) trains too.
 *
 * `trainStep` runs one optimiser step on `batch` and returns the loss, which the caller
 * disposes; it does not dispose the batch.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import type { TrainableProgram } from "./trainable_program.ts";
 *
 * await tf.setBackend("cpu");
 * // one unit, kernel (1, 1), bias 0: an input of ones embeds as 2
 * const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1, kernelInitializer: "ones" })] });
 * const optimizer = tf.train.sgd(0.1);
 * const program: TrainableProgram<tf.Tensor2D> = {
 *   embedder,
 *   optimizer,
 *   setLearningRate: (lr) => { optimizer.setLearningRate(lr); },
 *   trainStep: (x) =>
 *     optimizer.minimize(() => tf.mean(tf.square(embedder.apply(x) as tf.Tensor)), true)!,
 * };
 * const x = tf.ones([4, 2]) as tf.Tensor2D;
 * const loss = program.trainStep(x);
 * // loss (1 + 1 + 0)² = 4; its gradient 2·2 = 4 for each weight: 1 − 0.1·4 = 0.6, bias −0.4
 * if (loss.rank !== 0 || loss.dataSync()[0] !== 4) throw new Error(`${loss.dataSync()}`);
 * const [kernel, bias] = embedder.getWeights().map((w) => [...w.dataSync()].map((v) => v.toFixed(6)));
 * if (kernel.join() !== "0.600000,0.600000" || bias.join() !== "-0.400000") throw new Error(`${kernel} ${bias}`);
 * tf.dispose([loss, x]);
 * embedder.dispose();
 * ```
 */
export interface TrainableProgram<B = unknown> {
  /** One optimiser step on `batch`; returns the loss scalar (the caller disposes it). */
  trainStep(batch: B): Scalar;
  /** Sets the optimiser's learning rate for the following steps. */
  setLearningRate(learningRate: number): void;
  /** The optimiser (its slots are saved in checkpoints). */
  readonly optimizer: Optimizer;
  /** The shared branch: one input item to one embedding row. */
  readonly embedder: LayersModel;
  /** The loss head, when the loss has weights of its own (e.g. the BCE pair head). */
  readonly head?: LayersModel;
}
