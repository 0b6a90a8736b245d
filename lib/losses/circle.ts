import * as tf from "@tensorflow/tfjs";
import { cosine } from "../distances/cosine.ts";
import type { PairMiner } from "../miners/pair_miner.ts";
import type { Distance, Labelled, Loss, LossContext, Tensor1D } from "../types.ts";
import { minedPairs } from "./_mined_masks.ts";
import { detach, maskedLogSumExp, similarities } from "./_similarity.ts";
import { checkDistance, isFunction, nonNegative } from "./_validate.ts";
import { meanNonZero } from "./mean_non_zero.ts";

/** Options of {@linkcode circle}. */
export interface CircleOptions {
  /** Relaxation margin m (default 0.4, as pytorch-metric-learning). */
  readonly m?: number;
  /** Scale γ (default 80, as pytorch-metric-learning). */
  readonly gamma?: number;
  /** Distance; the loss uses the similarity `s = 1 − d` (default `cosine`: `s` = cos). */
  readonly distance?: Distance;
  /** Use only the pairs this miner chooses (e.g. `multiSimilarityMiner()`); default all. */
  readonly miner?: PairMiner;
}

/**
 * The circle loss (Sun et al. 2020) on a labelled batch, pair-label form, as
 * pytorch-metric-learning's `CircleLoss`: with similarity `s = 1 − d`, optima `O_p = 1 + m`,
 * `O_n = −m` and margins `Δ_p = 1 − m`, `Δ_n = m`, row `i` with positives `P(i)` and
 * negatives `N(i)` costs
 *
 * `softplus( log Σ_{n ∈ N(i)} exp(γ·α_n·(s_in − Δ_n)) + log Σ_{p ∈ P(i)} exp(−γ·α_p·(s_ip − Δ_p)) )`
 *
 * with weights `α_p = max(O_p − s_ip, 0)` and `α_n = max(s_in − O_n, 0)` that are not
 * differentiated (the paper's and pml's `detach`). A row without a positive or without a
 * negative costs 0. `perItem` gives one value per row and `reduce` is `meanNonZero` — pml's
 * default reduction (its `AvgNonZeroReducer`), so the defaults give pml's number; pass the
 * loss as `{ ...circle(), reduce: mean }` for a plain mean over rows.
 *
 * Defaults are pml's: m = 0.4, γ = 80 (the paper's fine-grained retrieval setting) and
 * `cosine`, whose `s = 1 − d` is pml's `CosineSimilarity` (pml accepts only that distance).
 * One class, one item per class, one row, no rows, or a miner choosing no pair: exactly 0.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { circle } from "./circle.ts";
 * await tf.setBackend("cpu");
 * // Rows 0, 1 (class 0) identical, row 2 (class 1) opposite: s_p = 1, s_n = −1. With m = 0.25,
 * // γ = 1: α_p = 0.25, α_n = 0 (the negative is past its optimum), so rows 0 and 1 cost
 * // softplus(log e^0 + (−0.25·(1 − 0.75))) = softplus(−0.0625); row 2 has no positive.
 * const loss = circle({ m: 0.25, gamma: 1 });
 * const input = { kind: "labelled" as const, embeddings: tf.tensor2d([[1, 0], [1, 0], [-1, 0]]), labels: tf.tensor1d([0, 0, 1], "int32") };
 * const v = loss.reduce(loss.perItem(input)).dataSync()[0];
 * if (Math.abs(v - Math.log1p(Math.exp(-0.0625))) > 1e-6) throw new Error(`${v}`);
 * ```
 */
export function circle(options: CircleOptions = {}): Loss<Labelled> {
  const what = "circle";
  const m = nonNegative(what, "options.m", options.m ?? 0.4);
  const gamma = nonNegative(what, "options.gamma", options.gamma ?? 80);
  if (gamma === 0) {
    throw new Error(`Cannot create ${what} as options.gamma must be > 0: current value is 0`);
  }
  const distance = checkDistance(what, options.distance ?? cosine);
  const miner = options.miner === undefined
    ? undefined
    : isFunction(what, "options.miner", options.miner);
  return {
    name: "circle",
    distance,
    reduce: meanNonZero,
    acceptsReference: true,
    perItem: (input: Labelled, context?: LossContext): Tensor1D => {
      return tf.tidy(() => {
        const pairs = minedPairs("circle loss", miner, input, distance, context);
        const all = similarities("circle loss", distance, input, context);
        const { same, other } = pairs ?? all;
        const s = all.s, fixed = detach(s);
        const alphaP = tf.relu(tf.sub(1 + m, fixed));
        const alphaN = tf.relu(tf.add(fixed, m));
        const logitP = tf.mul(tf.mul(-gamma, alphaP), tf.sub(s, 1 - m));
        const logitN = tf.mul(tf.mul(gamma, alphaN), tf.sub(s, m));
        const lse = tf.add(
          maskedLogSumExp(logitP, same, false),
          maskedLogSumExp(logitN, other, false),
        );
        const both = tf.mul(tf.sign(tf.sum(same, 1)), tf.sign(tf.sum(other, 1)));
        return tf.mul(tf.softplus(lse), both) as Tensor1D;
      });
    },
  };
}
