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
 * import assert from "node:assert/strict";
 * import type { EmbeddingSet } from "./embedding_set.ts";
 * import { pairDistances } from "./pair_distances.ts";
 * // three 2-d rows, row-major: (0, 0), (3, 4), (0, 1); labels 0, 1, 0
 * const set: EmbeddingSet = {
 *   embeddings: new Float32Array([0, 0, 3, 4, 0, 1]),
 *   labels: new Int32Array([0, 1, 0]),
 *   dim: 2,
 * };
 * const p = pairDistances(set); // pairs (0, 1), (0, 2), (1, 2)
 * assert.deepEqual([...p.distances], [5, 1, Math.sqrt(18)]);
 * assert.deepEqual([...p.same], [0, 1, 0]);
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
 * import assert from "node:assert/strict";
 * import type { TieRule } from "./embedding_set.ts";
 * import { retrievalMetrics } from "./retrieval_metrics.ts";
 * // query 1 has its match (0) and a non-match (2) both at distance 1
 * const set = { embeddings: new Float32Array([0, 1, 2]), labels: new Int32Array([0, 0, 1]), dim: 1 };
 * const p1 = (ties: TieRule) => retrievalMetrics(set, { ties }).precisionAt1;
 * // queries 0 and 1 have a match (2 is alone in its class); the tie decides query 1
 * assert.equal(p1("pessimistic"), 0.5);
 * assert.equal(p1("optimistic"), 1);
 * ```
 */
export type TieRule = "pessimistic" | "optimistic";
