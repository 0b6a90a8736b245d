import type { RocCurve } from "./roc_curve.ts";
import { checkRoc } from "./_roc_check.ts";

/**
 * The area under a ROC curve (trapezoids between its points). It equals the probability
 * that a random same pair has a smaller distance than a random different pair, ties
 * counting one half: 1 is perfect separation, 0.5 is chance.
 *
 * @example
 * ```ts
 * import { auc } from "./auc.ts";
 * import { rocCurve } from "./roc_curve.ts";
 * // same {0.1, 0.4} vs different {0.3, 0.8}: 3 of the 4 (same, different) pairs are
 * // ordered correctly (0.4 > 0.3 is the wrong one), so AUC = 3/4
 * const value = auc(rocCurve([0.1, 0.3, 0.4, 0.8], [1, 0, 1, 0]));
 * if (value !== 0.75) throw new Error(`auc ${value}`);
 * ```
 */
export function auc(roc: RocCurve): number {
  checkRoc("compute AUC", roc);
  const { far, tar } = roc;
  let area = 0;
  for (let i = 1; i < far.length; i++) area += (far[i] - far[i - 1]) * (tar[i] + tar[i - 1]) / 2;
  return area;
}
