import * as tf from "@tensorflow/tfjs";
import { euclidean } from "../distances/euclidean.ts";
import type { Labelled, Loss, Tensor, Tensor1D } from "../types.ts";
import { pairMasks } from "./_labelled.ts";
import { maskedLogSumExp } from "./_similarity.ts";
import { sum } from "./sum.ts";

/** Options of {@linkcode angular}. */
export interface AngularOptions {
  /** The angle α at the negative, in degrees, in (0, 90) (default 40, as pml). */
  readonly alpha?: number;
}

/** `x / max(‖x‖, 1e-12)` row-wise (PyTorch's `normalize`), with a zero gradient at a zero row. */
function normalizeRows(x: Tensor): Tensor {
  // max(‖x‖², 1e-24) passes no gradient to a zero row (no comparison on x: tfjs has no
  // gradient for comparisons)
  return tf.div(x, tf.sqrt(tf.maximum(tf.sum(tf.square(x), 1, true), 1e-24)));
}

/**
 * The angular loss (Wang et al. 2017, "Deep Metric Learning with Angular Loss", eq. 8, the
 * N-pair form) on a labelled batch, as pytorch-metric-learning's `AngularLoss`: every
 * same-class pair `(a, p)`, `a ≠ p`, with `x_a`, `x_p` L2-normalised, costs
 *
 * `log(1 + Σ_{n ∈ N(a)} exp(4·tan²α·(x_a + x_p)ᵀx_n − 2·(1 + tan²α)·x_aᵀx_p))`
 *
 * over the rows `n` of other classes, and the loss is the mean over all same-class pairs
 * (pml's `MeanReducer` over positive pairs). `perItem` gives each anchor's share of that mean
 * (one value per row) and `reduce` is `sum`. A pair without negatives costs 0; a batch
 * without a same-class pair or without another class gives exactly 0.
 *
 * As in pml, anchors and positives are L2-normalised by the loss and the negatives `x_n` are
 * used as given: with an `l2Normalize` branch (the paper's setting) every vector is a unit
 * vector. The loss has no distance option (pml accepts only its normalised euclidean one);
 * its `distance` is `euclidean`, for `Program.scorePairs`. Default α = 40° (pml's). It builds
 * an `n³` tensor of (anchor, positive, negative) terms: keep batches ≲ 200.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { angular } from "./angular.ts";
 * await tf.setBackend("cpu");
 * // Rows 0 and 1 (class 0) equal, row 2 (class 1) orthogonal: x_aᵀx_p = 1, (x_a + x_p)ᵀx_n = 0,
 * // so each of the two pairs costs log(1 + exp(−2·(1 + tan²α))) = log(1 + exp(−2 / cos²α)).
 * const loss = angular({ alpha: 45 });
 * const input = { kind: "labelled" as const, embeddings: tf.tensor2d([[1, 0], [2, 0], [0, 1]]), labels: tf.tensor1d([0, 0, 1], "int32") };
 * const v = loss.reduce(loss.perItem(input)).dataSync()[0];
 * if (Math.abs(v - Math.log1p(Math.exp(-4))) > 1e-6) throw new Error(`${v}`);
 * ```
 */
export function angular(options: AngularOptions = {}): Loss<Labelled> {
  const alpha = options.alpha ?? 40;
  if (typeof alpha !== "number" || !(alpha > 0 && alpha < 90)) {
    throw new Error(
      `Cannot create angular as options.alpha must be an angle in degrees in (0, 90): current value is ${alpha}`,
    );
  }
  const t2 = Math.tan((alpha * Math.PI) / 180) ** 2;
  return {
    name: "angular",
    distance: euclidean,
    reduce: sum,
    perItem: (input: Labelled): Tensor1D =>
      tf.tidy(() => {
        const { same, other } = pairMasks("angular loss", input);
        const n = input.embeddings.shape[0];
        if (n === 0) return tf.zeros([0]) as Tensor1D;
        const unit = normalizeRows(input.embeddings);
        const g = tf.matMul(unit, input.embeddings, false, true); // g[a, m] = x_aᵀx_m
        const ap = tf.matMul(unit, unit, false, true); // x_aᵀx_p
        // f[a, p, m] = 4t²(g[a, m] + g[p, m]) − 2(1 + t²)·ap[a, p]
        const f = tf.sub(
          tf.mul(4 * t2, tf.add(tf.expandDims(g, 1), tf.expandDims(g, 0))),
          tf.expandDims(tf.mul(2 * (1 + t2), ap), 2),
        );
        const negatives = tf.broadcastTo(tf.expandDims(other, 1), [n, n, n]);
        const lse = maskedLogSumExp(
          tf.reshape(f, [n * n, n]),
          tf.reshape(negatives, [n * n, n]),
          true,
        );
        const pairs = tf.mul(tf.reshape(lse, [n, n]), same);
        return tf.div(tf.sum(pairs, 1), tf.maximum(tf.sum(same), 1)) as Tensor1D;
      }),
  };
}
