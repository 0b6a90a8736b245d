import * as tf from "@tensorflow/tfjs";
import type { DistanceMatrix, Tensor, Tensor1D, Tensor2D } from "../types.ts";

/** Throws unless `a` and `b` are rank-2 with the same width (the all-pairs form's inputs). */
export function checkMatrixInputs(name: string, a: Tensor2D, b: Tensor2D): void {
  if (a?.rank !== 2) {
    throw new Error(
      `Cannot compute ${name} distances of all pairs as a must be rank 2: current rank is ${a?.rank}`,
    );
  }
  if (b?.rank !== 2) {
    throw new Error(
      `Cannot compute ${name} distances of all pairs as b must be rank 2: current rank is ${b?.rank}`,
    );
  }
  if (a.shape[1] !== b.shape[1]) {
    throw new Error(
      `Cannot compute ${name} distances of all pairs as a and b must have the same width: current widths are ${
        a.shape[1]
      } and ${b.shape[1]}`,
    );
  }
}

/** An all-pairs form from a fast all-pairs kernel: checks shapes, runs it in `tf.tidy`. */
export function matrixOf(
  name: string,
  kernel: (a: Tensor2D, b: Tensor2D) => Tensor,
): DistanceMatrix {
  return (a: Tensor2D, b: Tensor2D): Tensor2D => {
    checkMatrixInputs(name, a, b);
    return tf.tidy(() => kernel(a, b) as Tensor2D);
  };
}

/**
 * The all-pairs form of any row-wise distance: every row pair is evaluated (`n·m` rows), so
 * keep it to modest batches.
 */
export function matrixFromRows(
  name: string,
  rows: (a: Tensor2D, b: Tensor2D) => Tensor1D,
): DistanceMatrix {
  return matrixOf(name, (a, b) => {
    const [n, m, width] = [a.shape[0], b.shape[0], a.shape[1]];
    const rowsA = tf.reshape(tf.tile(tf.expandDims(a, 1), [1, m, 1]), [n * m, width]);
    const rowsB = tf.reshape(tf.tile(tf.expandDims(b, 0), [n, 1, 1]), [n * m, width]);
    return tf.reshape(rows(rowsA as Tensor2D, rowsB as Tensor2D), [n, m]);
  });
}

/** `‖aᵢ‖² + ‖bⱼ‖² − 2aᵢ·bⱼ`, clamped at 0. */
export const squaredMatrix = (a: Tensor2D, b: Tensor2D): Tensor =>
  tf.relu(
    tf.sub(
      tf.add(tf.sum(tf.square(a), 1, true), tf.transpose(tf.sum(tf.square(b), 1, true))),
      tf.mul(2, tf.matMul(a, b, false, true)),
    ),
  );
