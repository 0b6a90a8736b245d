import { checkDistances, checkSame } from "./_validate.ts";
import { sortRange } from "./_sort.ts";
import { distanceHistogram } from "./distance_histogram.ts";

/**
 * Descriptive statistics of one kind of pair distance.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type DistanceStats, distanceSummary } from "./distance_summary.ts";
 * // same-class distances 1…5, different-class 10 and 12
 * const s: DistanceStats = distanceSummary([1, 2, 3, 4, 5, 10, 12], [1, 1, 1, 1, 1, 0, 0]).same;
 * assert.equal(s.count, 5);
 * assert.equal(s.mean, 3);
 * assert.equal(s.std, Math.sqrt(2)); // (4 + 1 + 0 + 1 + 4) / 5 = 2
 * assert.deepEqual([s.min, s.q25, s.median, s.q75, s.max], [1, 2, 3, 4, 5]);
 * ```
 */
export interface DistanceStats {
  /** Number of pairs. */
  readonly count: number;
  /** Arithmetic mean. */
  readonly mean: number;
  /** Population standard deviation (divides by `count`). */
  readonly std: number;
  /** Smallest distance. */
  readonly min: number;
  /** Largest distance. */
  readonly max: number;
  /** 5 % quantile (linear interpolation between order statistics, as numpy's default). */
  readonly q05: number;
  /** 25 % quantile. */
  readonly q25: number;
  /** Median. */
  readonly median: number;
  /** 75 % quantile. */
  readonly q75: number;
  /** 95 % quantile. */
  readonly q95: number;
}

/**
 * How far apart the matched and mismatched distance distributions are.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type DistanceSummary, distanceSummary } from "./distance_summary.ts";
 * // same {1, 3}: mean 2, std 1; different {6, 8}: mean 7, std 1
 * const s: DistanceSummary = distanceSummary([1, 3, 6, 8], [1, 1, 0, 0], { bins: 2 });
 * assert.equal(s.different.mean - s.same.mean, 5);
 * assert.equal(s.dPrime, 5); // gap / √((1² + 1²) / 2)
 * assert.equal(s.overlap, 0); // bins [1, 4.5) and [4.5, 8] separate the kinds
 * ```
 */
export interface DistanceSummary {
  /** Statistics of same-class pair distances. */
  readonly same: DistanceStats;
  /** Statistics of different-class pair distances. */
  readonly different: DistanceStats;
  /**
   * Sensitivity index `(mean_different − mean_same) / √((std_same² + std_different²) / 2)`:
   * larger is better separated; 0 when both spreads and means are equal; ±Infinity when
   * both spreads are 0 and the means differ.
   */
  readonly dPrime: number;
  /**
   * Overlap coefficient `Σ min(fraction_same[i], fraction_different[i])` over the bins of
   * {@linkcode distanceHistogram} with the same `bins` (shared edges spanning all
   * distances): 1 for identical histograms, 0 when no bin holds both kinds.
   */
  readonly overlap: number;
}

/**
 * Options of {@linkcode distanceSummary}.
 *
 * @example
 * ```ts
 * import { distanceSummary, type DistanceSummaryOptions } from "./distance_summary.ts";
 * // same {0, 2}, different {1, 3}, binned over [0, 3]
 * const overlap = (options: DistanceSummaryOptions) => distanceSummary([0, 2, 1, 3], [1, 1, 0, 0], options).overlap;
 * // 1 bin holds everything; 2 bins split both kinds half and half: complete overlap
 * if (overlap({ bins: 1 }) !== 1 || overlap({ bins: 2 }) !== 1) throw new Error("complete");
 * // bins [0, 1) [1, 2) [2, 3]: same ½ 0 ½, different 0 ½ ½ → only the last bin is shared
 * if (overlap({ bins: 3 }) !== 0.5) throw new Error(`${overlap({ bins: 3 })}`);
 * ```
 */
export interface DistanceSummaryOptions {
  /** Number of histogram bins for the overlap coefficient (default 30). */
  readonly bins?: number;
}

function quantile(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p, lo = Math.floor(h);
  return lo + 1 < sorted.length
    ? sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo])
    : sorted[lo];
}

function stats(values: Float64Array): DistanceStats {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (values[i] - mean) ** 2;
  sortRange(values, 0, n);
  return {
    count: n,
    mean,
    std: Math.sqrt(sq / n),
    min: values[0],
    max: values[n - 1],
    q05: quantile(values, 0.05),
    q25: quantile(values, 0.25),
    median: quantile(values, 0.5),
    q75: quantile(values, 0.75),
    q95: quantile(values, 0.95),
  };
}

/**
 * Summarises matched (same-class) versus mismatched pair distances: mean, spread and
 * quantiles of each, d-prime, and the overlap of their histograms. Needs at least one pair
 * of each kind and finite distances.
 *
 * @example
 * ```ts
 * import { distanceSummary } from "./distance_summary.ts";
 * // same {1, 3}: mean 2, std 1; different {5, 7}: mean 6, std 1 → d' = 4 / √1 = 4
 * const s = distanceSummary([1, 3, 5, 7], [1, 1, 0, 0], { bins: 2 });
 * if (s.same.mean !== 2 || s.same.std !== 1 || s.dPrime !== 4) throw new Error("summary");
 * // bins [1, 4) and [4, 7] separate the kinds: no overlap
 * if (s.overlap !== 0) throw new Error("overlap");
 * ```
 */
export function distanceSummary(
  distances: ArrayLike<number>,
  same: ArrayLike<boolean | number>,
  options: DistanceSummaryOptions = {},
): DistanceSummary {
  const what = "summarise distances";
  checkDistances(what, distances);
  const flags = checkSame(what, same, distances.length);
  let p = 0;
  for (let i = 0; i < flags.length; i++) {
    p += flags[i];
    if (!Number.isFinite(distances[i])) {
      throw new RangeError(
        `Cannot ${what} as distances[${i}] must be finite: current value is ${distances[i]}`,
      );
    }
  }
  const n = flags.length - p;
  if (p === 0 || n === 0) {
    throw new RangeError(
      `Cannot ${what} as same must flag at least one same and one different pair: ${p} same and ${n} different`,
    );
  }
  const pos = new Float64Array(p), neg = new Float64Array(n);
  for (let i = 0, a = 0, b = 0; i < flags.length; i++) {
    if (flags[i]) pos[a++] = distances[i];
    else neg[b++] = distances[i];
  }
  const s = stats(pos), d = stats(neg);
  const spread = Math.sqrt((s.std ** 2 + d.std ** 2) / 2);
  const gap = d.mean - s.mean;
  const dPrime = spread > 0 ? gap / spread : gap === 0 ? 0 : gap * Infinity;
  const h = distanceHistogram(distances, flags, { bins: options.bins ?? 30 });
  let overlap = 0;
  for (let i = 0; i < h.same.fraction.length; i++) {
    overlap += Math.min(h.same.fraction[i], h.different.fraction[i]);
  }
  return { same: s, different: d, dPrime, overlap };
}
