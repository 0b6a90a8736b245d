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
 * // 3² + 4² = 25; 1² + 0² = 1
 * const d = squaredEuclidean(tf.tensor2d([[0, 0], [1, 1]]), tf.tensor2d([[3, 4], [2, 1]]));
 * if (d.dataSync().join() !== "25,1") throw new Error(`squaredEuclidean ${d.dataSync()}`);
 * ```
 */
export function squaredEuclidean(a: Tensor2D, b: Tensor2D): Tensor1D {
  checkRows("squaredEuclidean", a, b);
  return tf.tidy(() => tf.sum(tf.square(tf.sub(a, b)), 1) as Tensor1D);
}
