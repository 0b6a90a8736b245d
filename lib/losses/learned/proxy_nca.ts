import * as tf from "@tensorflow/tfjs";
import { cosine } from "../../distances/cosine.ts";
import type { Labelled, Loss, Tensor1D, Tensor2D } from "../../types.ts";
import {
  checkClasses,
  checkMultiplier,
  checkPositive,
  learnedLoss,
  similarityTo,
  standardNormal,
} from "./_common.ts";

/** Options of {@linkcode proxyNca}. */
export interface ProxyNcaOptions {
  /** Number of classes (one proxy each); labels must be integers in `[0, classes)`. */
  readonly classes: number;
  /** Scale of the negative squared distances inside the softmax (default 1). */
  readonly softmaxScale?: number;
  /** Learning rate of the proxies as a multiple of the program's (default 1). */
  readonly learningRateMultiplier?: number;
}

/**
 * ProxyNCA (Movshovitz-Attias et al. 2017), as pytorch-metric-learning's `ProxyNCALoss`: one
 * learned proxy per class (the parameter `proxies`, `[classes, embeddingSize]`, initialised
 * N(0, 1)); with the squared Euclidean distance d_ic = ‖ê_i − p̂_c‖² between the
 * L2-normalised embedding and proxy (pml's `LpDistance(power=2)`: 2 − 2·cos, and 1 for a zero
 * row, whose normalised form is 0), row i costs
 *
 * `−log( e^{−σ·d_{i,y_i}} / Σ_c e^{−σ·d_ic} )`
 *
 * with σ = `softmaxScale`, reduced by the mean (pml's `MeanReducer`). pml drops a row whose
 * softmax underflows to exactly 0 (its cost would be infinite); here it is computed with a
 * log-softmax and stays finite (with unit vectors this needs σ > 25). Default σ = 1 as pml.
 * A label outside `[0, classes)` is an error naming it.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { proxyNca } from "./proxy_nca.ts";
 * await tf.setBackend("cpu");
 * const loss = proxyNca({ classes: 2 });
 * // on proxy 0 (d = 0), orthogonal to proxy 1 (d = 2): −log(1 / (1 + e⁻²)) = log(1 + e⁻²)
 * const input = { kind: "labelled" as const, embeddings: tf.tensor2d([[4, 0]]), labels: tf.tensor1d([0], "int32") };
 * const context = { training: false, parameters: { proxies: tf.tensor2d([[1, 0], [0, 1]]) } };
 * const v = loss.reduce(loss.perItem(input, context)).dataSync()[0];
 * if (Math.abs(v - Math.log(1 + Math.exp(-2))) > 1e-6) throw new Error(`${v}`);
 * ```
 */
export function proxyNca(options: ProxyNcaOptions): Loss<Labelled> {
  const what = "proxyNca";
  const classes = checkClasses(what, options?.classes);
  const softmaxScale = checkPositive(what, "softmaxScale", options.softmaxScale ?? 1);
  return learnedLoss({
    name: "proxy-nca",
    classes,
    parameter: "proxies",
    init: standardNormal,
    learningRateMultiplier: checkMultiplier(what, options.learningRateMultiplier),
    perItem: (e, p, oneHot) => {
      // ‖ê − p̂‖² = ‖ê‖² + ‖p̂‖² − 2·cos, where a zero row's normalised form is 0 (as pml's
      // F.normalize), so its squared norm is 0, not 1.
      const squaredNorm = (x: Tensor2D) => tf.sub(1, cosine.rows(x, x));
      const d = tf.sub(
        tf.add(tf.expandDims(squaredNorm(e), 1), tf.expandDims(squaredNorm(p), 0)),
        tf.mul(similarityTo(e, p), 2),
      );
      const logP = tf.logSoftmax(tf.mul(d, -softmaxScale));
      return tf.neg(tf.sum(tf.mul(logP, oneHot), 1)) as Tensor1D;
    },
  });
}
