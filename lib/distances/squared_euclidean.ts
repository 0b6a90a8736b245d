import * as tf from "@tensorflow/tfjs";
import type { Distance, Tensor1D, Tensor2D } from "../types.ts";
import { checkRows } from "./_check.ts";
import { matrixOf, squaredMatrix } from "./_matrix.ts";
import { squaredPair } from "./_host.ts";

/**
 * Squared Euclidean distance `Σ (aᵢ − bᵢ)²`. `matrix` uses `‖a‖² + ‖b‖² − 2abᵀ` clamped
 * at 0.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { squaredEuclidean } from "./squared_euclidean.ts";
 * await tf.setBackend("cpu");
 * // 3² + 4² = 25; 1² + 0² = 1
 * const d = squaredEuclidean.rows(tf.tensor2d([[0, 0], [1, 1]]), tf.tensor2d([[3, 4], [2, 1]]));
 * if (d.dataSync().join() !== "25,1") throw new Error(`squaredEuclidean ${d.dataSync()}`);
 * if (squaredEuclidean.host.pair([0, 0], [3, 4]) !== 25) throw new Error("host");
 * ```
 */
export const squaredEuclidean: Distance = Object.freeze({
  name: "squaredEuclidean",
  rows: (a: Tensor2D, b: Tensor2D): Tensor1D => {
    checkRows("squaredEuclidean", a, b);
    return tf.tidy(() => tf.sum(tf.square(tf.sub(a, b)), 1) as Tensor1D);
  },
  matrix: matrixOf("squaredEuclidean", squaredMatrix),
  host: Object.freeze({ kind: "squaredEuclidean" as const, pair: squaredPair }),
});
