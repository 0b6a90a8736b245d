import * as tf from "@tensorflow/tfjs";
import type { Tensor1D, Tensor2D } from "../types.ts";
import { checkRows } from "./_check.ts";

/** Norms below this count as this (keeps the distance of a zero vector finite). */
const EPSILON = 1e-12;

/**
 * Cosine distance `1 − cos(a, b)` of row `i` of `a` and row `i` of `b`: in [0, 2], 0 for the
 * same direction. A zero row has cosine 0 (distance 1).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { cosine } from "./cosine.ts";
 * await tf.setBackend("cpu");
 * const d = cosine(tf.tensor2d([[1, 0], [1, 0]]), tf.tensor2d([[2, 0], [-1, 0]]));
 * const [same, opposite] = d.dataSync();
 * if (same !== 0 || opposite !== 2) throw new Error("cosine");
 * ```
 */
export function cosine(a: Tensor2D, b: Tensor2D): Tensor1D {
  checkRows("cosine", a, b);
  return tf.tidy(() => {
    const dot = tf.sum(tf.mul(a, b), 1);
    const na = tf.maximum(tf.norm(a, "euclidean", 1), EPSILON);
    const nb = tf.maximum(tf.norm(b, "euclidean", 1), EPSILON);
    return tf.sub(1, tf.div(dot, tf.mul(na, nb))) as Tensor1D;
  });
}
