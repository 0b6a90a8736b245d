import * as tf from "@tensorflow/tfjs";
import { dot } from "../distances/dot.ts";
import type { Distance, Labelled, Loss, Tensor1D, Tensor2D } from "../types.ts";
import { pairMasks } from "./_labelled.ts";
import { maskedLogSumExp } from "./_similarity.ts";
import { checkDistance } from "./_validate.ts";
import { sum } from "./sum.ts";

/** Options of {@linkcode nPairs}. */
export interface NPairsOptions {
  /**
   * Distance; the logits are `−d` (default `dot`, whose `−d` is the dot product: pml's
   * `DotProductSimilarity`). With `cosine` the logits are `cos − 1`, the same softmax as
   * pml's `CosineSimilarity`.
   */
  readonly distance?: Distance;
}

/**
 * The N-pair loss (Sohn 2016, "Improved Deep Metric Learning with Multi-class N-pair Loss
 * Objective", multi-class form) on a labelled batch, as pytorch-metric-learning's
 * `NPairsLoss`: each class with at least two rows gives one pair — its first row `a_k` (the
 * anchor) and its second row `p_k` — and with `N` such pairs, anchor `k` costs the softmax
 * cross-entropy of picking its own positive among all `N` positives:
 *
 * `ℓ_k = log Σ_{j=1..N} exp(f(a_k, p_j)) − f(a_k, p_k)`, with `f = −d` (the dot product by
 * default) — the paper's `log(1 + Σ_{j ≠ k} exp(f_kᵀf⁺_j − f_kᵀf⁺_k))`.
 *
 * The loss is the mean of `ℓ` over the pairs (pml's `MeanReducer`). `perItem` gives one value
 * per row — each anchor's share `ℓ_k / N`, 0 for other rows — and `reduce` is `sum`. A batch
 * without a class of two rows gives exactly 0; a batch with one such class gives 0 too
 * (one candidate positive: `ℓ = 0`).
 *
 * The paper also penalises the embeddings' L2 norm (pml leaves it to its
 * `embedding_regularizer`): add it with `plus(nPairs(), weighted(lpRegularizer({ power: 2 }), λ))`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { nPairs } from "./n_pairs.ts";
 * await tf.setBackend("cpu");
 * // Class 0: rows 0 (anchor) and 1 (positive); class 1: rows 2 and 3. Dot products:
 * // a₀·p₀ = 1, a₀·p₁ = 0, a₁·p₀ = 0, a₁·p₁ = 1: each anchor costs log(e + 1) − 1.
 * const loss = nPairs();
 * const input = { kind: "labelled" as const, embeddings: tf.tensor2d([[1, 0], [1, 0], [0, 1], [0, 1]]), labels: tf.tensor1d([0, 0, 1, 1], "int32") };
 * const v = loss.reduce(loss.perItem(input)).dataSync()[0];
 * if (Math.abs(v - (Math.log(Math.E + 1) - 1)) > 1e-6) throw new Error(`${v}`);
 * ```
 */
export function nPairs(options: NPairsOptions = {}): Loss<Labelled> {
  const distance = checkDistance("nPairs", options.distance ?? dot);
  return {
    name: "n-pairs",
    distance,
    reduce: sum,
    perItem: (input: Labelled): Tensor1D =>
      tf.tidy(() => {
        const { same } = pairMasks("n-pairs loss", input);
        const n = input.embeddings.shape[0];
        if (n === 0) return tf.zeros([0]) as Tensor1D;
        const equal = tf.add(same, tf.eye(n));
        // earlier[i]: rows before i of i's class; the anchor is a class's first row with a
        // partner, the positive its second row.
        const before = tf.sub(tf.linalg.bandPart(tf.ones([n, n]), -1, 0), tf.eye(n));
        const earlier = tf.sum(tf.mul(equal, before), 1);
        const anchor = tf.mul(
          tf.cast(tf.equal(earlier, 0), "float32"),
          tf.sign(tf.sum(same, 1)),
        );
        const second = tf.cast(tf.equal(earlier, 1), "float32");
        // choose[k, j] = 1 where j is anchor k's positive; positives[k] its embedding
        const choose = tf.mul(tf.mul(tf.expandDims(anchor, 1), same), tf.expandDims(second, 0));
        const positives = tf.matMul(choose, input.embeddings) as Tensor2D;
        const logits = tf.neg(distance.matrix(input.embeddings, positives));
        const columns = tf.mul(tf.expandDims(anchor, 1), tf.expandDims(anchor, 0));
        const lse = maskedLogSumExp(logits, columns, false);
        const own = tf.sum(tf.mul(logits, tf.eye(n)), 1);
        const count = tf.maximum(tf.sum(anchor), 1);
        return tf.div(tf.mul(tf.sub(lse, own), anchor), count) as Tensor1D;
      }),
  };
}
