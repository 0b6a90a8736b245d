import type { Labelled, Loss } from "../../types.ts";
import {
  additiveMarginLogits,
  checkClasses,
  checkMultiplier,
  checkNumber,
  checkPositive,
  crossEntropy,
  learnedLoss,
  similarityTo,
  standardNormal,
} from "./_common.ts";

/** Options of {@linkcode cosFace}. */
export interface CosFaceOptions {
  /** Number of classes; labels must be integers in `[0, classes)`. */
  readonly classes: number;
  /** Additive cosine margin m (default 0.35). */
  readonly margin?: number;
  /** Scale s of the logits (default 64). */
  readonly scale?: number;
  /** Learning rate of the class weights as a multiple of the program's (default 1). */
  readonly learningRateMultiplier?: number;
}

/**
 * CosFace / large-margin cosine loss (Wang et al. 2018), as pytorch-metric-learning's
 * `CosFaceLoss`: a learned weight row `W_c` per class (the parameter `classWeights`,
 * `[classes, embeddingSize]`, initialised N(0, 1)), logits `s·cos θ_ic` with the target
 * class's logit `s·(cos θ − m)`, softmax cross-entropy per row, reduced by the mean (pml's
 * `MeanReducer`). Defaults are pml's: m = 0.35, s = 64. A label outside `[0, classes)` is an
 * error naming it.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { cosFace } from "./cos_face.ts";
 * await tf.setBackend("cpu");
 * const loss = cosFace({ classes: 2, margin: 0.5, scale: 2 });
 * // along W_0: target logit 2·(1 − 0.5) = 1, the other 2·0 = 0: loss log(1 + e⁻¹)
 * const input = { kind: "labelled" as const, embeddings: tf.tensor2d([[3, 0]]), labels: tf.tensor1d([0], "int32") };
 * const context = { training: false, parameters: { classWeights: tf.tensor2d([[1, 0], [0, 1]]) } };
 * const v = loss.reduce(loss.perItem(input, context)).dataSync()[0];
 * if (Math.abs(v - Math.log(1 + Math.exp(-1))) > 1e-6) throw new Error(`${v}`);
 * ```
 */
export function cosFace(options: CosFaceOptions): Loss<Labelled> {
  const what = "cosFace";
  const classes = checkClasses(what, options?.classes);
  const margin = checkNumber(what, "margin", options.margin ?? 0.35, (v) => v >= 0, "≥ 0");
  const scale = checkPositive(what, "scale", options.scale ?? 64);
  return learnedLoss({
    name: "cos-face",
    classes,
    parameter: "classWeights",
    init: standardNormal,
    learningRateMultiplier: checkMultiplier(what, options.learningRateMultiplier),
    perItem: (e, w, oneHot) =>
      crossEntropy(additiveMarginLogits(similarityTo(e, w), oneHot, margin, scale), oneHot),
  });
}
