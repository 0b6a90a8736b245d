import * as tf from "@tensorflow/tfjs";
import { squaredEuclidean } from "../distances/squared_euclidean.ts";
import type { Distance, Labelled, Loss, Tensor1D } from "../types.ts";
import { pairMasks } from "./_labelled.ts";
import { checkDistance } from "./_validate.ts";
import { sum } from "./sum.ts";

/** Options of {@linkcode fastAP}. */
export interface FastAPOptions {
  /** Number of histogram bins (default 10, as pytorch-metric-learning). An integer ≥ 1. */
  readonly bins?: number;
  /**
   * Largest distance the histogram covers (default 4: squared euclidean distances of unit
   * vectors, as pml). Distances beyond it fall in no bin.
   */
  readonly histogramMax?: number;
  /** Distance between embeddings (default `squaredEuclidean`, as pml's `LpDistance(power=2)`). */
  readonly distance?: Distance;
}

/**
 * FastAP (Cakir et al. 2019, "Deep Metric Learning to Rank") on a labelled batch, as
 * pytorch-metric-learning's `FastAPLoss`: each row ranks the others by distance, quantised
 * into `bins` triangular (linearly interpolated) bins of width `Δ = histogramMax / bins`
 * centred at `0, Δ, …, histogramMax`; with `h⁺_b`, `h_b` the soft counts of its positives and
 * of all its other rows in bin `b` and `H⁺_b`, `H_b` their cumulative sums, its average
 * precision is approximated by
 *
 * `FastAP_i = (1/N⁺_i)·Σ_b h⁺_b·H⁺_b / H_b` (terms with `h⁺_b·H⁺_b = 0` or `H_b = 0` skipped)
 *
 * and the row costs `1 − FastAP_i`. The loss is the mean over rows with a positive (pml's
 * `MeanReducer` over them); `perItem` gives each such row's share of it (0 for the others)
 * and `reduce` is `sum`. No row with a positive, or no positive in any bin, gives exactly 0
 * (pml's rule).
 *
 * Defaults are pml's: 10 bins over [0, 4] of `squaredEuclidean`. pml L2-normalises the
 * embeddings first; `squaredEuclidean` does not (put `branches.l2Normalize()` in the branch
 * for pml's numbers, or set `histogramMax` to the range of your distances).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fastAP } from "./fast_ap.ts";
 * await tf.setBackend("cpu");
 * // Each row's positive is at squared distance 0 and its negative at 4: every positive ranks
 * // first, FastAP = 1 and the loss is 0. Swap the labels of rows 1 and 2 and each row's
 * // positive is at 4, tied with one negative and behind the other (at 0): in the last bin
 * // h⁺ = H⁺ = 1 and H = 3, so FastAP = 1/3 and the loss is 2/3.
 * const loss = fastAP();
 * const embeddings = tf.tensor2d([[1, 0], [1, 0], [-1, 0], [-1, 0]]);
 * const value = (labels: number[]) => loss.reduce(loss.perItem({ kind: "labelled", embeddings, labels: tf.tensor1d(labels, "int32") })).dataSync()[0];
 * if (value([0, 0, 1, 1]) !== 0) throw new Error("ranked first");
 * if (Math.abs(value([0, 1, 0, 1]) - 2 / 3) > 1e-6) throw new Error("ranked last");
 * ```
 */
export function fastAP(options: FastAPOptions = {}): Loss<Labelled> {
  const what = "fastAP";
  const bins = options.bins ?? 10;
  if (!Number.isInteger(bins) || bins < 1 || bins > 10000) {
    throw new Error(
      `Cannot create ${what} as options.bins must be an integer in [1, 10000]: current value is ${bins}`,
    );
  }
  const top = options.histogramMax ?? 4;
  if (typeof top !== "number" || !Number.isFinite(top) || top <= 0) {
    throw new Error(
      `Cannot create ${what} as options.histogramMax must be a finite number > 0: current value is ${top}`,
    );
  }
  const distance = checkDistance(what, options.distance ?? squaredEuclidean);
  const delta = top / bins;
  const centres = Array.from({ length: bins + 1 }, (_, b) => (b * top) / bins);
  return {
    name: "fast-ap",
    distance,
    reduce: sum,
    perItem: (input: Labelled): Tensor1D =>
      tf.tidy(() => {
        const { same, other } = pairMasks("fast-ap loss", input);
        const n = input.embeddings.shape[0];
        if (n === 0) return tf.zeros([0]) as Tensor1D;
        const d = distance.matrix(input.embeddings, input.embeddings);
        // pulse[i, j, b] = (1 − |d_ij − c_b| / Δ)₊
        const c = tf.tensor1d(centres).reshape([1, 1, bins + 1]);
        const pulse = tf.relu(tf.sub(1, tf.div(tf.abs(tf.sub(tf.expandDims(d, 2), c)), delta)));
        const pos = tf.sum(tf.mul(pulse, tf.expandDims(same, 2)), 1); // [n, bins + 1]
        const neg = tf.sum(tf.mul(pulse, tf.expandDims(other, 2)), 1);
        const product = tf.mul(pos, tf.cumsum(pos, 1));
        const total = tf.cumsum(tf.add(pos, neg), 1);
        // 0/1 masks through sign (both are ≥ 0): tfjs has no gradient for comparisons
        const safe = tf.mul(tf.sign(product), tf.sign(total));
        const ratio = tf.div(product, tf.add(total, tf.sub(1, tf.sign(total))));
        const ap = tf.sum(tf.mul(safe, ratio), 1);
        const positives = tf.sum(same, 1);
        const has = tf.sign(positives);
        // AP ≤ 1; relu keeps float rounding from giving −1e−7
        const rows = tf.mul(tf.relu(tf.sub(1, tf.div(ap, tf.maximum(positives, 1)))), has);
        // pml: no positive in any bin anywhere → 0
        const any = tf.sign(tf.sum(tf.mul(safe, product)));
        return tf.mul(tf.div(rows, tf.maximum(tf.sum(has), 1)), any) as Tensor1D;
      }),
  };
}
