import type { Labelled, Loss } from "../../types.ts";
import {
  arcFaceLogits,
  checkAngularMargin,
  checkClasses,
  checkMultiplier,
  checkPositive,
  crossEntropy,
  learnedLoss,
  similarityTo,
  standardNormal,
} from "./_common.ts";

/** Options of {@linkcode arcFace}. */
export interface ArcFaceOptions {
  /** Number of classes; labels must be integers in `[0, classes)`. */
  readonly classes: number;
  /** Additive angular margin in DEGREES, as pml (default 28.6, i.e. ≈ 0.5 rad). */
  readonly margin?: number;
  /** Scale s of the logits (default 64). */
  readonly scale?: number;
  /** Learning rate of the class weights as a multiple of the program's (default 1). */
  readonly learningRateMultiplier?: number;
}

/**
 * ArcFace (Deng et al. 2019), as pytorch-metric-learning's `ArcFaceLoss`: a learned weight row
 * `W_c` per class (the parameter `classWeights`, `[classes, embeddingSize]`, initialised
 * N(0, 1) as pml's `normal_`), logits `s·cos θ_ic` with θ_ic the angle between the embedding
 * and `W_c`, the target class's logit replaced by `s·cos(θ + m)` (by `s·(cos θ − m·sin m)`
 * where θ > π − m, keeping the logit monotonic, as pml), then softmax cross-entropy per row,
 * reduced by the mean (pml's `MeanReducer`). Defaults are pml's: m = 28.6° and s = 64.
 *
 * `compile` creates, trains and checkpoints the class weights; they are not part of the
 * embedder. A label outside `[0, classes)` is an error naming it.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { arcFace } from "./arc_face.ts";
 * await tf.setBackend("cpu");
 * const loss = arcFace({ classes: 2, margin: 90, scale: 1 });
 * // embedding along W_0 (θ = 0) and orthogonal to W_1: the target logit cos(0 + 90°) = 0,
 * // the other cos 90° = 0, so the loss is log 2
 * const input = { kind: "labelled" as const, embeddings: tf.tensor2d([[1, 0]]), labels: tf.tensor1d([0], "int32") };
 * const context = { training: false, parameters: { classWeights: tf.tensor2d([[2, 0], [0, 3]]) } };
 * const v = loss.reduce(loss.perItem(input, context)).dataSync()[0];
 * if (Math.abs(v - Math.LN2) > 1e-6) throw new Error(`${v}`);
 * ```
 */
export function arcFace(options: ArcFaceOptions): Loss<Labelled> {
  const what = "arcFace";
  const classes = checkClasses(what, options?.classes);
  const margin = checkAngularMargin(what, options.margin);
  const scale = checkPositive(what, "scale", options.scale ?? 64);
  return learnedLoss({
    name: "arc-face",
    classes,
    parameter: "classWeights",
    init: standardNormal,
    learningRateMultiplier: checkMultiplier(what, options.learningRateMultiplier),
    perItem: (e, w, oneHot) =>
      crossEntropy(arcFaceLogits(similarityTo(e, w), oneHot, margin, scale), oneHot),
  });
}
