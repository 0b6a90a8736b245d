import * as tf from "@tensorflow/tfjs";
import type { Distance, DistanceMatrix, Tensor, Tensor2D } from "../types.ts";
import { cosine } from "./cosine.ts";
import { euclidean } from "./euclidean.ts";
import { manhattan } from "./manhattan.ts";
import { safeSqrt } from "./_safe_sqrt.ts";
import { squaredEuclidean } from "./squared_euclidean.ts";

/** Norms below this count as this (as in `cosine`). */
const EPSILON = 1e-12;

const squaredMatrix = (a: Tensor2D, b: Tensor2D): Tensor =>
  tf.relu(
    tf.sub(
      tf.add(tf.sum(tf.square(a), 1, true), tf.transpose(tf.sum(tf.square(b), 1, true))),
      tf.mul(2, tf.matMul(a, b, false, true)),
    ),
  );

const unit = (x: Tensor2D): Tensor =>
  tf.div(x, tf.maximum(tf.norm(x, "euclidean", 1, true), EPSILON));

const FAST: ReadonlyMap<Distance, (a: Tensor2D, b: Tensor2D) => Tensor> = new Map<
  Distance,
  (a: Tensor2D, b: Tensor2D) => Tensor
>([
  [squaredEuclidean, squaredMatrix],
  [euclidean, (a, b) => safeSqrt(squaredMatrix(a, b))],
  [cosine, (a, b) => tf.sub(1, tf.matMul(unit(a), unit(b), false, true))],
  [manhattan, (a, b) => tf.sum(tf.abs(tf.sub(tf.expandDims(a, 1), tf.expandDims(b, 0))), 2)],
]);

/**
 * Lifts a row-wise {@linkcode Distance} to all pairs: entry `[i, j]` is `d(a[i], b[j])`.
 * The built-in distances take fast paths (`euclidean`, `squaredEuclidean` via
 * `‖a‖² + ‖b‖² − 2abᵀ`, clamped at 0, so entries that should be 0 may read about 1e-3 for
 * large embeddings; `cosine` via one matrix product); any other distance is evaluated on every
 * row pair (`n·m` rows, so keep it to modest batches).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { pairwise } from "./pairwise.ts";
 * import { manhattan } from "./manhattan.ts";
 * await tf.setBackend("cpu");
 * const m = pairwise(manhattan)(tf.tensor2d([[0, 0], [1, 1]]), tf.tensor2d([[1, 0]]));
 * if (m.arraySync().flat().join() !== "1,1") throw new Error("pairwise");
 * ```
 */
export function pairwise(distance: Distance): DistanceMatrix {
  const fast = FAST.get(distance);
  return (a: Tensor2D, b: Tensor2D): Tensor2D => {
    if (a.rank !== 2) {
      throw new Error(
        `Cannot compute pairwise distances as a must be rank 2: current rank is ${a.rank}`,
      );
    }
    if (b.rank !== 2) {
      throw new Error(
        `Cannot compute pairwise distances as b must be rank 2: current rank is ${b.rank}`,
      );
    }
    if (a.shape[1] !== b.shape[1]) {
      throw new Error(
        `Cannot compute pairwise distances as a and b must have the same width: current widths are ${
          a.shape[1]
        } and ${b.shape[1]}`,
      );
    }
    const [n, m] = [a.shape[0], b.shape[0]];
    return tf.tidy(() => {
      if (fast !== undefined) return fast(a, b) as Tensor2D;
      const width = a.shape[1];
      const rowsA = tf.reshape(tf.tile(tf.expandDims(a, 1), [1, m, 1]), [n * m, width]);
      const rowsB = tf.reshape(tf.tile(tf.expandDims(b, 0), [n, 1, 1]), [n * m, width]);
      return tf.reshape(distance(rowsA as Tensor2D, rowsB as Tensor2D), [n, m]) as Tensor2D;
    });
  };
}
