/**
 * Distances between embeddings, each one {@linkcode Distance} record used everywhere: the
 * row-wise (`rows`) and all-pairs (`matrix`) tensor forms that losses and miners use, the
 * host form (`host`) that metrics and the gallery use, and a `name` for metadata. Smaller
 * always means closer; none normalises its inputs behind your back (put
 * `branches.l2Normalize()` in the branch instead). `distance({ name, rows })` makes your own.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { euclidean } from "./mod.ts";
 * await tf.setBackend("cpu");
 * const x = tf.tensor2d([[0, 0], [3, 4]]);
 * const m = euclidean.matrix(x, x).arraySync();
 * if (m[0][1] !== 5 || m[1][1] !== 0) throw new Error("distances");
 * if (euclidean.host.pair([0, 0], [3, 4]) !== 5) throw new Error("host");
 * ```
 *
 * @module
 */
export { cosine } from "./cosine.ts";
export { dot } from "./dot.ts";
export { euclidean } from "./euclidean.ts";
export { manhattan } from "./manhattan.ts";
export { squaredEuclidean } from "./squared_euclidean.ts";
export { distance, type DistanceSpec } from "./distance.ts";
export { builtInDistance, checkDistance, hostRow } from "./host.ts";
export type {
  Distance,
  DistanceMatrix,
  HostDistance,
  HostDistanceKind,
  Tensor,
  Tensor1D,
  Tensor2D,
} from "../types.ts";
