import * as tf from "@tensorflow/tfjs";
import type { Tensor1D, Tensor2D } from "../types.ts";
import { checkRows } from "./_check.ts";

/**
 * Manhattan (L1) distance of row `i` of `a` and row `i` of `b`: `Σ |aᵢ − bᵢ|`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { manhattan } from "./manhattan.ts";
 * await tf.setBackend("cpu");
 * // |0 − 3| + |0 − (−4)| = 7; |1 − 2| + |1 − 1| = 1
 * const d = manhattan(tf.tensor2d([[0, 0], [1, 1]]), tf.tensor2d([[3, -4], [2, 1]]));
 * if (d.dataSync().join() !== "7,1") throw new Error(`manhattan ${d.dataSync()}`);
 * ```
 */
export function manhattan(a: Tensor2D, b: Tensor2D): Tensor1D {
  checkRows("manhattan", a, b);
  return tf.tidy(() => tf.sum(tf.abs(tf.sub(a, b)), 1) as Tensor1D);
}
