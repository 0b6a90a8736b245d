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
 * const d = manhattan(tf.tensor2d([[0, 0]]), tf.tensor2d([[3, -4]]));
 * if (d.dataSync()[0] !== 7) throw new Error("manhattan");
 * ```
 */
export function manhattan(a: Tensor2D, b: Tensor2D): Tensor1D {
  checkRows("manhattan", a, b);
  return tf.tidy(() => tf.sum(tf.abs(tf.sub(a, b)), 1) as Tensor1D);
}
