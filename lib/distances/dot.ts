import * as tf from "@tensorflow/tfjs";
import type { Distance, Tensor1D, Tensor2D } from "../types.ts";
import { checkRows } from "./_check.ts";
import { matrixOf } from "./_matrix.ts";
import { dotPair } from "./_host.ts";

/**
 * The dot product as a distance: `−a·b`, so that smaller still means more similar. Not a
 * metric: it can be negative, a vector is not closest to itself unless all vectors have the
 * same norm, and the triangle inequality does not hold. On unit-length embeddings (an
 * `l2Normalize` branch) it ranks exactly as `cosine` does (`cosine = 1 + dot` there).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { dot } from "./dot.ts";
 * await tf.setBackend("cpu");
 * // −(1·3 + 2·4) = −11; −(1·0 + 0·1) = 0
 * const d = dot.rows(tf.tensor2d([[1, 2], [1, 0]]), tf.tensor2d([[3, 4], [0, 1]]));
 * if (d.dataSync().join() !== "-11,0") throw new Error(`dot ${d.dataSync()}`);
 * if (dot.matrix(tf.tensor2d([[1, 2]]), tf.tensor2d([[3, 4], [1, 0]])).dataSync().join() !== "-11,-1") throw new Error("matrix");
 * if (dot.host.pair([1, 2], [3, 4]) !== -11) throw new Error("host");
 * ```
 */
export const dot: Distance = Object.freeze({
  name: "dot",
  rows: (a: Tensor2D, b: Tensor2D): Tensor1D => {
    checkRows("dot", a, b);
    return tf.tidy(() => tf.neg(tf.sum(tf.mul(a, b), 1)) as Tensor1D);
  },
  matrix: matrixOf("dot", (a, b) => tf.neg(tf.matMul(a, b, false, true))),
  host: Object.freeze({ kind: "dot" as const, pair: dotPair }),
});
