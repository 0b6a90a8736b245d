/**
 * likeness/train: the training loop and what it leaves behind.
 *
 * - {@linkcode fit}: train a compiled program on batches, as an async generator of step
 *   reports (epochs or steps, progress, history, validation, early stopping, learning-rate
 *   schedules, an `AbortSignal`, NaN/Inf detection, checkpoints and resume);
 *   {@linkcode fitToEnd} runs it to the end.
 * - {@linkcode saveModel} / {@linkcode loadModel}: the embedding model in the TensorFlow.js
 *   layers format (`model.json` + `weights.bin`) with `metadata.json`, written atomically.
 * - {@linkcode saveCheckpoint} / {@linkcode loadCheckpoint} / {@linkcode latestCheckpoint}:
 *   the full training state, verified by SHA-256.
 *
 * @example
 * ```ts
 * import { cosineDecay } from "./mod.ts";
 * if (cosineDecay(1, { steps: 10 })(10) !== 0) throw new Error("decay");
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
