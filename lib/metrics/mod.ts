/**
 * likeness/metrics: how well embeddings verify ("are these two the same?"), identify
 * ("which is this?") and retrieve, as pure functions of plain typed arrays (no IO). Every
 * function that compares embeddings takes a `Distance` record (`distances.euclidean` by
 * default) and computes with its host form: the distance the model was trained with,
 * user-defined ones included.
 *
 * - Verification over pair distances: {@linkcode rocCurve} then {@linkcode auc},
 *   {@linkcode equalErrorRate}, {@linkcode tarAtFar}, {@linkcode thresholdAtFar},
 *   {@linkcode bestAccuracyThreshold}; distributions with {@linkcode distanceHistogram}
 *   and {@linkcode distanceSummary}; pairs from embeddings with {@linkcode pairDistances}.
 * - Identification: {@linkcode galleryProbeSplit}, {@linkcode cmcCurve},
 *   {@linkcode rankAccuracy}.
 * - Retrieval (set against itself): {@linkcode retrievalMetrics} (precision@1,
 *   R-precision and MAP@R as in pytorch-metric-learning, MAP, MRR, kNN accuracy).
 * - Everything at once, in the `metrics.json` shape: {@linkcode evaluate}.
 *
 * Convention: smaller distance means more alike; a pair is accepted as "same" when its
 * distance is ≤ the threshold. All-pairs work runs four query rows at a time, so a
 * 60k × 60k distance matrix never exists.
 *
 * @example
 * ```ts
 * import { auc, rocCurve } from "./mod.ts";
 * // the same pair nearer than the different pair: perfectly ranked; farther: always wrong
 * if (auc(rocCurve([0.2, 0.9], [true, false])) !== 1) throw new Error("auc 1");
 * if (auc(rocCurve([0.9, 0.2], [true, false])) !== 0) throw new Error("auc 0");
 * ```
 *
 * @module
 */
export type { EmbeddingSet, TieRule } from "./embedding_set.ts";
export { type RocCurve, rocCurve } from "./roc_curve.ts";
export { auc } from "./auc.ts";
export { type EqualErrorRate, equalErrorRate } from "./equal_error_rate.ts";
export { tarAtFar } from "./tar_at_far.ts";
export { type OperatingPoint, thresholdAtFar } from "./threshold_at_far.ts";
export { type BestAccuracy, bestAccuracyThreshold } from "./best_accuracy_threshold.ts";
export {
  type DistanceHistogram,
  distanceHistogram,
  type DistanceHistogramOptions,
  type HistogramCounts,
} from "./distance_histogram.ts";
export {
  type DistanceStats,
  type DistanceSummary,
  distanceSummary,
  type DistanceSummaryOptions,
} from "./distance_summary.ts";
export { type PairDistances, pairDistances, type PairDistancesOptions } from "./pair_distances.ts";
export {
  type GalleryProbeSplit,
  galleryProbeSplit,
  type GalleryProbeSplitOptions,
} from "./gallery_probe_split.ts";
export { type CmcCurve, cmcCurve, type CmcOptions } from "./cmc_curve.ts";
export { rankAccuracy } from "./rank_accuracy.ts";
export {
  type RetrievalMetrics,
  retrievalMetrics,
  type RetrievalOptions,
} from "./retrieval_metrics.ts";
export {
  evaluate,
  type EvaluateOptions,
  evaluateWithCurves,
  type EvaluateWithCurvesOptions,
  type Evaluation,
  type EvaluationCurves,
  type EvaluationWithCurves,
  type NeighbourList,
} from "./evaluate.ts";
export {
  type Candidate,
  type Monoid,
  nearest,
  nearestK,
  type Ord,
  rankingOrd,
  type Semigroup,
} from "./ranking_order.ts";
