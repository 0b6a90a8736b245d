/**
 * Checks that a value looks like a {@linkcode RocCurve} built by `rocCurve`.
 *
 * @module
 */
import type { RocCurve } from "./roc_curve.ts";

/** Throws unless `roc` has matching, non-empty far/tar/threshold arrays. */
export function checkRoc(what: string, roc: RocCurve): void {
  if (
    roc === null || typeof roc !== "object" || !Array.isArray(roc.far) ||
    !Array.isArray(roc.tar) || !Array.isArray(roc.thresholds)
  ) {
    throw new TypeError(`Cannot ${what} as roc must be a curve from rocCurve: got ${roc}`);
  }
  if (
    roc.far.length < 2 || roc.far.length !== roc.tar.length ||
    roc.far.length !== roc.thresholds.length
  ) {
    throw new RangeError(
      `Cannot ${what} as roc must hold at least 2 points with as many far, tar and thresholds: lengths are ${roc.far.length}, ${roc.tar.length}, ${roc.thresholds.length}`,
    );
  }
}
