import * as tf from "@tensorflow/tfjs";
import { cosine } from "../distances/cosine.ts";
import type { Distance, Labelled, Loss, LossContext, Tensor1D } from "../types.ts";
import { checkTemperature, maskedLogSumExp, similarities } from "./_similarity.ts";
import { checkDistance } from "./_validate.ts";
import { meanNonZero } from "./mean_non_zero.ts";

/** Options of {@linkcode supCon}. */
export interface SupConOptions {
  /** Temperature τ (default 0.1, as pytorch-metric-learning's `SupConLoss`). */
  readonly temperature?: number;
  /** Distance; the loss uses the similarity `s = 1 − d` (default `cosine`: `s` = cos). */
  readonly distance?: Distance;
}

/**
 * The supervised contrastive loss (Khosla et al. 2020, the "L_out" form) on a labelled batch,
 * as pytorch-metric-learning's `SupConLoss`: with similarity `s = 1 − d` over temperature τ,
 * row `i` with positives `P(i)` (other rows of its class) costs
 *
 * `−(1/|P(i)|)·Σ_{p ∈ P(i)} log( exp(s_ip/τ) / Σ_{k ≠ i} exp(s_ik/τ) )`
 *
 * and a row without positives costs 0. `perItem` gives one value per row and `reduce` is
 * `meanNonZero`: the mean over the rows that cost more than 0, i.e. the rows with positives —
 * pml's reduction (its `AvgNonZeroReducer`), so no separate pml preset is needed. In the
 * two-view form every row has a positive and this is the plain mean over rows of Khosla et
 * al.'s reference code. Unlike {@linkcode ntXent}, the anchor's other positives are in the
 * denominator.
 *
 * Defaults are pml's: τ = 0.1 and `cosine`, whose `s = 1 − d` is pml's `CosineSimilarity`. A
 * batch without a positive pair or without a negative pair (one class, one item per class, one
 * row, none) gives exactly 0, as pml.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { supCon } from "./sup_con.ts";
 * await tf.setBackend("cpu");
 * // Rows 0 and 1 agree (s = 1), row 2 is orthogonal (s = 0). With τ = 1 rows 0 and 1 each
 * // cost −log(e / (e + 1)) = log(1 + 1/e); row 2 (no positive) costs 0 and is not averaged.
 * const loss = supCon({ temperature: 1 });
 * const input = { kind: "labelled" as const, embeddings: tf.tensor2d([[1, 0], [2, 0], [0, 1]]), labels: tf.tensor1d([0, 0, 1], "int32") };
 * const v = loss.reduce(loss.perItem(input)).dataSync()[0];
 * if (Math.abs(v - Math.log(1 + 1 / Math.E)) > 1e-6) throw new Error(`${v}`);
 * ```
 */
export function supCon(options: SupConOptions = {}): Loss<Labelled> {
  const what = "supCon";
  const temperature = checkTemperature(what, options.temperature ?? 0.1);
  const distance = checkDistance(what, options.distance ?? cosine);
  return {
    name: "sup-con",
    distance,
    reduce: meanNonZero,
    acceptsReference: true,
    perItem: (input: Labelled, context?: LossContext): Tensor1D =>
      tf.tidy(() => {
        const { s, same, other } = similarities("sup-con loss", distance, input, context);
        const x = tf.div(s, temperature);
        const all = tf.expandDims(maskedLogSumExp(x, tf.add(same, other), false), 1);
        const count = tf.sum(same, 1);
        const perRow = tf.div(tf.sum(tf.mul(tf.sub(all, x), same), 1), tf.maximum(count, 1));
        const gate = tf.mul(tf.sign(tf.sum(same)), tf.sign(tf.sum(other)));
        return tf.mul(perRow, gate) as Tensor1D;
      }),
  };
}
