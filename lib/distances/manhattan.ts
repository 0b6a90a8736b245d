import * as tf from "@tensorflow/tfjs";
import type { Distance, Tensor1D, Tensor2D } from "../types.ts";
import { checkRows } from "./_check.ts";
import { matrixOf } from "./_matrix.ts";
import { manhattanPair } from "./_host.ts";

/**
 * Manhattan (L1) distance `Σ |aᵢ − bᵢ|`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { manhattan } from "./manhattan.ts";
 * await tf.setBackend("cpu");
 * // |0 − 3| + |0 − (−4)| = 7; |1 − 2| + |1 − 1| = 1
 * const d = manhattan.rows(tf.tensor2d([[0, 0], [1, 1]]), tf.tensor2d([[3, -4], [2, 1]]));
 * if (d.dataSync().join() !== "7,1") throw new Error(`manhattan ${d.dataSync()}`);
 * const m = manhattan.matrix(tf.tensor2d([[0, 0], [1, 1]]), tf.tensor2d([[1, 0]]));
 * if (m.dataSync().join() !== "1,1") throw new Error(`matrix ${m.dataSync()}`);
 * if (manhattan.host.pair([0, 0], [3, -4]) !== 7) throw new Error("host");
 * ```
 */
export const manhattan: Distance = Object.freeze({
  name: "manhattan",
  rows: (a: Tensor2D, b: Tensor2D): Tensor1D => {
    checkRows("manhattan", a, b);
    return tf.tidy(() => tf.sum(tf.abs(tf.sub(a, b)), 1) as Tensor1D);
  },
  matrix: matrixOf(
    "manhattan",
    (a, b) => tf.sum(tf.abs(tf.sub(tf.expandDims(a, 1), tf.expandDims(b, 0))), 2),
  ),
  host: Object.freeze({ kind: "manhattan" as const, pair: manhattanPair }),
});
