import type { RocCurve } from "./roc_curve.ts";
import type { OperatingPoint } from "./threshold_at_far.ts";
import { checkRoc } from "./_roc_check.ts";

/**
 * The threshold with the best verification accuracy, and that accuracy.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type BestAccuracy, bestAccuracyThreshold } from "./best_accuracy_threshold.ts";
 * import { rocCurve } from "./roc_curve.ts";
 * // same pairs at 0.1 and 0.2, different pairs at 0.7 and 0.9: accepting d ≤ 0.2 is always right
 * const best: BestAccuracy = bestAccuracyThreshold(rocCurve([0.7, 0.1, 0.9, 0.2], [0, 1, 0, 1]));
 * assert.deepEqual(best, { threshold: 0.2, far: 0, tar: 1, accuracy: 1 });
 * ```
 */
export interface BestAccuracy extends OperatingPoint {
  /** (accepted same pairs + rejected different pairs) / all pairs at `threshold`. */
  readonly accuracy: number;
}

/**
 * The ROC point with the highest accuracy `(tar · positives + (1 − far) · negatives) /
 * (positives + negatives)` on the evaluated pairs (the smallest such threshold when
 * several tie). The threshold is a distance seen in the data (or `-Infinity`: reject all).
 *
 * @example
 * ```ts
 * import { bestAccuracyThreshold } from "./best_accuracy_threshold.ts";
 * import { rocCurve } from "./roc_curve.ts";
 * // distances 0.1 (same), 0.3 (diff), 0.4 (same), 0.8 (diff); correct decisions per
 * // threshold: -∞ → 2, 0.1 → 3, 0.3 → 2, 0.4 → 3, 0.8 → 2; first best is 0.1
 * const best = bestAccuracyThreshold(rocCurve([0.1, 0.3, 0.4, 0.8], [1, 0, 1, 0]));
 * if (best.threshold !== 0.1 || best.accuracy !== 0.75) throw new Error("best");
 * ```
 */
export function bestAccuracyThreshold(roc: RocCurve): BestAccuracy {
  checkRoc("find best-accuracy threshold", roc);
  const { far, tar, thresholds, positives, negatives } = roc;
  let best = 0, bestCorrect = -1;
  for (let i = 0; i < far.length; i++) {
    const correct = tar[i] * positives + (1 - far[i]) * negatives;
    if (correct > bestCorrect + 1e-9) {
      best = i;
      bestCorrect = correct;
    }
  }
  return {
    threshold: thresholds[best],
    far: far[best],
    tar: tar[best],
    accuracy: Math.round(bestCorrect) / (positives + negatives),
  };
}
