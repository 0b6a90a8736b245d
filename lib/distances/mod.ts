/**
 * Distances between embeddings. Smaller always means closer; none normalises its inputs
 * behind your back (put `branches.l2Normalize()` in the branch instead). A custom distance is
 * any function of the {@linkcode Distance} type.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { euclidean, pairwise } from "./mod.ts";
 * await tf.setBackend("cpu");
 * const x = tf.tensor2d([[0, 0], [3, 4]]);
 * const m = pairwise(euclidean)(x, x).arraySync();
 * if (m[0][1] !== 5 || m[1][1] !== 0) throw new Error("distances");
 * ```
 *
 * @module
 */
export { cosine } from "./cosine.ts";
export { euclidean } from "./euclidean.ts";
export { manhattan } from "./manhattan.ts";
export { pairwise } from "./pairwise.ts";
export { squaredEuclidean } from "./squared_euclidean.ts";
export type { Distance, DistanceMatrix, Tensor, Tensor1D, Tensor2D } from "../types.ts";
