import * as tf from "@tensorflow/tfjs";
import { cosine } from "../distances/cosine.ts";
import type { PairMiner } from "../miners/pair_miner.ts";
import type { Distance, Labelled, Loss, LossContext, Tensor1D } from "../types.ts";
import { minedPairs } from "./_mined_masks.ts";
import { maskedLogSumExp, similarities } from "./_similarity.ts";
import { checkDistance, isFunction, nonNegative } from "./_validate.ts";
import { mean } from "./mean.ts";

/** Options of {@linkcode multiSimilarity}. */
export interface MultiSimilarityOptions {
  /** Weight of positive pairs α (default 2, as pytorch-metric-learning). */
  readonly alpha?: number;
  /** Weight of negative pairs β (default 50, as pytorch-metric-learning). */
  readonly beta?: number;
  /** The similarity the pairs are pulled above / pushed below, λ (default 0.5, as pml). */
  readonly base?: number;
  /** Distance; the loss uses the similarity `s = 1 − d` (default `cosine`: `s` = cos). */
  readonly distance?: Distance;
  /** Use only the pairs this miner chooses (e.g. `multiSimilarityMiner()`); default all. */
  readonly miner?: PairMiner;
}

/**
 * The multi-similarity loss (Wang et al. 2019) on a labelled batch, as pytorch-metric-learning's
 * `MultiSimilarityLoss`: with similarity `s = 1 − d`, each row `i` costs
 *
 * `(1/α)·log(1 + Σ_{p ∈ P(i)} exp(−α(s_ip − base))) + (1/β)·log(1 + Σ_{n ∈ N(i)} exp(β(s_in − base)))`
 *
 * where `P(i)` are the other rows of its class and `N(i)` the rows of other classes (or only
 * the pairs a `miner` chose). `perItem` gives one value per row and `reduce` is `mean` over all
 * rows — pml's reduction (its `MeanReducer` over elements), so no separate pml preset is needed.
 *
 * Defaults are pml's: α = 2, β = 50, base = 0.5, and `cosine`, whose `s = 1 − d` is pml's
 * `CosineSimilarity` (cosine normalises, so the branch need not). With another distance the
 * loss equals pml's on that distance with `base` replaced by `1 − base`. Rows without positive
 * (negative) pairs contribute no positive (negative) term: a batch of one class still has its
 * positive terms, a batch of one item per class its negative terms (as pml); an empty batch, or
 * a miner choosing no pair, gives exactly 0.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { multiSimilarity } from "./multi_similarity.ts";
 * await tf.setBackend("cpu");
 * // Two orthogonal rows of one class: s = 0, each row costs (1/2)·log(1 + e^{2·0.5}) = 0.6566.
 * const loss = multiSimilarity();
 * const input = { kind: "labelled" as const, embeddings: tf.tensor2d([[1, 0], [0, 3]]), labels: tf.tensor1d([4, 4], "int32") };
 * const v = loss.reduce(loss.perItem(input)).dataSync()[0];
 * if (Math.abs(v - 0.5 * Math.log(1 + Math.E)) > 1e-6) throw new Error(`${v}`);
 * ```
 */
export function multiSimilarity(options: MultiSimilarityOptions = {}): Loss<Labelled> {
  const what = "multiSimilarity";
  const alpha = positive(what, "alpha", options.alpha ?? 2);
  const beta = positive(what, "beta", options.beta ?? 50);
  const base = options.base ?? 0.5;
  if (typeof base !== "number" || !Number.isFinite(base)) {
    throw new Error(
      `Cannot create ${what} as options.base must be a finite number: current value is ${base}`,
    );
  }
  const distance = checkDistance(what, options.distance ?? cosine);
  const miner = options.miner === undefined
    ? undefined
    : isFunction(what, "options.miner", options.miner);
  return {
    name: "multi-similarity",
    distance,
    reduce: mean,
    acceptsReference: true,
    perItem: (input: Labelled, context?: LossContext): Tensor1D => {
      return tf.tidy(() => {
        const pairs = minedPairs("multi-similarity loss", miner, input, distance, context);
        const all = similarities("multi-similarity loss", distance, input, context);
        const { same, other } = pairs ?? all;
        const pos = maskedLogSumExp(tf.mul(-alpha, tf.sub(all.s, base)), same, true);
        const neg = maskedLogSumExp(tf.mul(beta, tf.sub(all.s, base)), other, true);
        return tf.add(tf.div(pos, alpha), tf.div(neg, beta)) as Tensor1D;
      });
    },
  };
}

function positive(what: string, argument: string, value: number): number {
  nonNegative(what, `options.${argument}`, value);
  if (value === 0) {
    throw new Error(`Cannot create ${what} as options.${argument} must be > 0: current value is 0`);
  }
  return value;
}
