import * as tf from "@tensorflow/tfjs";
import { euclidean } from "../distances/euclidean.ts";
import type { Miner } from "../miners/miner.ts";
import { gatherRows } from "../miners/_gather_rows.ts";
import type { Distance, Labelled, Loss, Tensor1D } from "../types.ts";
import { pairMasks } from "./_labelled.ts";
import {
  checkDistance,
  checkEmbeddings,
  checkLabels,
  isFunction,
  nonNegative,
} from "./_validate.ts";
import { meanNonZero } from "./mean_non_zero.ts";

/** Options of {@linkcode marginLoss}. */
export interface MarginLossOptions {
  /** Margin α around the boundary β (default 0.2, as pytorch-metric-learning). */
  readonly margin?: number;
  /**
   * Boundary β between positive and negative distances (default 1.2, as pml). Fixed: a
   * learned β (pml's `learn_beta`, the paper's per-class β) is not supported.
   */
  readonly beta?: number;
  /** Distance between embeddings (default `euclidean`). */
  readonly distance?: Distance;
  /**
   * Use only the triplets this miner chooses (e.g. `distanceWeighted()`, the paper's sampler,
   * or `tripletMarginMiner()`); default every valid triplet of the batch, as pml.
   */
  readonly miner?: Miner;
}

/**
 * The margin loss (Wu et al. 2017, "Sampling Matters in Deep Embedding Learning") on a
 * labelled batch, as pytorch-metric-learning's `MarginLoss`: each triplet `(a, p, n)` costs
 * a positive term and a negative term,
 *
 * `(d(a, p) − β + α)₊` and `(β − d(a, n) + α)₊`,
 *
 * and the loss is the sum of all terms divided by the number of terms that are > 0 (pml's
 * `DivisorReducer`; 0 when none is). `perItem` gives the terms (two per triplet, 0 for
 * triplets that are not valid) and `reduce` is `meanNonZero`, which is exactly that division.
 *
 * Defaults are pml's: α = 0.2, β = 1.2, every valid triplet (pml's `triplets_per_anchor =
 * "all"`); give `miner` for the paper's distance-weighted sampling. β is a fixed number: pml's
 * `learn_beta` (β as a trained parameter, with the ν·β penalty) is out of scope here. pml's
 * default distance L2-normalises embeddings first; `euclidean` does not (put
 * `branches.l2Normalize()` in the branch for pml's numbers). Without a miner `perItem`
 * returns `2n³` values (keep batches ≲ 150); one class or one item per class gives exactly 0.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { marginLoss } from "./margin_loss.ts";
 * await tf.setBackend("cpu");
 * // Rows 0, 1 (class 0) at 0 and 1.3, row 2 (class 1) at 2. Triplet (0, 1, 2): positive term
 * // 1.3 − 1.2 + 0.2 = 0.3, negative term (1.2 − 2 + 0.2)₊ = 0; triplet (1, 0, 2): 0.3 and
 * // 1.2 − 0.7 + 0.2 = 0.7. Three terms > 0: (0.3 + 0.3 + 0.7) / 3.
 * const loss = marginLoss();
 * const input = { kind: "labelled" as const, embeddings: tf.tensor2d([[0], [1.3], [2]]), labels: tf.tensor1d([0, 0, 1], "int32") };
 * const v = loss.reduce(loss.perItem(input)).dataSync()[0];
 * if (Math.abs(v - 1.3 / 3) > 1e-6) throw new Error(`${v}`);
 * ```
 */
export function marginLoss(options: MarginLossOptions = {}): Loss<Labelled> {
  const what = "marginLoss";
  const margin = nonNegative(what, "options.margin", options.margin ?? 0.2);
  const beta = options.beta ?? 1.2;
  if (typeof beta !== "number" || !Number.isFinite(beta)) {
    throw new Error(
      `Cannot create ${what} as options.beta must be a finite number: current value is ${beta}`,
    );
  }
  const distance = checkDistance(what, options.distance ?? euclidean);
  const miner = options.miner === undefined
    ? undefined
    : isFunction(what, "options.miner", options.miner);
  const terms = (dap: tf.Tensor, dan: tf.Tensor) =>
    tf.stack([
      tf.relu(tf.add(tf.sub(dap, beta), margin)),
      tf.relu(tf.add(tf.sub(beta, dan), margin)),
    ], -1);
  return {
    name: "margin",
    distance,
    reduce: meanNonZero,
    perItem: (input: Labelled): Tensor1D => {
      if (miner !== undefined) {
        checkEmbeddings("margin loss", "embeddings", input.embeddings);
        checkLabels("margin loss", "labels", input.labels, input.embeddings.shape[0]);
        const chosen = miner(input, distance);
        return tf.tidy(() => {
          const rows = (idx: Int32Array) => gatherRows(input.embeddings, idx);
          const a = rows(chosen.anchor);
          const t = terms(
            distance.rows(a, rows(chosen.positive)),
            distance.rows(a, rows(chosen.negative)),
          );
          return tf.reshape(t, [-1]) as Tensor1D;
        });
      }
      return tf.tidy(() => {
        const { same, other } = pairMasks("margin loss", input);
        const d = distance.matrix(input.embeddings, input.embeddings);
        const n = d.shape[0] as number;
        if (n === 0) return tf.zeros([0]) as Tensor1D;
        // terms[a, p, m, 0] from d(a, p), terms[a, p, m, 1] from d(a, m); valid triplets only
        const dap = tf.broadcastTo(tf.expandDims(d, 2), [n, n, n]);
        const dan = tf.broadcastTo(tf.expandDims(d, 1), [n, n, n]);
        const valid = tf.expandDims(tf.mul(tf.expandDims(same, 2), tf.expandDims(other, 1)), -1);
        return tf.reshape(tf.mul(terms(dap, dan), valid), [-1]) as Tensor1D;
      });
    },
  };
}
