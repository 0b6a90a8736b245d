import * as tf from "@tensorflow/tfjs";
import { cosine } from "../distances/cosine.ts";
import type { Distance, Labelled, Loss, LossContext, Tensor1D } from "../types.ts";
import { checkDistance } from "./_validate.ts";
import { checkTemperature, similarities } from "./_similarity.ts";
import { sum } from "./sum.ts";

/** Options of {@linkcode ntXent}. */
export interface NtXentOptions {
  /** Temperature τ (default 0.07, as pytorch-metric-learning's `NTXentLoss`). */
  readonly temperature?: number;
  /** Distance; the loss uses the similarity `s = 1 − d` (default `cosine`: `s` = cos). */
  readonly distance?: Distance;
}

/** Masked entries are replaced by this before a log-sum-exp (exp of it is exactly 0). */
const OFF = -1e30;

/**
 * NT-Xent / InfoNCE (Chen et al. 2020, SimCLR; van den Oord et al. 2018) on a labelled batch,
 * as pytorch-metric-learning's `NTXentLoss`: every same-class pair `(a, p)`, `a ≠ p`, is a
 * classification of `p` among `p` and the anchor's negatives `N(a)` (rows of other classes),
 * with similarity `s = 1 − d` over temperature τ:
 *
 * `ℓ(a, p) = −log( exp(s_ap/τ) / (exp(s_ap/τ) + Σ_{n ∈ N(a)} exp(s_an/τ)) )`
 *
 * and the loss is the mean of `ℓ` over all positive pairs — pml's reduction (a `MeanReducer`
 * over positive pairs). `perItem` gives each anchor's share of that mean (one value per row)
 * and `reduce` is `sum`. Other positives of the anchor are not in the denominator (pml's form;
 * {@linkcode supCon} puts them there).
 *
 * Self-supervised two-view form: label each row with its source item's id, so the two views of
 * an item are the only positives and every other row is a negative — SimCLR's NT-Xent.
 *
 * Defaults are pml's: τ = 0.07 and `cosine`, whose `s = 1 − d` is pml's `CosineSimilarity`. A
 * batch without a positive pair or without a negative pair (one class, one item per class, one
 * row, none) gives exactly 0, as pml; an anchor with positives but no negative contributes 0.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { ntXent } from "./nt_xent.ts";
 * await tf.setBackend("cpu");
 * // Rows 0 and 1 are the same item (s = 1), row 2 is orthogonal (s = 0). With τ = 1 each of
 * // the two positive pairs costs −log(e / (e + 1)) = log(1 + 1/e).
 * const loss = ntXent({ temperature: 1 });
 * const input = { kind: "labelled" as const, embeddings: tf.tensor2d([[1, 0], [2, 0], [0, 1]]), labels: tf.tensor1d([0, 0, 1], "int32") };
 * const v = loss.reduce(loss.perItem(input)).dataSync()[0];
 * if (Math.abs(v - Math.log(1 + 1 / Math.E)) > 1e-6) throw new Error(`${v}`);
 * ```
 */
export function ntXent(options: NtXentOptions = {}): Loss<Labelled> {
  const what = "ntXent";
  const temperature = checkTemperature(what, options.temperature ?? 0.07);
  const distance = checkDistance(what, options.distance ?? cosine);
  return {
    name: "nt-xent",
    distance,
    reduce: sum,
    acceptsReference: true,
    perItem: (input: Labelled, context?: LossContext): Tensor1D =>
      tf.tidy(() => {
        const { s, same, other } = similarities("nt-xent loss", distance, input, context);
        const x = tf.div(s, temperature);
        // log Σ_{n ∈ N(a)} exp(x_an) per anchor (−1e30 where a has no negative)
        const negatives = tf.logSumExp(
          tf.where(tf.greater(other, 0), x, tf.fill(x.shape, OFF)),
          1,
          true,
        );
        // ℓ(a, p) = log(exp(x_ap) + exp(L_a)) − x_ap = softplus(L_a − x_ap)
        const pairs = tf.mul(tf.softplus(tf.sub(negatives, x)), same);
        const positives = tf.sum(same);
        const gate = tf.mul(tf.sign(positives), tf.sign(tf.sum(other)));
        return tf.mul(tf.div(tf.sum(pairs, 1), tf.maximum(positives, 1)), gate) as Tensor1D;
      }),
  };
}
