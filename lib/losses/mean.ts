import * as tf from "@tensorflow/tfjs";
import type { Scalar, Tensor1D } from "../types.ts";

/**
 * Reducer: the mean of the per-item values; exactly 0 for an empty batch (no pairs, triplets
 * or rows, e.g. a mined batch without a valid triplet), on every backend.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { mean } from "./mean.ts";
 * await tf.setBackend("cpu");
 * if (mean(tf.tensor1d([1, 2, 3, 0])).dataSync()[0] !== 1.5) throw new Error("mean");
 * if (!Object.is(mean(tf.tensor1d([])).dataSync()[0], 0)) throw new Error("empty mean");
 * ```
 */
export function mean(perItem: Tensor1D): Scalar {
  return tf.tidy(() => tf.div(tf.sum(perItem), Math.max(perItem.shape[0], 1)) as Scalar);
}
