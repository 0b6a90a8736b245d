/**
 * Sampling weights of the distance-weighted miner (Wu et al. 2017, §4, with
 * pytorch-metric-learning's clipping): for anchor `i` and a row `j` of another class at
 * distance `d`, `w ∝ 1 / q(max(d, cutoff))` with `q(d) ∝ d^(k−2)·(1 − d²/4)^((k−3)/2)` the
 * density of distances between uniform points on the unit sphere in `k` dimensions, and
 * `w = 0` when `d ≥ nonzeroLossCutoff` or `q` is 0 or not finite there. Rows sum to 1 (or are
 * all 0 when no negative qualifies). Same-class entries are 0.
 */
export function distanceWeights(
  d: number[][],
  labels: ArrayLike<number>,
  dim: number,
  cutoff: number,
  nonzeroLossCutoff: number,
): number[][] {
  return d.map((row, i) => {
    const logs = row.map((dij, j) => {
      if (labels[j] === labels[i] || !(dij < nonzeroLossCutoff)) return NaN;
      const x = Math.max(dij, cutoff);
      const lw = (2 - dim) * Math.log(x) - ((dim - 3) / 2) * Math.log(1 - 0.25 * x * x);
      return Number.isFinite(lw) ? lw : NaN;
    });
    const top = Math.max(...logs.filter((v) => !Number.isNaN(v)));
    const w = logs.map((v) => (Number.isNaN(v) ? 0 : Math.exp(v - top)));
    const total = w.reduce((s, v) => s + v, 0);
    return total > 0 ? w.map((v) => v / total) : w;
  });
}
