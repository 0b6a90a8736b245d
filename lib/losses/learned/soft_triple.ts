import * as tf from "@tensorflow/tfjs";
import type { Labelled, Loss, Tensor2D } from "../../types.ts";
import {
  additiveMarginLogits,
  checkClasses,
  checkCount,
  checkMultiplier,
  checkNumber,
  checkPositive,
  crossEntropy,
  learnedLoss,
  similarityPerClass,
} from "./_common.ts";

/** Options of {@linkcode softTriple}. */
export interface SoftTripleOptions {
  /** Number of classes; labels must be integers in `[0, classes)`. */
  readonly classes: number;
  /** Centres K per class (default 10). */
  readonly centersPerClass?: number;
  /** λ, the scale of the logits (default 20; pml's `la`). */
  readonly la?: number;
  /** γ, the temperature of the softmax over a class's centres (default 0.1). */
  readonly gamma?: number;
  /** δ, the margin taken off the target class's similarity (default 0.01). */
  readonly margin?: number;
  /** Learning rate of the centres as a multiple of the program's (default 1). */
  readonly learningRateMultiplier?: number;
}

/**
 * SoftTriple (Qian et al. 2019), as pytorch-metric-learning's `SoftTripleLoss`: K learned
 * centres per class (the parameter `centers`, `[classes·K, embeddingSize]`, row `c·K + k`
 * being centre k of class c, initialised as pml's `kaiming_uniform_(a=√5)`: U(±1/√(classes·K))).
 * With cosine similarities s_ick, a class's similarity is
 * `S_ic = Σ_k softmax_k(s_ick/γ)·s_ick`, and row i costs the softmax cross-entropy of the
 * logits `λ·(S_ic − δ·[c = y_i])`, reduced by the mean. Defaults are pml's: K = 10, λ = 20,
 * γ = 0.1, δ = 0.01; like pml (without a weight regulariser) it omits the paper's
 * centre-merging regulariser. A label outside `[0, classes)` is an error naming it.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { softTriple } from "./soft_triple.ts";
 * await tf.setBackend("cpu");
 * const loss = softTriple({ classes: 2, centersPerClass: 1, la: 1, margin: 0 });
 * // one centre per class: S = the cosine; on centre 0, orthogonal to centre 1: log(1 + e⁻¹)
 * const input = { kind: "labelled" as const, embeddings: tf.tensor2d([[2, 0]]), labels: tf.tensor1d([0], "int32") };
 * const context = { training: false, parameters: { centers: tf.tensor2d([[1, 0], [0, 1]]) } };
 * const v = loss.reduce(loss.perItem(input, context)).dataSync()[0];
 * if (Math.abs(v - Math.log(1 + Math.exp(-1))) > 1e-6) throw new Error(`${v}`);
 * ```
 */
export function softTriple(options: SoftTripleOptions): Loss<Labelled> {
  const what = "softTriple";
  const classes = checkClasses(what, options?.classes);
  const k = checkCount(what, "centersPerClass", options.centersPerClass ?? 10);
  const la = checkPositive(what, "la", options.la ?? 20);
  const gamma = checkPositive(what, "gamma", options.gamma ?? 0.1);
  const margin = checkNumber(what, "margin", options.margin ?? 0.01);
  const learningRateMultiplier = checkMultiplier(what, options.learningRateMultiplier);
  const bound = 1 / Math.sqrt(classes * k);
  return learnedLoss({
    name: "soft-triple",
    classes,
    parameter: "centers",
    rowsPerClass: k,
    init: { kind: "uniform", min: -bound, max: bound },
    learningRateMultiplier,
    perItem: (e, w, oneHot) => {
      const s = similarityPerClass(e, w, classes, k);
      const perClass = tf.sum(tf.mul(tf.softmax(tf.div(s, gamma)), s), 2) as Tensor2D;
      return crossEntropy(additiveMarginLogits(perClass, oneHot, margin, la), oneHot);
    },
  });
}
