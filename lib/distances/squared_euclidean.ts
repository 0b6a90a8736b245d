import * as tf from "@tensorflow/tfjs";
import type { Tensor1D, Tensor2D } from "../types.ts";
import { checkRows } from "./_check.ts";

/**
 * Squared Euclidean distance of row `i` of `a` and row `i` of `b`: `Σ (aᵢ − bᵢ)²`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { squaredEuclidean } from "./squared_euclidean.ts";
 * await tf.setBackend("cpu");
 * const d = squaredEuclidean(tf.tensor2d([[0, 0]]), tf.tensor2d([[3, 4]]));
 * if (d.dataSync()[0] !== 25) throw new Error("squaredEuclidean");
 * ```
 */
export function squaredEuclidean(a: Tensor2D, b: Tensor2D): Tensor1D {
  checkRows("squaredEuclidean", a, b);
  return tf.tidy(() => tf.sum(tf.square(tf.sub(a, b)), 1) as Tensor1D);
}
