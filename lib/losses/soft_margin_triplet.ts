import * as tf from "@tensorflow/tfjs";
import { euclidean } from "../distances/euclidean.ts";
import type { Distance, Loss, Tensor1D, Triplet } from "../types.ts";
import { checkTriplet } from "./_triplet.ts";
import { checkDistance, nonNegative } from "./_validate.ts";
import { mean } from "./mean.ts";

/** Options of {@linkcode softMarginTriplet}. */
export interface SoftMarginTripletOptions {
  /** Added inside the softplus (default 0, the usual soft-margin form). */
  readonly margin?: number;
  /** Distance between embeddings (default `euclidean`). */
  readonly distance?: Distance;
}

/**
 * Soft-margin triplet loss `log(1 + exp(d(a, p) − d(a, n) + m))` (Hermans et al.), averaged:
 * a smooth hinge that keeps pulling even after the margin is met, so it never reaches 0
 * (it is below 1e-6 once the negative is ~14 further than the positive).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { softMarginTriplet } from "./soft_margin_triplet.ts";
 * await tf.setBackend("cpu");
 * // row 0: all three equal → log(1 + e⁰) = log 2; row 1: d(a, p) = 1, d(a, n) = 3 → log(1 + e⁻²)
 * const anchor = tf.tensor2d([[0, 0], [0, 0]]);
 * const positive = tf.tensor2d([[0, 0], [0, 1]]), negative = tf.tensor2d([[0, 0], [3, 0]]);
 * const v = softMarginTriplet().perItem({ kind: "triplet", anchor, positive, negative }).dataSync();
 * const want = [Math.log(2), Math.log(1 + Math.exp(-2))];
 * if (want.some((w, i) => Math.abs(v[i] - w) > 1e-6)) throw new Error(`${v}`);
 * ```
 */
export function softMarginTriplet(options: SoftMarginTripletOptions = {}): Loss<Triplet> {
  const margin = nonNegative("softMarginTriplet loss", "margin", options.margin ?? 0);
  const distance = checkDistance(
    "softMarginTriplet loss",
    options.distance === undefined ? euclidean : options.distance,
  );
  return {
    name: "soft-margin-triplet",
    distance,
    reduce: mean,
    perItem: (input: Triplet): Tensor1D =>
      tf.tidy(() => {
        checkTriplet("soft-margin-triplet loss", input);
        const dap = distance.rows(input.anchor, input.positive);
        const dan = distance.rows(input.anchor, input.negative);
        return tf.softplus(tf.add(tf.sub(dap, dan), margin)) as Tensor1D;
      }),
  };
}
