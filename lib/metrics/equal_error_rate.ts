import type { RocCurve } from "./roc_curve.ts";
import { checkRoc } from "./_roc_check.ts";

/**
 * The equal error rate of a verifier and a threshold near it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type EqualErrorRate, equalErrorRate } from "./equal_error_rate.ts";
 * import { rocCurve } from "./roc_curve.ts";
 * // same pairs at 0.1 and 0.2, different pairs at 0.7 and 0.9: accepting d ≤ 0.2 makes no error
 * const e: EqualErrorRate = equalErrorRate(rocCurve([0.7, 0.1, 0.9, 0.2], [0, 1, 0, 1]));
 * assert.deepEqual(e, { eer: 0, threshold: 0.2 });
 * ```
 */
export interface EqualErrorRate {
  /** The rate at which false accepts equal false rejects (`far = 1 − tar`), in [0, 1]. */
  readonly eer: number;
  /**
   * The threshold of the ROC point nearest to the crossing (of the two ends of the segment
   * it lies on); never `-Infinity` (the next threshold is used instead).
   */
  readonly threshold: number;
}

/**
 * The equal error rate: where the false accept rate equals the false reject rate
 * `1 − tar`, found by linear interpolation along the ROC curve (between the last point
 * with `far < 1 − tar` and the next one).
 *
 * @example
 * ```ts
 * import { equalErrorRate } from "./equal_error_rate.ts";
 * import { rocCurve } from "./roc_curve.ts";
 * // ROC points (far, tar): (0,0) (0,½) (½,½) (½,1) (1,1); far + tar − 1 is −1, −½, 0, …:
 * // the point (½, ½) at threshold 0.3 has far = 1 − tar = ½
 * const { eer, threshold } = equalErrorRate(rocCurve([0.1, 0.3, 0.4, 0.8], [1, 0, 1, 0]));
 * if (eer !== 0.5 || threshold !== 0.3) throw new Error(`${eer} ${threshold}`);
 * ```
 */
export function equalErrorRate(roc: RocCurve): EqualErrorRate {
  checkRoc("compute equal error rate", roc);
  const { far, tar, thresholds } = roc;
  const gap = (i: number) => far[i] + tar[i] - 1; // far − (1 − tar)
  let i = 0;
  while (i < far.length - 2 && gap(i + 1) < 0) i++;
  const g0 = gap(i), g1 = gap(i + 1);
  const alpha = g1 === g0 ? 0 : Math.min(1, Math.max(0, -g0 / (g1 - g0)));
  const eer = far[i] + alpha * (far[i + 1] - far[i]);
  const near = alpha <= 0.5 && thresholds[i] !== -Infinity ? i : i + 1;
  return { eer, threshold: thresholds[near] };
}
