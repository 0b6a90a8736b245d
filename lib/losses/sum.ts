import * as tf from "@tensorflow/tfjs";
import type { Scalar, Tensor1D } from "../types.ts";

/**
 * Reducer: the sum of the per-item values.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { sum } from "./sum.ts";
 * await tf.setBackend("cpu");
 * if (sum(tf.tensor1d([1, 2, 3])).dataSync()[0] !== 6) throw new Error("sum");
 * ```
 */
export function sum(perItem: Tensor1D): Scalar {
  return tf.sum(perItem) as Scalar;
}
