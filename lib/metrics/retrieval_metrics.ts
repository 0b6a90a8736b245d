import type { Distance } from "../types.ts";
import type { EmbeddingSet, TieRule } from "./embedding_set.ts";
import { forEachDistanceRow } from "./_chunked_knn.ts";
import { checkDistance } from "../distances/host.ts";
import { euclidean } from "../distances/euclidean.ts";
import { squaredEuclidean } from "../distances/squared_euclidean.ts";
import { checkPositiveInt, checkSet } from "./_validate.ts";
import { rankRow, rankState } from "./_rank_row.ts";
import type { GalleryIndex } from "../gallery/types.ts";
import { annNeighbours, annRecall, checkAnnIndex } from "../gallery/_ann_knn.ts";

/**
 * Retrieval metrics of a labelled set searched against itself, each a mean over the
 * queries that have at least one match (see {@linkcode retrievalMetrics}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type RetrievalMetrics, retrievalMetrics } from "./retrieval_metrics.ts";
 * // 1-d rows 0, 1, 5 (label 0) and 6 (label 1): 6 is alone in its class, a lone query
 * const set = { embeddings: new Float32Array([0, 1, 5, 6]), labels: new Int32Array([0, 0, 0, 1]), dim: 1 };
 * const m: RetrievalMetrics = retrievalMetrics(set, { k: 1 });
 * // query 0 ranks 1, 5 (R = 2: both matches first); query 1: 0, 5; query 5: 6 (miss), then 1, 0
 * assert.equal(m.queries, 3);
 * assert.equal(m.loneQueries, 1);
 * assert.equal(m.precisionAt1, 2 / 3);
 * assert.equal(m.rPrecision, (1 + 1 + 0.5) / 3); // query 5 finds 1 of its 2 matches in its top 2
 * ```
 */
export interface RetrievalMetrics {
  /** Share of queries whose nearest neighbour has their label. */
  readonly precisionAt1: number;
  /** Mean over queries of (matches among the R nearest) / R. */
  readonly rPrecision: number;
  /** Mean over queries of (1/R) Σ_{i ≤ R, i-th neighbour a match} precision@i. */
  readonly mapAtR: number;
  /** Mean average precision over the full ranking: (1/R) Σ over matches of precision@rank. */
  readonly meanAveragePrecision: number;
  /** Mean of 1 / (rank of the first match). */
  readonly meanReciprocalRank: number;
  /** Share of queries whose label wins the vote of their k nearest neighbours. */
  readonly knnAccuracy: number;
  /** The `k` used for `knnAccuracy` (the option, capped at set size − 1). */
  readonly k: number;
  /** Queries averaged over (those with at least one match). */
  readonly queries: number;
  /** Queries left out because no other row has their label. */
  readonly loneQueries: number;
  /**
   * With `options.index` only: how much of the true neighbourhood the approximate search
   * found: the mean share of a row's exact `at` nearest other rows among the index's first
   * `at`, over `queries` rows spread evenly over the set (an exact scan of each).
   */
  readonly indexRecall?: {
    readonly at: number;
    readonly recall: number;
    readonly queries: number;
  };
}

/**
 * Options of {@linkcode retrievalMetrics}.
 *
 * @example
 * ```ts
 * import { retrievalMetrics, type RetrievalOptions } from "./retrieval_metrics.ts";
 * import { cosine, euclidean } from "../distances/mod.ts";
 * // 2-d rows: label 0 at (1, 0) and (10, 0), label 1 at (1, 1) and (2, 2): same directions, other lengths
 * const set = { embeddings: new Float32Array([1, 0, 10, 0, 1, 1, 2, 2]), labels: new Int32Array([0, 0, 1, 1]), dim: 2 };
 * const p1 = (options: RetrievalOptions) => retrievalMetrics(set, options).precisionAt1;
 * // by length, only (2, 2) has its class mate nearest; by angle, every row does
 * if (p1({ distance: euclidean }) !== 0.25) throw new Error("euclidean");
 * if (p1({ distance: cosine, k: 1 }) !== 1) throw new Error("cosine");
 * ```
 */
export interface RetrievalOptions {
  /** Distance between embeddings (default `distances.euclidean`). */
  readonly distance?: Distance;
  /** Neighbours voting in `knnAccuracy` (default 5). */
  readonly k?: number;
  /** Order of a match and a non-match at equal distance (default `"pessimistic"`). */
  readonly ties?: TieRule;
  /**
   * An approximate nearest-neighbour index (`await gallery.hnswIndex()`) for sets too large
   * to rank exactly (a million rows): each row's `K = max(k, R_max)` nearest other rows
   * (R_max: the largest class size − 1) come from an HNSW graph built over the set, and
   * the result states the graph's recall (`indexRecall`). precision@1, R-precision, MAP@R
   * and kNN accuracy are then computed as exactly as the neighbours found allow; mean
   * average precision and mean reciprocal rank only see the first K neighbours (a match
   * beyond them counts as not found: lower bounds). Distances are float64 (ties as
   * `ties` says). Default: none, every row is ranked exactly against all others. Only
   * the index's graph settings are used (its file, threshold: not).
   */
  readonly index?: GalleryIndex;
}

/**
 * Retrieval metrics with every row as a query against all other rows (the query itself is
 * left out), in one chunked pass that never holds more than four rows of distances.
 *
 * For a query with label `y`, let R be the number of other rows labelled `y` (its
 * matches) and rank₁ < rank₂ < … < rank_R the 1-based positions of the matches in the
 * ranking of all other rows by increasing distance. Then:
 * - precision@1 = 1 if rank₁ = 1, else 0;
 * - R-precision = |{j : rank_j ≤ R}| / R;
 * - MAP@R = (1/R) Σ_{j : rank_j ≤ R} j / rank_j (precision at each match within the first R);
 * - average precision = (1/R) Σ_j j / rank_j (all matches);
 * - reciprocal rank = 1 / rank₁;
 * - kNN: the majority label of the k nearest (a vote tie goes to the tied label met first
 *   in the ranking); correct when it is `y`.
 *
 * Each metric is the mean over queries (not over classes). precision@1, R-precision and
 * MAP@R are defined as in pytorch-metric-learning's `AccuracyCalculator` (with its
 * defaults: `k = None`, `avg_of_avgs = False`, the reference set equal to the query set),
 * including its treatment of lone queries: a query whose label occurs once has no
 * possible match and is left out of every metric here (counted in `loneQueries`). When
 * all labels are equal, every neighbour is a match and every metric is 1.
 *
 * Ties: tied distances between matches and non-matches are ordered by `options.ties`
 * (see {@linkcode TieRule}); the order among matches, or among non-matches, does not
 * change any metric. In kNN the same rule, then the row index, orders neighbours at equal
 * distance.
 *
 * Distances are computed in float32 (WebAssembly SIMD where available): distances that
 * differ by less than about one part in a million may compare as tied.
 *
 * Throws when the set is malformed (lengths, non-finite values), has fewer than two rows,
 * or no label occurs twice.
 *
 * @example
 * ```ts
 * import { retrievalMetrics } from "./retrieval_metrics.ts";
 * import assert from "node:assert/strict";
 * // points 0, 1, 2, 3 on a line with labels 0 0 1 1, so every query has R = 1 match:
 * // query 0: its match (1) is alone at distance 1 → rank 1
 * // query 1: match 0 and non-match 2 both at distance 1 → a tie
 * // query 2: likewise (non-match 1, match 3); query 3: match 2 at distance 1 → rank 1
 * const set = {
 *   embeddings: new Float32Array([0, 1, 2, 3]),
 *   labels: new Int32Array([0, 0, 1, 1]),
 *   dim: 1,
 * };
 * // pessimistic ties put the non-match first: ranks 1, 2, 2, 1
 * const m = retrievalMetrics(set, { k: 1 });
 * assert.equal(m.precisionAt1, 0.5); // (1 + 0 + 0 + 1) / 4
 * assert.equal(m.mapAtR, 0.5); // R = 1: MAP@R = precision@1 per query
 * assert.equal(m.meanReciprocalRank, 0.75); // (1 + 1/2 + 1/2 + 1) / 4
 * // optimistic ties put the match first: every rank is 1
 * assert.equal(retrievalMetrics(set, { ties: "optimistic" }).precisionAt1, 1);
 * ```
 *
 * @example Over a large set, through an HNSW index (approximate; its recall is stated)
 * ```ts
 * import { retrievalMetrics } from "./retrieval_metrics.ts";
 * import { hnswIndex } from "../gallery/ann_index.ts";
 * import assert from "node:assert/strict";
 * // 300 classes of 4 rows, each class around its own point of a 2-d spiral
 * const n = 1200;
 * const embeddings = new Float32Array(n * 2).map((_, i) => {
 *   const c = Math.floor(i / 8), t = c * 0.37, jitter = ((i * 7919) % 13) / 1300;
 *   return (i % 2 === 0 ? t * Math.cos(t) : t * Math.sin(t)) + jitter;
 * });
 * const labels = Int32Array.from({ length: n }, (_, i) => Math.floor(i / 4));
 * const set = { embeddings, labels, dim: 2 };
 * // one build thread: the same graph every run (a multi-threaded build varies with timing)
 * const approx = retrievalMetrics(set, { index: await hnswIndex({ threads: 1 }) });
 * const exact = retrievalMetrics(set);
 * // the graph's recall of the true neighbours is measured and stated with the metrics
 * assert.ok(approx.indexRecall !== undefined && approx.indexRecall.recall >= 0.99);
 * assert.ok(Math.abs(approx.precisionAt1 - exact.precisionAt1) <= 0.01);
 * assert.equal(exact.indexRecall, undefined); // exact search is the default
 * ```
 */
export function retrievalMetrics(
  set: EmbeddingSet,
  options: RetrievalOptions = {},
): RetrievalMetrics {
  const what = "compute retrieval metrics";
  checkSet(what, set, "set");
  const distance = checkDistance(
    what,
    "options.distance",
    options.distance === undefined ? euclidean : options.distance,
  );
  const kOption = options.k ?? 5;
  checkPositiveInt(what, "options.k", kOption);
  const ties = options.ties ?? "pessimistic";
  if (ties !== "pessimistic" && ties !== "optimistic") {
    throw new RangeError(
      `Cannot ${what} as options.ties must be "pessimistic" or "optimistic": current value is ${
        JSON.stringify(ties)
      }`,
    );
  }
  const n = set.labels.length;
  if (n < 2) throw new RangeError(`Cannot ${what} as set must have at least 2 rows: it has ${n}`);
  // group rows by label (stable), so that each query's matches form one range
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) =>
    set.labels[a] - set.labels[b] || a - b
  );
  const dim = set.dim;
  const grouped: EmbeddingSet = {
    embeddings: Float32Array.from(
      { length: n * dim },
      (_, i) => set.embeddings[order[Math.floor(i / dim)] * dim + (i % dim)],
    ),
    labels: Int32Array.from(order, (i) => set.labels[i]),
    dim,
  };
  const labels = grouped.labels;
  const ranges: [number, number][] = new Array(n);
  let lone = 0, maxR = 0;
  for (let start = 0; start < n;) {
    let end = start + 1;
    while (end < n && labels[end] === labels[start]) end++;
    const range: [number, number] = [start, end];
    for (let i = start; i < end; i++) ranges[i] = range;
    if (end - start === 1) lone++;
    maxR = Math.max(maxR, end - start - 1);
    start = end;
  }
  if (lone === n) {
    throw new RangeError(
      `Cannot ${what} as no label occurs twice in set.labels: all ${n} queries are alone in their class`,
    );
  }
  const k = Math.min(kOption, n - 1);
  const pessimistic = ties === "pessimistic";
  if (options.index !== undefined) {
    checkAnnIndex(what, "options.index", options.index, distance);
    return approximate(grouped, ranges, lone, maxR, k, pessimistic, distance, options.index, what);
  }
  const state = rankState(n, maxR, k);
  const { kl, out } = state;
  const votes = new Map<number, number>();
  let p1 = 0, rp = 0, mapr = 0, map = 0, mrr = 0, knn = 0;
  // euclidean ranks like squared euclidean: skip the square roots
  const rankBy = distance.host.kind === "euclidean" ? squaredEuclidean : distance;
  // keys that order as the distances do; negative distances (dot, custom) need the sign flip
  const signed = distance.host.kind === "dot" || distance.host.kind === "custom";
  forEachDistanceRow(grouped, grouped, rankBy, (q, row) => {
    const y = labels[q];
    const range = ranges[q];
    if (range[1] - range[0] === 1) return;
    const bits = new Uint32Array(row.buffer, row.byteOffset, n);
    if (signed) orderedKeys(bits);
    rankRow(bits, q, range, labels, order, k, pessimistic, state);
    p1 += out[0];
    rp += out[1];
    mapr += out[2];
    map += out[3];
    mrr += out[4];
    const filled = out[5];
    // kNN vote: most votes; a tie goes to the tied label met first in the ranking
    votes.clear();
    let best = 0;
    for (let i = 0; i < filled; i++) {
      const c = (votes.get(kl[i]) ?? 0) + 1;
      votes.set(kl[i], c);
      if (c > best) best = c;
    }
    let winner = kl[0];
    for (let i = 0; i < filled; i++) {
      if (votes.get(kl[i]) === best) {
        winner = kl[i];
        break;
      }
    }
    if (winner === y) knn++;
  });
  const queries = n - lone;
  return {
    precisionAt1: p1 / queries,
    rPrecision: rp / queries,
    mapAtR: mapr / queries,
    meanAveragePrecision: map / queries,
    meanReciprocalRank: mrr / queries,
    knnAccuracy: knn / queries,
    k,
    queries,
    loneQueries: lone,
  };
}

/** {@linkcode retrievalMetrics} over the K nearest neighbours an HNSW graph finds. */
function approximate(
  set: EmbeddingSet,
  ranges: [number, number][],
  lone: number,
  maxR: number,
  k: number,
  pessimistic: boolean,
  distance: Distance,
  index: GalleryIndex,
  what: string,
): RetrievalMetrics {
  const n = set.labels.length, dim = set.dim, labels = set.labels;
  const K = Math.min(n - 1, Math.max(k, maxR));
  const near = annNeighbours(index, set.embeddings, dim, distance, K, what);
  let p1 = 0, rp = 0, mapr = 0, map = 0, mrr = 0, knn = 0;
  const match = new Uint8Array(K);
  const order = Array.from({ length: K }, (_, j) => j);
  const votes = new Map<number, number>();
  for (let q = 0; q < n; q++) {
    const [start, end] = ranges[q];
    const R = end - start - 1;
    if (R === 0) continue;
    const y = labels[q];
    const base = q * K;
    // within a run of equal distances, matches go last (pessimistic) or first
    for (let j = 0; j < K; j++) {
      order[j] = j;
      const row = near.rows[base + j];
      match[j] = row >= 0 && labels[row] === y ? 1 : 0;
    }
    order.sort((a, b) =>
      near.distances[base + a] - near.distances[base + b] ||
      (pessimistic ? match[a] - match[b] : match[b] - match[a]) ||
      a - b
    );
    let found = 0, apSum = 0, firstRank = 0;
    for (let i = 0; i < K; i++) {
      if (match[order[i]] === 0) continue;
      found++;
      if (firstRank === 0) firstRank = i + 1;
      apSum += found / (i + 1);
      if (i < R) {
        rp += 1 / R;
        mapr += found / (i + 1) / R;
      }
    }
    if (firstRank === 1) p1++;
    map += apSum / R;
    if (firstRank > 0) mrr += 1 / firstRank;
    // kNN vote over the first k (ties of distance by the rule above, then row number)
    votes.clear();
    let best = 0;
    for (let i = 0; i < k; i++) {
      const row = near.rows[base + order[i]];
      if (row < 0) continue;
      const c = (votes.get(labels[row]) ?? 0) + 1;
      votes.set(labels[row], c);
      if (c > best) best = c;
    }
    for (let i = 0; i < k; i++) {
      const row = near.rows[base + order[i]];
      if (row >= 0 && votes.get(labels[row]) === best) {
        if (labels[row] === y) knn++;
        break;
      }
    }
  }
  const queries = n - lone;
  const sample = Math.max(20, Math.min(200, Math.floor(2e7 / n)));
  return {
    precisionAt1: p1 / queries,
    rPrecision: rp / queries,
    mapAtR: mapr / queries,
    meanAveragePrecision: map / queries,
    meanReciprocalRank: mrr / queries,
    knnAccuracy: knn / queries,
    k,
    queries,
    loneQueries: lone,
    indexRecall: annRecall(near, set.embeddings, dim, distance, Math.min(10, K), sample),
  };
}

/**
 * Rewrites float32 bit patterns in place as unsigned keys that order as the values do,
 * negative values included (−0 and +0 become the same key).
 */
function orderedKeys(bits: Uint32Array): void {
  for (let j = 0; j < bits.length; j++) {
    const u = bits[j];
    bits[j] = u >= 0x80000000 ? (u === 0x80000000 ? 0x80000000 : ~u >>> 0) : (u | 0x80000000) >>> 0;
  }
}
