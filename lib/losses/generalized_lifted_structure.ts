import * as tf from "@tensorflow/tfjs";
import { euclidean } from "../distances/euclidean.ts";
import type { Distance, Labelled, Loss, Tensor1D } from "../types.ts";
import { pairMasks } from "./_labelled.ts";
import { maskedLogSumExp } from "./_similarity.ts";
import { checkDistance } from "./_validate.ts";
import { mean } from "./mean.ts";

/** Options of {@linkcode generalizedLiftedStructure}. */
export interface GeneralizedLiftedStructureOptions {
  /** Other-class pairs are pushed beyond this distance (default 1, as pml). */
  readonly negMargin?: number;
  /** Same-class pairs are pulled within this distance (default 0, as pml). */
  readonly posMargin?: number;
  /** Distance between embeddings (default `euclidean`). */
  readonly distance?: Distance;
}

/**
 * The generalised lifted structure loss (Hermans et al. 2017, "In Defense of the Triplet Loss",
 * p. 4; after Song et al. 2016), as pytorch-metric-learning's `GeneralizedLiftedStructureLoss`:
 * row `i` with positives `P(i)` and negatives `N(i)` costs
 *
 * `max(0, log Σ_{p ∈ P(i)} exp(d_ip − posMargin) + log Σ_{n ∈ N(i)} exp(negMargin − d_in))`
 *
 * — a smooth batch-hard triplet loss: the log-sum-exps are soft maxima of the positive
 * distances and of the negatives' shortfalls. A term over an empty set counts as 0 (pml's
 * rule): a row without negatives still pays for its positives and one without positives for
 * its negatives; an empty batch gives exactly 0. `perItem` gives one value per row and `reduce`
 * is `mean` over rows — pml's default reduction (`MeanReducer`), so no separate preset is
 * needed.
 *
 * Defaults are pml's margins (negMargin = 1, posMargin = 0). pml's default distance
 * L2-normalises embeddings first; `euclidean` does not (put `branches.l2Normalize()` in the
 * branch for pml's numbers). This loss works on distances directly, not on `1 − d`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { generalizedLiftedStructure } from "./generalized_lifted_structure.ts";
 * await tf.setBackend("cpu");
 * // Rows 0 and 1 (class 0) at 0 and 1, row 2 (class 1) at 3. Row 0: log e^1 + log e^(1−3) = −1
 * // → 0; row 1: log e^1 + log e^(1−2) = 0 → 0; row 2 (no positive): log(e^(−2) + e^(−1)).
 * const loss = generalizedLiftedStructure();
 * const input = { kind: "labelled" as const, embeddings: tf.tensor2d([[0], [1], [3]]), labels: tf.tensor1d([0, 0, 1], "int32") };
 * const v = loss.reduce(loss.perItem(input)).dataSync()[0];
 * const row2 = Math.max(0, Math.log(Math.exp(-2) + Math.exp(-1)));
 * if (Math.abs(v - row2 / 3) > 1e-6) throw new Error(`${v}`);
 * ```
 */
export function generalizedLiftedStructure(
  options: GeneralizedLiftedStructureOptions = {},
): Loss<Labelled> {
  const what = "generalizedLiftedStructure";
  const negMargin = finite(what, "negMargin", options.negMargin ?? 1);
  const posMargin = finite(what, "posMargin", options.posMargin ?? 0);
  const distance = checkDistance(what, options.distance ?? euclidean);
  return {
    name: "generalized-lifted-structure",
    distance,
    reduce: mean,
    perItem: (input: Labelled): Tensor1D =>
      tf.tidy(() => {
        const { same, other } = pairMasks("generalized-lifted-structure loss", input);
        const d = distance.matrix(input.embeddings, input.embeddings);
        const pos = maskedLogSumExp(tf.sub(d, posMargin), same, false);
        const neg = maskedLogSumExp(tf.sub(negMargin, d), other, false);
        return tf.relu(tf.add(pos, neg)) as Tensor1D;
      }),
  };
}

function finite(what: string, argument: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new Error(
      `Cannot create ${what} as options.${argument} must be a finite number: current value is ${value}`,
    );
  }
  return value;
}
