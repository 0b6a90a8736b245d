import type { RocCurve } from "./roc_curve.ts";
import { checkRoc } from "./_roc_check.ts";
import { checkRate } from "./_validate.ts";

/**
 * A point of a ROC curve: the distance threshold (accept when distance ≤ threshold) and
 * the false and true accept rates it gives on the evaluated pairs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type OperatingPoint, thresholdAtFar } from "./threshold_at_far.ts";
 * import { rocCurve } from "./roc_curve.ts";
 * // same pairs at 0.1 and 0.4, different pairs at 0.3 and 0.8
 * const roc = rocCurve([0.1, 0.3, 0.4, 0.8], [1, 0, 1, 0]);
 * // with no false accept allowed, only d ≤ 0.1 is accepted: one of the two same pairs
 * const p: OperatingPoint = thresholdAtFar(roc, 0);
 * assert.deepEqual(p, { threshold: 0.1, far: 0, tar: 0.5 });
 * ```
 */
export interface OperatingPoint {
  /** Distance threshold; `-Infinity` means accept nothing. */
  readonly threshold: number;
  /** False accept rate at this threshold. */
  readonly far: number;
  /** True accept rate at this threshold. */
  readonly tar: number;
}

/**
 * The largest threshold whose false accept rate does not exceed `far` (no interpolation:
 * the threshold is a distance seen in the data, or `-Infinity` when even the smallest
 * distance belongs to more than that share of different pairs).
 *
 * @example
 * ```ts
 * import { thresholdAtFar } from "./threshold_at_far.ts";
 * import { rocCurve } from "./roc_curve.ts";
 * // different pairs at 0.3 and 0.8: thresholds below 0.3 accept none of them, and
 * // 0.4 (a same pair) is the largest threshold still accepting only one of the two
 * const roc = rocCurve([0.1, 0.3, 0.4, 0.8], [1, 0, 1, 0]);
 * const p = thresholdAtFar(roc, 0.5);
 * if (p.threshold !== 0.4 || p.far !== 0.5 || p.tar !== 1) throw new Error("0.5");
 * if (thresholdAtFar(roc, 0.49).threshold !== 0.1) throw new Error("0.49");
 * ```
 */
export function thresholdAtFar(roc: RocCurve, far: number): OperatingPoint {
  const what = "find threshold at FAR";
  checkRoc(what, roc);
  checkRate(what, "far", far);
  let i = 0;
  while (i + 1 < roc.far.length && roc.far[i + 1] <= far) i++;
  return { threshold: roc.thresholds[i], far: roc.far[i], tar: roc.tar[i] };
}
