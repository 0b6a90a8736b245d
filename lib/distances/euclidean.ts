import * as tf from "@tensorflow/tfjs";
import type { Distance, Tensor1D, Tensor2D } from "../types.ts";
import { checkRows } from "./_check.ts";
import { safeSqrt } from "./_safe_sqrt.ts";
import { matrixOf, squaredMatrix } from "./_matrix.ts";
import { euclideanPair } from "./_host.ts";

/**
 * Euclidean (L2) distance `‖a − b‖₂`. Its gradient is 0 where the distance is 0, instead of
 * the NaN a plain `sqrt` gives. `matrix` uses `‖a‖² + ‖b‖² − 2abᵀ` clamped at 0, so entries
 * that should be 0 may read about 1e-3 for large embeddings.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { euclidean } from "./euclidean.ts";
 * await tf.setBackend("cpu");
 * const d = euclidean.rows(tf.tensor2d([[0, 0], [1, 1]]), tf.tensor2d([[3, 4], [1, 1]]));
 * const [d0, d1] = d.dataSync();
 * if (d0 !== 5 || d1 !== 0) throw new Error("euclidean");
 * const m = euclidean.matrix(tf.tensor2d([[0, 0]]), tf.tensor2d([[3, 4], [0, 0]]));
 * if (m.dataSync().join() !== "5,0") throw new Error("matrix");
 * if (euclidean.host.pair([0, 0], [3, 4]) !== 5 || euclidean.name !== "euclidean") throw new Error("host");
 * ```
 */
export const euclidean: Distance = Object.freeze({
  name: "euclidean",
  rows: (a: Tensor2D, b: Tensor2D): Tensor1D => {
    checkRows("euclidean", a, b);
    return tf.tidy(() => safeSqrt(tf.sum(tf.square(tf.sub(a, b)), 1)) as Tensor1D);
  },
  matrix: matrixOf("euclidean", (a, b) => safeSqrt(squaredMatrix(a, b))),
  host: Object.freeze({ kind: "euclidean" as const, pair: euclideanPair }),
});
