import { checkDistances, checkPositiveInt, checkSame } from "./_validate.ts";

/**
 * Counts of one kind of pair (same or different) in the bins of a
 * {@linkcode DistanceHistogram}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { distanceHistogram, type HistogramCounts } from "./distance_histogram.ts";
 * // bins [0, 0.5) and [0.5, 1]; the same-class distance 1.5 falls outside the range
 * const h = distanceHistogram([0.1, 0.2, 0.7, 1.5, 0.9], [1, 1, 1, 1, 0], { bins: 2, range: [0, 1] });
 * const same: HistogramCounts = h.same;
 * assert.deepEqual(same.counts, [2, 1]);
 * assert.equal(same.total, 4);
 * assert.equal(same.outside, 1);
 * assert.deepEqual(same.fraction, [0.5, 0.25]); // counts / total
 * ```
 */
export interface HistogramCounts {
  /** Pairs per bin. */
  readonly counts: number[];
  /** `counts / total` per bin: the bars of a normalised histogram (sum ≤ 1). */
  readonly fraction: number[];
  /** Pairs of this kind, inside the range or not. */
  readonly total: number;
  /** Pairs of this kind outside the range (only with an explicit `range`). */
  readonly outside: number;
}

/**
 * Histograms of same-pair and different-pair distances over shared bin edges: bin `i`
 * covers `[edges[i], edges[i + 1])`, the last bin also includes its right edge.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type DistanceHistogram, distanceHistogram } from "./distance_histogram.ts";
 * // without a range, the edges span the smallest to the largest distance: [1, 5] in 4 bins
 * const h: DistanceHistogram = distanceHistogram([1, 2, 3.5, 5], [1, 1, 0, 0], { bins: 4 });
 * assert.deepEqual(h.edges, [1, 2, 3, 4, 5]);
 * assert.deepEqual(h.same.counts, [1, 1, 0, 0]);
 * assert.deepEqual(h.different.counts, [0, 0, 1, 1]); // 5 lands in the last bin, [4, 5]
 * ```
 */
export interface DistanceHistogram {
  /** `bins + 1` increasing edges shared by both histograms. */
  readonly edges: number[];
  /** Distances of pairs of the same class. */
  readonly same: HistogramCounts;
  /** Distances of pairs of different classes. */
  readonly different: HistogramCounts;
}

/**
 * Options of {@linkcode distanceHistogram}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { distanceHistogram, type DistanceHistogramOptions } from "./distance_histogram.ts";
 * const options: DistanceHistogramOptions = { bins: 4, range: [0, 2] };
 * const h = distanceHistogram([0.1, 0.6, 3], [1, 1, 0], options);
 * assert.deepEqual(h.edges, [0, 0.5, 1, 1.5, 2]);
 * assert.deepEqual(h.same.counts, [1, 1, 0, 0]);
 * assert.equal(h.different.outside, 1); // 3 is beyond the range
 * ```
 */
export interface DistanceHistogramOptions {
  /** Number of equal-width bins (default 30). */
  readonly bins?: number;
  /**
   * `[low, high]` of the edges (default: the smallest and largest distance; when all
   * distances are equal, `[d − 0.5, d + 0.5]`). Distances outside are counted in `outside`.
   */
  readonly range?: readonly [number, number];
}

/**
 * The distributions of matched (same-class) and mismatched pair distances as two
 * histograms on the same edges: the picture of how well an embedding separates. Either
 * kind may be absent (its counts are then all 0).
 *
 * @example
 * ```ts
 * import { distanceHistogram } from "./distance_histogram.ts";
 * import assert from "node:assert/strict";
 * // range [0, 1] in 2 bins: [0, 0.5) and [0.5, 1]
 * const h = distanceHistogram([0, 0.2, 0.6, 0.7, 1], [1, 1, 1, 0, 0], { bins: 2 });
 * assert.deepEqual(h.edges, [0, 0.5, 1]);
 * assert.deepEqual(h.same.counts, [2, 1]);
 * assert.deepEqual(h.different.counts, [0, 2]);
 * assert.deepEqual(h.different.fraction, [0, 1]);
 * ```
 */
export function distanceHistogram(
  distances: ArrayLike<number>,
  same: ArrayLike<boolean | number>,
  options: DistanceHistogramOptions = {},
): DistanceHistogram {
  const what = "compute distance histogram";
  checkDistances(what, distances);
  const flags = checkSame(what, same, distances.length);
  const bins = options.bins ?? 30;
  checkPositiveInt(what, "options.bins", bins);
  let lo: number, hi: number;
  if (options.range !== undefined) {
    [lo, hi] = options.range;
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi)) {
      throw new RangeError(
        `Cannot ${what} as options.range must be finite [low, high] with low < high: current value is [${options.range}]`,
      );
    }
  } else {
    lo = Infinity;
    hi = -Infinity;
    for (let i = 0; i < distances.length; i++) {
      if (distances[i] < lo) lo = distances[i];
      if (distances[i] > hi) hi = distances[i];
    }
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
      throw new RangeError(
        `Cannot ${what} as distances must be finite without options.range: range is [${lo}, ${hi}]`,
      );
    }
    if (lo === hi) {
      lo -= 0.5;
      hi += 0.5;
    }
  }
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => i === bins ? hi : lo + i * width);
  const counts = [new Array<number>(bins).fill(0), new Array<number>(bins).fill(0)];
  const outside = [0, 0], total = [0, 0];
  for (let i = 0; i < distances.length; i++) {
    const d = distances[i], k = flags[i] ? 0 : 1;
    total[k]++;
    if (!(d >= lo && d <= hi)) {
      outside[k]++;
      continue;
    }
    let b = Math.floor((d - lo) / width);
    if (b >= bins) b = bins - 1;
    // guard against rounding at the edges
    while (b > 0 && d < edges[b]) b--;
    while (b < bins - 1 && d >= edges[b + 1]) b++;
    counts[k][b]++;
  }
  const kind = (k: number): HistogramCounts => ({
    counts: counts[k],
    fraction: counts[k].map((c) => total[k] === 0 ? 0 : c / total[k]),
    total: total[k],
    outside: outside[k],
  });
  return { edges, same: kind(0), different: kind(1) };
}
