/**
 * The input vocabulary of the embedding metrics: a labelled set of embeddings, the name of
 * a distance and the rule for tied distances.
 *
 * @module
 */

/**
 * Embeddings with their class labels, as plain typed arrays: row `i` is
 * `embeddings.subarray(i * dim, (i + 1) * dim)` and has label `labels[i]`.
 *
 * @example
 * ```ts
 * import type { EmbeddingSet } from "./embedding_set.ts";
 * const set: EmbeddingSet = {
 *   embeddings: new Float32Array([0, 0, 1, 1]),
 *   labels: new Int32Array([0, 1]),
 *   dim: 2,
 * };
 * if (set.embeddings.length !== set.labels.length * set.dim) throw new Error("shape");
 * ```
 */
export interface EmbeddingSet {
  /** `labels.length × dim` values, row-major. */
  readonly embeddings: Float32Array | Float64Array;
  /** Integer class label of each row. */
  readonly labels: Int32Array;
  /** Length of one embedding. */
  readonly dim: number;
}

/**
 * The distances the metrics compute between embeddings (smaller is closer):
 * - `"euclidean"`: `‖a − b‖₂`;
 * - `"squaredEuclidean"`: `‖a − b‖₂²`;
 * - `"cosine"`: `1 − a·b / (‖a‖ ‖b‖)`, in `[0, 2]`; a zero vector counts as orthogonal to
 *   everything (distance 1, also to itself);
 * - `"manhattan"`: `Σ |aₖ − bₖ|`.
 *
 * Euclidean and squared Euclidean give the same rankings, hence the same ranking metrics.
 *
 * @example
 * ```ts
 * import type { DistanceName } from "./embedding_set.ts";
 * const d: DistanceName = "cosine";
 * if (d !== "cosine") throw new Error("name");
 * ```
 */
export type DistanceName = "euclidean" | "squaredEuclidean" | "cosine" | "manhattan";

/**
 * How ranking metrics order a match and a non-match at exactly the same distance from the
 * query:
 * - `"pessimistic"` (the default): the non-match comes first, so ties never flatter the
 *   embedding (a collapsed embedding, all distances 0, scores 0 precision@1);
 * - `"optimistic"`: the match comes first (an upper bound).
 *
 * Without exact ties both rules give the same numbers.
 *
 * @example
 * ```ts
 * import type { TieRule } from "./embedding_set.ts";
 * const rule: TieRule = "pessimistic";
 * if (rule !== "pessimistic") throw new Error("rule");
 * ```
 */
export type TieRule = "pessimistic" | "optimistic";
