import type { RocCurve } from "./roc_curve.ts";
import { checkRoc } from "./_roc_check.ts";
import { checkRate } from "./_validate.ts";

/**
 * The true accept rate at a given false accept rate, linearly interpolated along the ROC
 * curve: at a FAR that a point reaches exactly, the highest TAR at that FAR; between two
 * points, the straight line joining them (the rate a verifier mixing the two thresholds
 * achieves).
 *
 * @example
 * ```ts
 * import { tarAtFar } from "./tar_at_far.ts";
 * import { rocCurve } from "./roc_curve.ts";
 * // ROC points (far, tar): (0,0) (0,½) (½,½) (½,1) (1,1)
 * const roc = rocCurve([0.1, 0.3, 0.4, 0.8], [1, 0, 1, 0]);
 * if (tarAtFar(roc, 0) !== 0.5) throw new Error("at 0");       // top of the first rise
 * if (tarAtFar(roc, 0.25) !== 0.5) throw new Error("at 0.25"); // flat from (0,½) to (½,½)
 * if (tarAtFar(roc, 0.5) !== 1) throw new Error("at 0.5");
 * ```
 */
export function tarAtFar(roc: RocCurve, far: number): number {
  const what = "compute TAR at FAR";
  checkRoc(what, roc);
  checkRate(what, "far", far);
  const f = roc.far, t = roc.tar;
  let i = 0;
  while (i + 1 < f.length && f[i + 1] <= far) i++;
  if (f[i] === far || i + 1 === f.length) return t[i];
  return t[i] + (far - f[i]) / (f[i + 1] - f[i]) * (t[i + 1] - t[i]);
}
