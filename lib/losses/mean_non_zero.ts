import * as tf from "@tensorflow/tfjs";
import type { Scalar, Tensor1D } from "../types.ts";
import { countPositive } from "./_count_positive.ts";

/**
 * Reducer: the mean over the items whose value is > 0 (exactly 0 when none is, or the batch
 * is empty), as
 * pytorch-metric-learning's `AvgNonZeroReducer`. Easy items then do not dilute the loss as the
 * model improves.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { meanNonZero } from "./mean_non_zero.ts";
 * await tf.setBackend("cpu");
 * if (meanNonZero(tf.tensor1d([0, 2, 4, 0])).dataSync()[0] !== 3) throw new Error("meanNonZero");
 * if (!Object.is(meanNonZero(tf.tensor1d([])).dataSync()[0], 0)) throw new Error("empty");
 * ```
 */
export function meanNonZero(perItem: Tensor1D): Scalar {
  return tf.tidy(() => {
    const count = countPositive(perItem);
    return tf.div(tf.sum(perItem), tf.maximum(count, 1)) as Scalar;
  });
}
