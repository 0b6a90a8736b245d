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
import { type DistanceHistogram, distanceHistogram } from "./distance_histogram.ts";
import type { RocCurve } from "./roc_curve.ts";
import type { CmcCurve } from "./cmc_curve.ts";
import { hostRow } from "../distances/host.ts";

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
  const { verification, identification, retrieval } = evaluateWithCurves(set, {
    ...options,
    neighbourQueries: 0,
  });
  return { verification, identification, retrieval };
}

/**
 * One query of {@linkcode EvaluationCurves.neighbours}: a row and its nearest other rows.
 *
 * @example
 * ```ts
 * import type { NeighbourList } from "./evaluate.ts";
 * const list: NeighbourList = { query: 0, neighbours: [{ index: 2, distance: 0.5, correct: true }] };
 * if (list.neighbours[0].index !== 2) throw new Error("closest first");
 * ```
 */
export interface NeighbourList {
  /** Row index of the query. */
  readonly query: number;
  /** Its nearest other rows, closest first; `correct` when the row has the query's label. */
  readonly neighbours: readonly {
    readonly index: number;
    readonly distance: number;
    readonly correct: boolean;
  }[];
}

/**
 * The curves behind an {@linkcode Evaluation}'s numbers, from the same pairs, gallery and
 * distance (so a ROC picture and its AUC caption cannot disagree).
 *
 * @example
 * ```ts
 * import { evaluateWithCurves, type EvaluationCurves } from "./evaluate.ts";
 * const set = { embeddings: new Float32Array([0, 1, 10, 11]), labels: new Int32Array([0, 0, 1, 1]), dim: 1 };
 * const curves: EvaluationCurves = evaluateWithCurves(set, { maxRank: 2 }).curves;
 * // 2 same-class pairs and 4 different-class pairs; the CMC up to rank 2
 * if (curves.roc.positives !== 2 || curves.roc.negatives !== 4) throw new Error("pairs");
 * if (curves.cmc.accuracy.join() !== "1,1") throw new Error(`${curves.cmc.accuracy}`);
 * ```
 */
export interface EvaluationCurves {
  /** The ROC of the verification pairs (AUC, EER, TAR@FAR and the thresholds come from it). */
  readonly roc: RocCurve;
  /** The CMC of identification up to `maxRank` (rank-1 and rank-5 are read from it). */
  readonly cmc: CmcCurve;
  /** Distances of the same verification pairs, same-class and different-class. */
  readonly histogram: DistanceHistogram;
  /** Nearest neighbours of the first row of each of the first `neighbourQueries` labels. */
  readonly neighbours: readonly NeighbourList[];
}

/**
 * Options of {@linkcode evaluateWithCurves}: those of {@linkcode evaluate} and the curves'.
 *
 * @example
 * ```ts
 * import { evaluateWithCurves, type EvaluateWithCurvesOptions } from "./evaluate.ts";
 * const set = { embeddings: new Float32Array([0, 1, 2, 10, 11, 12]), labels: new Int32Array([0, 0, 0, 1, 1, 1]), dim: 1 };
 * const options: EvaluateWithCurvesOptions = { bins: 4, maxRank: 2, neighbourQueries: 1, neighbours: 2 };
 * const { curves } = evaluateWithCurves(set, options);
 * // one query (row 0): its two nearest rows are rows 1 and 2, of its class
 * if (curves.histogram.edges.length !== 5 || curves.neighbours.length !== 1) throw new Error("sizes");
 * if (curves.neighbours[0].neighbours.map((n) => n.index).join() !== "1,2") throw new Error("neighbours");
 * ```
 */
export interface EvaluateWithCurvesOptions extends EvaluateOptions {
  /** Bins of the distance histogram (default 40). */
  readonly bins?: number;
  /** Last rank of the CMC curve (default 10). */
  readonly maxRank?: number;
  /** How many labels get a neighbour list (default 6; 0 for none). */
  readonly neighbourQueries?: number;
  /** Neighbours per list (default 8). */
  readonly neighbours?: number;
}

/** {@linkcode evaluate}'s numbers with the curves they were read from. */
export interface EvaluationWithCurves extends Evaluation {
  /** ROC, CMC, distance histogram and neighbour lists. */
  readonly curves: EvaluationCurves;
}

const checkCount = (name: string, value: unknown, fallback: number, min: number): number => {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || (value as number) < min) {
    throw new RangeError(
      `Cannot evaluate embeddings as options.${name} must be an integer ≥ ${min}: current value is ${
        String(value)
      }`,
    );
  }
  return value as number;
};

/**
 * Everything {@linkcode evaluate} computes, plus the curves it read its numbers from: the
 * ROC and the distance histogram of the same verification pairs, the CMC of the same
 * gallery split (to `maxRank`, default 10), and the nearest-neighbour lists of a few rows
 * (the first row of each of the first `neighbourQueries` labels, ties broken by row
 * index). What a report draws, so nothing is computed twice or from other samples. The
 * numbers equal `evaluate(set, options)`'s.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { evaluate, evaluateWithCurves } from "./evaluate.ts";
 * import { auc } from "./auc.ts";
 * const set = {
 *   embeddings: new Float32Array([0, 0.5, 3, 10, 10.5, 2.5]),
 *   labels: new Int32Array([0, 0, 0, 1, 1, 1]),
 *   dim: 1,
 * };
 * const e = evaluateWithCurves(set, { seed: 1 });
 * // the numbers are evaluate's, and the AUC is the area under the returned ROC
 * assert.deepEqual(e.verification, evaluate(set, { seed: 1 }).verification);
 * assert.equal(e.verification.auc, auc(e.curves.roc));
 * assert.equal(e.identification.rank1, e.curves.cmc.accuracy[0]);
 * // 6 same-class and 9 different-class pairs in the histogram
 * const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
 * assert.deepEqual([sum(e.curves.histogram.same.counts), sum(e.curves.histogram.different.counts)], [6, 9]);
 * ```
 */
export function evaluateWithCurves(
  set: EmbeddingSet,
  options: EvaluateWithCurvesOptions = {},
): EvaluationWithCurves {
  const distance = checkDistance(
    "evaluate embeddings",
    "options.distance",
    options.distance === undefined ? euclidean : options.distance,
  );
  const bins = checkCount("bins", options.bins, 40, 1);
  const maxRank = checkCount("maxRank", options.maxRank, 10, 1);
  const queries = checkCount("neighbourQueries", options.neighbourQueries, 6, 0);
  const perQuery = checkCount("neighbours", options.neighbours, 8, 1);
  const seed = options.seed ?? 0;
  const pairs = pairDistances(set, { distance, seed, maxPairs: options.maxPairs });
  const roc = rocCurve(pairs.distances, pairs.same);
  const eer = equalErrorRate(roc);
  const best = bestAccuracyThreshold(roc);
  const { gallery, probes } = galleryProbeSplit(set, {
    seed,
    galleryPerClass: options.galleryPerClass,
  });
  // Ranks 1 to 5 are always computed (rank-5 is a number of the evaluation).
  const full = cmcCurve(gallery, probes, {
    distance,
    maxRank: Math.max(maxRank, 5),
    ties: options.ties,
  });
  const cmc = full.ranks.length === maxRank
    ? full
    : { ...full, ranks: full.ranks.slice(0, maxRank), accuracy: full.accuracy.slice(0, maxRank) };
  const retrieval = retrievalMetrics(set, { distance, ties: options.ties });
  const histogram = distanceHistogram(pairs.distances, pairs.same, { bins });
  const at = (k: number) => full.accuracy[Math.min(k, full.accuracy.length) - 1];
  return {
    verification: {
      auc: auc(roc),
      eer: eer.eer,
      eerThreshold: eer.threshold,
      tarAtFar: { "0.01": tarAtFar(roc, 0.01), "0.001": tarAtFar(roc, 0.001) },
      threshold: best.threshold,
      accuracy: best.accuracy,
    },
    identification: { rank1: at(1), rank5: at(5) },
    retrieval: {
      precisionAt1: retrieval.precisionAt1,
      rPrecision: retrieval.rPrecision,
      mapAtR: retrieval.mapAtR,
    },
    curves: {
      roc,
      cmc,
      histogram,
      neighbours: neighbourLists(set, distance, queries, perQuery),
    },
  };
}

/** The first row of each of the first `queries` labels (by label value) and its neighbours. */
function neighbourLists(
  set: EmbeddingSet,
  distance: Distance,
  queries: number,
  perQuery: number,
): NeighbourList[] {
  if (queries === 0) return [];
  const { labels, dim } = set;
  const n = labels.length;
  const rows = set.embeddings instanceof Float32Array
    ? set.embeddings
    : Float32Array.from(set.embeddings);
  const firsts = new Map<number, number>();
  for (let i = 0; i < n; i++) if (!firsts.has(labels[i])) firsts.set(labels[i], i);
  const chosen = [...firsts.entries()].sort((a, b) => a[0] - b[0]).slice(0, queries);
  const out = new Float64Array(n);
  return chosen.map(([label, query]) => {
    hostRow(distance.host, rows.subarray(query * dim, (query + 1) * dim), rows, n, dim, out);
    const order: number[] = [];
    for (let j = 0; j < n; j++) if (j !== query) order.push(j);
    order.sort((a, b) => out[a] - out[b] || a - b);
    return {
      query,
      neighbours: order.slice(0, perQuery).map((index) => ({
        index,
        distance: out[index],
        correct: labels[index] === label,
      })),
    };
  });
}
