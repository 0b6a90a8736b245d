import * as tf from "@tensorflow/tfjs";
import type { Distance, Tensor, Tensor1D, Tensor2D } from "../types.ts";
import { checkRows } from "./_check.ts";
import { matrixOf } from "./_matrix.ts";
import { cosinePair } from "./_host.ts";

/** Norms below this count as this (keeps the distance of a zero vector finite). */
const EPSILON = 1e-12;

// A row of norm ≤ EPSILON (in practice a zero row) has no direction: it gets the forward value
// of the floored form (similarity 0, distance 1) and gradient 0, as euclidean's gradient is 0
// at distance 0. tf.norm's own gradient at a zero row is 0/0 = NaN (which a floor does not
// stop: 0 × NaN), and the floored form's gradient there is ~1e12; hence explicit gradients.
const isRow = (n: Tensor): Tensor => tf.cast(tf.greater(n, EPSILON), "float32");

/** Rows scaled to unit length; zero rows stay 0. ∂u/∂x = (I − u uᵀ) / ‖x‖ on live rows. */
const unit = tf.customGrad(
  // deno-lint-ignore no-explicit-any
  ((x: Tensor2D, save: (t: Tensor[]) => void): any => {
    const n = tf.norm(x, "euclidean", 1, true);
    const u = tf.div(x, tf.maximum(n, EPSILON));
    save([u, n]);
    return {
      value: u,
      gradFunc: (dy: Tensor, [u, n]: Tensor[]) => {
        const along = tf.sum(tf.mul(u, dy), 1, true);
        const g = tf.div(tf.sub(dy, tf.mul(u, along)), tf.maximum(n, EPSILON));
        return [tf.mul(g, isRow(n))];
      },
    };
    // deno-lint-ignore no-explicit-any
  }) as any,
) as unknown as (x: Tensor2D) => Tensor2D;

/** Row-wise cosine similarity a·b / (‖a‖‖b‖) (floored norms); gradient 0 for a zero row. */
const similarityRows = tf.customGrad(
  // deno-lint-ignore no-explicit-any
  ((a: Tensor2D, b: Tensor2D, save: (t: Tensor[]) => void): any => {
    const dot = tf.sum(tf.mul(a, b), 1);
    const na = tf.maximum(tf.norm(a, "euclidean", 1), EPSILON);
    const nb = tf.maximum(tf.norm(b, "euclidean", 1), EPSILON);
    const s = tf.div(dot, tf.mul(na, nb));
    save([a, b, na, nb, s]);
    return {
      value: s,
      gradFunc: (dy: Tensor, [a, b, na, nb, s]: Tensor[]) => {
        const live = tf.mul(isRow(na), isRow(nb));
        const k = tf.expandDims(tf.mul(dy, live), 1);
        const na2 = tf.expandDims(na, 1), nb2 = tf.expandDims(nb, 1), s2 = tf.expandDims(s, 1);
        // ∂s/∂a = b / (‖a‖‖b‖) − s·a / ‖a‖², and symmetrically for b.
        const ga = tf.sub(tf.div(b, tf.mul(na2, nb2)), tf.div(tf.mul(s2, a), tf.square(na2)));
        const gb = tf.sub(tf.div(a, tf.mul(na2, nb2)), tf.div(tf.mul(s2, b), tf.square(nb2)));
        return [tf.mul(k, ga), tf.mul(k, gb)];
      },
    };
    // deno-lint-ignore no-explicit-any
  }) as any,
) as unknown as (a: Tensor2D, b: Tensor2D) => Tensor1D;

/**
 * Cosine distance `1 − cos(a, b)`: in [0, 2], 0 for the same direction. A zero row has
 * cosine 0 (distance 1) and gradient 0. It does not normalise the embeddings it is given (put
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
      return tf.sub(1, similarityRows(a, b)) as Tensor1D;
    });
  },
  matrix: matrixOf("cosine", (a, b) => tf.sub(1, tf.matMul(unit(a), unit(b), false, true))),
  host: Object.freeze({ kind: "cosine" as const, pair: cosinePair }),
});
