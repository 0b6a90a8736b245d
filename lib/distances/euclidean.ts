import * as tf from "@tensorflow/tfjs";
import type { Tensor1D, Tensor2D } from "../types.ts";
import { checkRows } from "./_check.ts";
import { safeSqrt } from "./_safe_sqrt.ts";

/**
 * Euclidean (L2) distance of row `i` of `a` and row `i` of `b`. Its gradient is 0 where the
 * distance is 0, instead of the NaN a plain `sqrt` gives.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { euclidean } from "./euclidean.ts";
 * await tf.setBackend("cpu");
 * const d = euclidean(tf.tensor2d([[0, 0], [1, 1]]), tf.tensor2d([[3, 4], [1, 1]]));
 * const [d0, d1] = d.dataSync();
 * if (d0 !== 5 || d1 !== 0) throw new Error("euclidean");
 * ```
 */
export function euclidean(a: Tensor2D, b: Tensor2D): Tensor1D {
  checkRows("euclidean", a, b);
  return tf.tidy(() => safeSqrt(tf.sum(tf.square(tf.sub(a, b)), 1)) as Tensor1D);
}
