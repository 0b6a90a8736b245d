import * as tf from "@tensorflow/tfjs";
import type { Labelled, Loss, Tensor2D } from "../../types.ts";
import {
  arcFaceLogits,
  checkAngularMargin,
  checkClasses,
  checkCount,
  checkMultiplier,
  checkPositive,
  crossEntropy,
  learnedLoss,
  similarityPerClass,
  standardNormal,
} from "./_common.ts";

/** Options of {@linkcode subCenterArcFace}. */
export interface SubCenterArcFaceOptions {
  /** Number of classes; labels must be integers in `[0, classes)`. */
  readonly classes: number;
  /** Sub-centres K per class (default 3). */
  readonly subCenters?: number;
  /** Additive angular margin in DEGREES, as pml (default 28.6). */
  readonly margin?: number;
  /** Scale s of the logits (default 64). */
  readonly scale?: number;
  /** Learning rate of the sub-centres as a multiple of the program's (default 1). */
  readonly learningRateMultiplier?: number;
}

/**
 * Sub-center ArcFace (Deng et al. 2020), as pytorch-metric-learning's `SubCenterArcFaceLoss`:
 * K learned rows per class (the parameter `classWeights`, `[classes·K, embeddingSize]`, row
 * `c·K + k` being sub-centre k of class c, initialised N(0, 1)); a class's cosine is the
 * largest over its sub-centres, then ArcFace's margin and scale as {@linkcode arcFace}, softmax
 * cross-entropy per row, reduced by the mean. Defaults are pml's: K = 3, m = 28.6°, s = 64.
 * A label outside `[0, classes)` is an error naming it.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { subCenterArcFace } from "./sub_center_arc_face.ts";
 * await tf.setBackend("cpu");
 * const loss = subCenterArcFace({ classes: 2, subCenters: 2, margin: 90, scale: 1 });
 * // class 0's second sub-centre lies along the embedding (θ = 0 → cos(90°) = 0), class 1's
 * // best is orthogonal (0): log 2
 * const classWeights = tf.tensor2d([[-1, 0], [1, 0], [0, 1], [0, -1]]);
 * const input = { kind: "labelled" as const, embeddings: tf.tensor2d([[5, 0]]), labels: tf.tensor1d([0], "int32") };
 * const v = loss.reduce(loss.perItem(input, { training: false, parameters: { classWeights } })).dataSync()[0];
 * if (Math.abs(v - Math.LN2) > 1e-6) throw new Error(`${v}`);
 * ```
 */
export function subCenterArcFace(options: SubCenterArcFaceOptions): Loss<Labelled> {
  const what = "subCenterArcFace";
  const classes = checkClasses(what, options?.classes);
  const k = checkCount(what, "subCenters", options.subCenters ?? 3);
  const margin = checkAngularMargin(what, options.margin);
  const scale = checkPositive(what, "scale", options.scale ?? 64);
  return learnedLoss({
    name: "sub-center-arc-face",
    classes,
    parameter: "classWeights",
    rowsPerClass: k,
    init: standardNormal,
    learningRateMultiplier: checkMultiplier(what, options.learningRateMultiplier),
    perItem: (e, w, oneHot) => {
      const cos = tf.max(similarityPerClass(e, w, classes, k), 2) as Tensor2D;
      return crossEntropy(arcFaceLogits(cos, oneHot, margin, scale), oneHot);
    },
  });
}
