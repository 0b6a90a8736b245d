import * as tf from "@tensorflow/tfjs";
import type { Distance, Tensor, Tensor1D, Tensor2D } from "../types.ts";
import { checkRows } from "./_check.ts";
import { matrixOf } from "./_matrix.ts";
import { cosinePair } from "./_host.ts";

/** Norms below this count as this (keeps the distance of a zero vector finite). */
const EPSILON = 1e-12;

const unit = (x: Tensor2D): Tensor =>
  tf.div(x, tf.maximum(tf.norm(x, "euclidean", 1, true), EPSILON));

/**
 * Cosine distance `1 − cos(a, b)`: in [0, 2], 0 for the same direction. A zero row has
 * cosine 0 (distance 1). It does not normalise the embeddings it is given (put
 * `branches.l2Normalize()` in the branch for that).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { cosine } from "./cosine.ts";
 * await tf.setBackend("cpu");
 * const d = cosine.rows(tf.tensor2d([[1, 0], [1, 0]]), tf.tensor2d([[2, 0], [-1, 0]]));
 * const [same, opposite] = d.dataSync();
 * if (same !== 0 || opposite !== 2) throw new Error("cosine");
 * // orthogonal: 1 − cos 90° = 1
 * if (cosine.host.pair([1, 0], [0, 3]) !== 1) throw new Error("host");
 * if (cosine.matrix(tf.tensor2d([[1, 0]]), tf.tensor2d([[0, 3]])).dataSync()[0] !== 1) throw new Error("matrix");
 * ```
 */
export const cosine: Distance = Object.freeze({
  name: "cosine",
  rows: (a: Tensor2D, b: Tensor2D): Tensor1D => {
    checkRows("cosine", a, b);
    return tf.tidy(() => {
      const dot = tf.sum(tf.mul(a, b), 1);
      const na = tf.maximum(tf.norm(a, "euclidean", 1), EPSILON);
      const nb = tf.maximum(tf.norm(b, "euclidean", 1), EPSILON);
      return tf.sub(1, tf.div(dot, tf.mul(na, nb))) as Tensor1D;
    });
  },
  matrix: matrixOf("cosine", (a, b) => tf.sub(1, tf.matMul(unit(a), unit(b), false, true))),
  host: Object.freeze({ kind: "cosine" as const, pair: cosinePair }),
});
