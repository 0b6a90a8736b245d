import { checkDistances, checkSame } from "./_validate.ts";
import { sortRange } from "./_sort.ts";

/**
 * A receiver operating characteristic for distances: accepting a pair as "same" when its
 * distance is ≤ `thresholds[i]` accepts the fraction `tar[i]` of same pairs (true accept
 * rate) and the fraction `far[i]` of different pairs (false accept rate).
 *
 * Points are ordered by increasing threshold, one per distinct distance, after a first
 * point `(far 0, tar 0)` with threshold `-Infinity` (accept nothing); the last point is
 * `(1, 1)` at the largest distance. `far` and `tar` never decrease.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rocCurve, type RocCurve } from "./roc_curve.ts";
 * // a same pair at 0.1 and a different pair at 0.9: accepting d ≤ 0.1 is the perfect point
 * const roc: RocCurve = rocCurve([0.9, 0.1], [false, true]);
 * assert.deepEqual(roc.thresholds, [-Infinity, 0.1, 0.9]);
 * assert.deepEqual(roc.tar, [0, 1, 1]);
 * assert.deepEqual(roc.far, [0, 0, 1]);
 * ```
 */
export interface RocCurve {
  /** Distance thresholds, increasing; the first is `-Infinity`. */
  readonly thresholds: number[];
  /** False accept rate at each threshold: accepted different pairs / different pairs. */
  readonly far: number[];
  /** True accept rate at each threshold: accepted same pairs / same pairs. */
  readonly tar: number[];
  /** Number of same pairs. */
  readonly positives: number;
  /** Number of different pairs. */
  readonly negatives: number;
}

/**
 * The ROC curve of pair distances (smaller means more likely the same; a pair is accepted
 * when its distance is ≤ the threshold). Tied distances form one point, so a tie between a
 * same and a different pair gives a diagonal segment (it counts half in the AUC).
 *
 * Throws when the inputs are empty, differ in length, hold NaN, or lack either same or
 * different pairs.
 *
 * @example
 * ```ts
 * import { rocCurve } from "./roc_curve.ts";
 * import assert from "node:assert/strict";
 * // same pairs at 0.1 and 0.4, different pairs at 0.3 and 0.8
 * const roc = rocCurve([0.1, 0.3, 0.4, 0.8], [true, false, true, false]);
 * assert.deepEqual(roc.thresholds, [-Infinity, 0.1, 0.3, 0.4, 0.8]);
 * assert.deepEqual(roc.tar, [0, 0.5, 0.5, 1, 1]);
 * assert.deepEqual(roc.far, [0, 0, 0.5, 0.5, 1]);
 * ```
 */
export function rocCurve(
  distances: ArrayLike<number>,
  same: ArrayLike<boolean | number>,
): RocCurve {
  const what = "compute ROC curve";
  checkDistances(what, distances);
  const flags = checkSame(what, same, distances.length);
  let p = 0;
  for (let i = 0; i < flags.length; i++) p += flags[i];
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
  sortRange(pos, 0, p);
  sortRange(neg, 0, n);
  const thresholds = [-Infinity], far = [0], tar = [0];
  let i = 0, j = 0;
  while (i < p || j < n) {
    const t = i < p && (j >= n || pos[i] <= neg[j]) ? pos[i] : neg[j];
    while (i < p && pos[i] <= t) i++;
    while (j < n && neg[j] <= t) j++;
    thresholds.push(t);
    tar.push(i / p);
    far.push(j / n);
  }
  return { thresholds, far, tar, positives: p, negatives: n };
}
