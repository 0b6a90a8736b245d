import * as tf from "@tensorflow/tfjs";
import type { Scalar, Tensor1D } from "../types.ts";

/**
 * Reducer: the sum of the per-item values; exactly 0 for an empty batch, on every backend.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { sum } from "./sum.ts";
 * await tf.setBackend("cpu");
 * if (sum(tf.tensor1d([1, 2, 3])).dataSync()[0] !== 6) throw new Error("sum");
 * if (!Object.is(sum(tf.tensor1d([])).dataSync()[0], 0)) throw new Error("empty sum");
 * ```
 */
export function sum(perItem: Tensor1D): Scalar {
  return tf.sum(perItem) as Scalar;
}
