import * as tf from "@tensorflow/tfjs";
import { euclidean } from "../distances/euclidean.ts";
import type { Distance, Labelled, Loss, LossContext, Tensor1D } from "../types.ts";
import { pairMasks } from "./_labelled.ts";
import { checkDistance, nonNegative } from "./_validate.ts";
import { meanNonZero } from "./mean_non_zero.ts";

/** Options of {@linkcode pmlTripletMarginLoss}. */
export interface PmlTripletMarginLossOptions {
  /** Margin (default 0.05, as pml). */
  readonly margin?: number;
  /** Distance between embeddings (default `euclidean`). */
  readonly distance?: Distance;
}

/**
 * pytorch-metric-learning's `TripletMarginLoss` on a labelled batch: every triplet `(a, p, n)`
 * of the batch with `label(p) = label(a)`, `p ≠ a`, `label(n) ≠ label(a)` costs
 * `max(d(a, p) − d(a, n) + margin, 0)`, and the non-zero costs are averaged ("batch all").
 *
 * Differences from {@linkcode tripletMargin}: that one takes given triplets, defaults to
 * margin 1 and averages all of them (zeros included). Differences from pml: pml's default
 * distance L2-normalises embeddings first; this one does not (put `branches.l2Normalize()` in
 * the branch). `perItem` returns `n³` values (0 for invalid triplets), so keep batches ≲ 200.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { pmlTripletMarginLoss } from "./pml_triplet_margin_loss.ts";
 * await tf.setBackend("cpu");
 * const loss = pmlTripletMarginLoss({ margin: 0.5 });
 * // labels 0, 0, 1 at 0, 1, 1.25: triplets (0,1,2): 1 − 1.25 + 0.5 = 0.25; (1,0,2): 1 − 0.25 + 0.5 = 1.25
 * const input = { kind: "labelled" as const, embeddings: tf.tensor2d([[0], [1], [1.25]]), labels: tf.tensor1d([0, 0, 1], "int32") };
 * const v = loss.reduce(loss.perItem(input)).dataSync()[0];
 * if (Math.abs(v - 0.75) > 1e-6) throw new Error(`pmlTripletMarginLoss ${v}`);
 * ```
 */
export function pmlTripletMarginLoss(
  options: PmlTripletMarginLossOptions = {},
): Loss<Labelled> {
  const what = "pmlTripletMarginLoss";
  const margin = nonNegative(what, "margin", options.margin ?? 0.05);
  const distance = checkDistance(
    what,
    options.distance === undefined ? euclidean : options.distance,
  );
  const matrix = distance.matrix;
  return {
    name: "pml-triplet-margin",
    distance,
    reduce: meanNonZero,
    acceptsReference: true,
    perItem: (input: Labelled, context?: LossContext): Tensor1D =>
      tf.tidy(() => {
        const { same, other, columns } = pairMasks("pml-triplet-margin loss", input, context);
        const d = matrix(input.embeddings, columns);
        // cost[a, p, n] = d[a, p] − d[a, n] + margin, valid where same[a, p] and other[a, n].
        const cost = tf.relu(tf.add(tf.sub(tf.expandDims(d, 2), tf.expandDims(d, 1)), margin));
        const valid = tf.mul(tf.expandDims(same, 2), tf.expandDims(other, 1));
        return tf.reshape(tf.mul(cost, valid), [-1]) as Tensor1D;
      }),
  };
}
