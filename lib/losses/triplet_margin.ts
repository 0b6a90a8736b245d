import * as tf from "@tensorflow/tfjs";
import { euclidean } from "../distances/euclidean.ts";
import type { Distance, Loss, Tensor1D, Triplet } from "../types.ts";
import { checkTriplet } from "./_triplet.ts";
import { checkDistance, nonNegative } from "./_validate.ts";
import { mean } from "./mean.ts";

/** Options of {@linkcode tripletMargin}. */
export interface TripletMarginOptions {
  /** How much closer the positive must be than the negative (default 1). */
  readonly margin?: number;
  /** Distance between embeddings (default `euclidean`). */
  readonly distance?: Distance;
}

/**
 * Triplet margin loss `max(d(a, p) − d(a, n) + m, 0)`, averaged over the given triplets
 * (including the easy ones at 0). For pytorch-metric-learning's variant (every triplet of a
 * labelled batch, averaged over the non-zero ones) see `pmlTripletMarginLoss`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { tripletMargin } from "./triplet_margin.ts";
 * await tf.setBackend("cpu");
 * const loss = tripletMargin({ margin: 1 });
 * const anchor = tf.tensor2d([[0, 0], [0, 0]]);
 * const positive = tf.tensor2d([[0, 1], [0, 1]]), negative = tf.tensor2d([[0, 1.5], [3, 0]]);
 * // row 0: 1 − 1.5 + 1 = 0.5; row 1: 1 − 3 + 1 < 0 → 0
 * const v = loss.perItem({ kind: "triplet", anchor, positive, negative }).dataSync();
 * if (v[0] !== 0.5 || v[1] !== 0) throw new Error(`${v}`);
 * ```
 */
export function tripletMargin(options: TripletMarginOptions = {}): Loss<Triplet> {
  const margin = nonNegative("tripletMargin loss", "margin", options.margin ?? 1);
  const distance = checkDistance(
    "tripletMargin loss",
    options.distance === undefined ? euclidean : options.distance,
  );
  return {
    name: "triplet-margin",
    distance,
    reduce: mean,
    perItem: (input: Triplet): Tensor1D =>
      tf.tidy(() => {
        checkTriplet("triplet-margin loss", input);
        const dap = distance.rows(input.anchor, input.positive);
        const dan = distance.rows(input.anchor, input.negative);
        return tf.relu(tf.add(tf.sub(dap, dan), margin)) as Tensor1D;
      }),
  };
}
