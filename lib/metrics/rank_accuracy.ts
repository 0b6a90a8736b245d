import type { CmcCurve } from "./cmc_curve.ts";
import { checkPositiveInt } from "./_validate.ts";

/**
 * Rank-k identification accuracy read from a CMC curve: the share of probes whose label
 * is among their k nearest gallery rows.
 *
 * @example
 * ```ts
 * import { rankAccuracy } from "./rank_accuracy.ts";
 * const cmc = { ranks: [1, 2, 3], accuracy: [0.25, 0.75, 1], probes: 4, probesWithoutMatch: 0 };
 * if (rankAccuracy(cmc, 1) !== 0.25) throw new Error("rank-1");
 * if (rankAccuracy(cmc, 2) !== 0.75) throw new Error("rank-2");
 * ```
 */
export function rankAccuracy(cmc: CmcCurve, k: number): number {
  const what = "read rank-k accuracy";
  if (cmc === null || typeof cmc !== "object" || !Array.isArray(cmc.accuracy)) {
    throw new TypeError(`Cannot ${what} as cmc must be a curve from cmcCurve: got ${cmc}`);
  }
  checkPositiveInt(what, "k", k);
  if (k > cmc.accuracy.length) {
    throw new RangeError(
      `Cannot ${what} as k must be at most the curve's last rank ${cmc.accuracy.length}: current value is ${k}`,
    );
  }
  return cmc.accuracy[k - 1];
}
