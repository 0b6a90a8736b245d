import type { Distance } from "../types.ts";
import type { EmbeddingSet, TieRule } from "./embedding_set.ts";
import { checkDistance } from "../distances/host.ts";
import { euclidean } from "../distances/euclidean.ts";
import { pairDistances } from "./pair_distances.ts";
import { rocCurve } from "./roc_curve.ts";
import { auc } from "./auc.ts";
import { equalErrorRate } from "./equal_error_rate.ts";
import { tarAtFar } from "./tar_at_far.ts";
import { bestAccuracyThreshold } from "./best_accuracy_threshold.ts";
import { galleryProbeSplit } from "./gallery_probe_split.ts";
import { cmcCurve } from "./cmc_curve.ts";
import { retrievalMetrics } from "./retrieval_metrics.ts";

/**
 * The metrics block of a run's `metrics.json`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { evaluate, type Evaluation } from "./evaluate.ts";
 * // two clusters on a line: same-class pairs are at most 2 apart, different-class at least 8
 * const e: Evaluation = evaluate({
 *   embeddings: new Float32Array([0, 1, 2, 10, 11, 12]),
 *   labels: new Int32Array([0, 0, 0, 1, 1, 1]),
 *   dim: 1,
 * });
 * // accepting d ≤ 2 (the largest same-class distance) makes no error
 * assert.deepEqual(e.verification, {
 *   auc: 1, eer: 0, eerThreshold: 2, tarAtFar: { "0.01": 1, "0.001": 1 }, threshold: 2, accuracy: 1,
 * });
 * assert.equal(e.identification.rank1, 1);
 * ```
 */
export interface Evaluation {
  /** "Are these two the same?" over pairs of the set (see {@linkcode evaluate}). */
  readonly verification: {
    /** Area under the ROC curve. */
    readonly auc: number;
    /** Equal error rate. */
    readonly eer: number;
    /** Threshold nearest the equal error rate. */
    readonly eerThreshold: number;
    /** True accept rate at false accept rates 1 % and 0.1 % (interpolated). */
    readonly tarAtFar: { readonly "0.01": number; readonly "0.001": number };
    /** The best-accuracy distance threshold: accept a pair when distance ≤ threshold. */
    readonly threshold: number;
    /** Accuracy at `threshold` on the evaluated pairs. */
    readonly accuracy: number;
  };
  /** "Which is this?" against a seeded gallery (see {@linkcode evaluate}). */
  readonly identification: {
    /** Rank-1 accuracy. */
    readonly rank1: number;
    /** Rank-5 accuracy. */
    readonly rank5: number;
  };
  /** Leave-one-out retrieval over the whole set. */
  readonly retrieval: {
    /** Precision@1 (pytorch-metric-learning definition). */
    readonly precisionAt1: number;
    /** R-precision (pytorch-metric-learning definition). */
    readonly rPrecision: number;
    /** MAP@R (pytorch-metric-learning definition). */
    readonly mapAtR: number;
  };
}

/**
 * Options of {@linkcode evaluate}.
 *
 * @example
 * ```ts
 * import { evaluate, type EvaluateOptions } from "./evaluate.ts";
 * import { manhattan } from "../distances/mod.ts";
 * // two classes on a line; with 2 of each class in the gallery, only 1 probe per class is left
 * const set = { embeddings: new Float32Array([0, 1, 2, 10, 11, 12]), labels: new Int32Array([0, 0, 0, 1, 1, 1]), dim: 1 };
 * const options: EvaluateOptions = { distance: manhattan, galleryPerClass: 2, seed: 3, maxPairs: 15, ties: "pessimistic" };
 * const e = evaluate(set, options);
 * if (e.identification.rank1 !== 1 || e.verification.eerThreshold !== 2) throw new Error("separable");
 * ```
 */
export interface EvaluateOptions {
  /**
   * Distance between embeddings (default `distances.euclidean`): pass the distance the model
   * was trained with (its loss's `distance`).
   */
  readonly distance?: Distance;
  /** Seed of the pair sample and of the gallery choice (default 0). */
  readonly seed?: number;
  /** Most verification pairs (default 200 000; above it pairs are sampled). */
  readonly maxPairs?: number;
  /** Gallery rows per label for identification (default 1). */
  readonly galleryPerClass?: number;
  /** Tie rule of the ranking metrics (default `"pessimistic"`). */
  readonly ties?: TieRule;
}

/**
 * Verification, identification and retrieval metrics of labelled embeddings, in the shape
 * of the `metrics.json` block the examples write:
 * - verification: pairs from {@linkcode pairDistances} (all `i < j` pairs when there are at
 *   most `maxPairs`, else `maxPairs` pairs sampled uniformly with `seed`) → ROC → AUC,
 *   EER, TAR at FAR 0.01 and 0.001, best-accuracy threshold;
 * - identification: {@linkcode galleryProbeSplit} with `galleryPerClass` rows per label
 *   (seeded) enrolled, every other row a probe → CMC → rank-1 and rank-5 accuracy;
 * - retrieval: {@linkcode retrievalMetrics} of the whole set against itself.
 *
 * Needs at least two labels, one of them on two rows or more.
 *
 * @example
 * ```ts
 * import { evaluate } from "./evaluate.ts";
 * import assert from "node:assert/strict";
 * // two tight, far-apart clusters: everything is perfect
 * const m = evaluate({
 *   embeddings: new Float32Array([0, 0.1, 0.2, 10, 10.1, 10.2]),
 *   labels: new Int32Array([0, 0, 0, 1, 1, 1]),
 *   dim: 1,
 * });
 * assert.equal(m.verification.auc, 1);
 * assert.equal(m.verification.eer, 0);
 * assert.equal(m.identification.rank1, 1);
 * assert.equal(m.retrieval.mapAtR, 1);
 * ```
 */
export function evaluate(set: EmbeddingSet, options: EvaluateOptions = {}): Evaluation {
  const distance = checkDistance(
    "evaluate embeddings",
    "options.distance",
    options.distance === undefined ? euclidean : options.distance,
  );
  const seed = options.seed ?? 0;
  const pairs = pairDistances(set, { distance, seed, maxPairs: options.maxPairs });
  const roc = rocCurve(pairs.distances, pairs.same);
  const eer = equalErrorRate(roc);
  const best = bestAccuracyThreshold(roc);
  const { gallery, probes } = galleryProbeSplit(set, {
    seed,
    galleryPerClass: options.galleryPerClass,
  });
  const cmc = cmcCurve(gallery, probes, { distance, maxRank: 5, ties: options.ties });
  const retrieval = retrievalMetrics(set, { distance, ties: options.ties });
  return {
    verification: {
      auc: auc(roc),
      eer: eer.eer,
      eerThreshold: eer.threshold,
      tarAtFar: { "0.01": tarAtFar(roc, 0.01), "0.001": tarAtFar(roc, 0.001) },
      threshold: best.threshold,
      accuracy: best.accuracy,
    },
    identification: { rank1: cmc.accuracy[0], rank5: cmc.accuracy[4] },
    retrieval: {
      precisionAt1: retrieval.precisionAt1,
      rPrecision: retrieval.rPrecision,
      mapAtR: retrieval.mapAtR,
    },
  };
}
