/**
 * likeness/train: the training loop and what it leaves behind.
 *
 * - {@linkcode fit}: train a compiled program on batches, as an async generator of step
 *   reports (epochs or steps, progress, history, validation, early stopping, learning-rate
 *   schedules, an `AbortSignal`, NaN/Inf detection, checkpoints and resume);
 *   {@linkcode fitToEnd} runs it to the end.
 * - `fit` is a preset chain: the minimal step stream {@linkcode steps} (one optimiser step per
 *   batch; it owns and frees every batch) through report-stream transformers, one file each —
 *   {@linkcode schedule}, {@linkcode finiteGuard}, {@linkcode validate},
 *   {@linkcode earlyStopping}, {@linkcode recordHistory}, {@linkcode checkpoints},
 *   {@linkcode showProgress} — composed with `pipe` or {@linkcode chain}; write your own with
 *   {@linkcode transformer}. {@linkcode fitSteps} gives fit's chain to extend.
 * - {@linkcode lazyBatches}: index batches plus their conversion to tensors, converted only for
 *   the step that trains on them, so resuming at step N builds no tensors for the first N.
 * - {@linkcode saveModel} / {@linkcode loadModel}: the embedding model in the TensorFlow.js
 *   layers format (`model.json` + `weights.bin`) with `metadata.json`, written atomically.
 * - {@linkcode saveCheckpoint} / {@linkcode loadCheckpoint} / {@linkcode latestCheckpoint}:
 *   the full training state, verified by SHA-256.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { cosineDecay, fitToEnd } from "./mod.ts";
 * await tf.setBackend("cpu");
 * const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });
 * const optimizer = tf.train.sgd(1);
 * const program = { embedder, optimizer, setLearningRate: (lr: number) => optimizer.setLearningRate(lr), trainStep: (x: tf.Tensor) => tf.mean(x) as tf.Scalar };
 * // half a cosine from 1 down to the floor 0.1 over 2 steps, then the floor: 1, 0.55, 0.1, 0.1
 * const rate = cosineDecay(1, { steps: 2, floor: 0.1 });
 * const history = await fitToEnd(program, () => [1, 2, 3, 4].map((v) => tf.fill([1, 1], v)), { learningRate: rate, progress: "none" });
 * if (history.learningRate.join() !== "1,0.55,0.1,0.1" || history.loss.join() !== "1,2,3,4") throw new Error(`${history.learningRate}`);
 * ```
 *
 * @module
 */
export * from "./cosine_decay.ts";
export * from "./fit.ts";
export * from "./fit_to_end.ts";
export * from "./latest_checkpoint.ts";
export * from "./load_checkpoint.ts";
export * from "./load_model.ts";
export * from "./save_checkpoint.ts";
export * from "./save_model.ts";
export * from "./trainable_program.ts";
export type { LayersModel, Optimizer, Scalar, Tensor, Tensor2D } from "../types.ts";
export * from "./history_log.ts";
export * from "./chain/steps.ts";
export * from "./chain/lazy_batches.ts";
export * from "./chain/schedule.ts";
export * from "./chain/finite_guard.ts";
export * from "./chain/validate.ts";
export * from "./chain/early_stopping.ts";
export * from "./chain/record_history.ts";
export * from "./chain/checkpoints.ts";
export * from "./chain/show_progress.ts";
export * from "./chain/resume.ts";
