import * as tf from "@tensorflow/tfjs";
import type { Labelled, Loss, Tensor1D } from "../../types.ts";
import { maskedLogSumExp } from "../_similarity.ts";
import { sum } from "../sum.ts";
import {
  checkClasses,
  checkMultiplier,
  checkNumber,
  checkPositive,
  learnedLoss,
  similarityTo,
} from "./_common.ts";

/** Options of {@linkcode proxyAnchor}. */
export interface ProxyAnchorOptions {
  /** Number of classes (one proxy each); labels must be integers in `[0, classes)`. */
  readonly classes: number;
  /** Margin δ (default 0.1). */
  readonly margin?: number;
  /** Scale α (default 32). */
  readonly alpha?: number;
  /** Learning rate of the proxies as a multiple of the program's (default 1; the paper trains
   * proxies 100× faster). */
  readonly learningRateMultiplier?: number;
}

/**
 * Proxy-Anchor (Kim et al. 2020), as pytorch-metric-learning's `ProxyAnchorLoss`: one learned
 * proxy `p_c` per class (the parameter `proxies`, `[classes, embeddingSize]`, initialised as
 * pml's `kaiming_normal_(mode="fan_out")`: N(0, 2/classes)), cosine similarities s_ic, and
 *
 * `(1/|P⁺|)·Σ_{c ∈ P⁺} log(1 + Σ_{i: y_i = c} e^{−α(s_ic − δ)}) + (1/C)·Σ_c log(1 + Σ_{i: y_i ≠ c} e^{α(s_ic + δ)})`
 *
 * where P⁺ are the classes present in the batch and C = `classes` (pml's `DivisorReducer`).
 * The items of `perItem` are the PROXIES: item c is proxy c's two terms over their divisors,
 * and `reduce` is their sum, so the reduced value is pml's. Defaults are pml's: δ = 0.1,
 * α = 32. A label outside `[0, classes)` is an error naming it; an empty batch gives 0.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { proxyAnchor } from "./proxy_anchor.ts";
 * await tf.setBackend("cpu");
 * const loss = proxyAnchor({ classes: 2, margin: 0, alpha: 1 });
 * // one item of class 0 lying on proxy 0 (s = 1) and orthogonal to proxy 1 (s = 0):
 * // proxy 0 costs log(1 + e⁻¹) (1 class present), proxy 1 costs log(1 + e⁰)/2
 * const input = { kind: "labelled" as const, embeddings: tf.tensor2d([[1, 0]]), labels: tf.tensor1d([0], "int32") };
 * const context = { training: false, parameters: { proxies: tf.tensor2d([[1, 0], [0, 1]]) } };
 * const perProxy = loss.perItem(input, context).dataSync();
 * const expected = [Math.log(1 + Math.exp(-1)), Math.log(2) / 2];
 * if (perProxy.some((v, c) => Math.abs(v - expected[c]) > 1e-6)) throw new Error(`${perProxy}`);
 * ```
 */
export function proxyAnchor(options: ProxyAnchorOptions): Loss<Labelled> {
  const what = "proxyAnchor";
  const classes = checkClasses(what, options?.classes);
  const margin = checkNumber(what, "margin", options.margin ?? 0.1);
  const alpha = checkPositive(what, "alpha", options.alpha ?? 32);
  return learnedLoss({
    name: "proxy-anchor",
    classes,
    parameter: "proxies",
    init: { kind: "normal", mean: 0, stddev: Math.sqrt(2 / classes) },
    learningRateMultiplier: checkMultiplier(what, options.learningRateMultiplier),
    reduce: sum,
    perItem: (e, p, oneHot) => {
      // Proxies as rows: [classes, n].
      const s = tf.transpose(similarityTo(e, p));
      const pos = tf.transpose(oneHot);
      const neg = tf.sub(1, pos);
      const posTerm = maskedLogSumExp(tf.mul(tf.sub(s, margin), -alpha), pos, true);
      const negTerm = maskedLogSumExp(tf.mul(tf.add(s, margin), alpha), neg, true);
      const present = tf.sum(tf.sign(tf.sum(pos, 1)));
      return tf.add(tf.div(posTerm, tf.maximum(present, 1)), tf.div(negTerm, classes)) as Tensor1D;
    },
  });
}
