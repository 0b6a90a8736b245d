import * as tf from "@tensorflow/tfjs";
import { euclidean } from "../distances/euclidean.ts";
import type { Distance, Labelled, Loss, LossContext, Tensor, Tensor1D } from "../types.ts";
import { countPositive } from "./_count_positive.ts";
import { pairMasks } from "./_labelled.ts";
import { checkDistance, nonNegative } from "./_validate.ts";
import { sum } from "./sum.ts";

/** Options of {@linkcode pmlContrastiveLoss}. */
export interface PmlContrastiveLossOptions {
  /** Same-class pairs closer than this cost nothing (default 0, as pml). */
  readonly posMargin?: number;
  /** Other-class pairs further than this cost nothing (default 1, as pml). */
  readonly negMargin?: number;
  /** Distance between embeddings (default `euclidean`). */
  readonly distance?: Distance;
}

const meanOfNonZero = (x: Tensor): Tensor => tf.div(x, tf.maximum(countPositive(x), 1));

/**
 * pytorch-metric-learning's `ContrastiveLoss` on a labelled batch: every ordered pair `(i, j)`,
 * `i ≠ j`, of the batch is used; same-class pairs cost `max(d − posMargin, 0)`, other-class
 * pairs `max(negMargin − d, 0)`; the non-zero positive terms are averaged, the non-zero negative
 * terms are averaged, and the two averages are added.
 *
 * Differences from {@linkcode contrastive}: that one takes given pairs, uses one margin, and
 * averages all pairs together (zeros included). Differences from pml: pml's default distance
 * L2-normalises embeddings first; this one does not (put `branches.l2Normalize()` in the
 * branch for the same numbers). `perItem` returns each ordered pair's share of the total
 * (`n²` values, 0 on the diagonal) and `reduce` is `sum`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { pmlContrastiveLoss } from "./pml_contrastive_loss.ts";
 * await tf.setBackend("cpu");
 * const loss = pmlContrastiveLoss();
 * // labels 0, 0, 1 on a line at 0, 0.5, 0.75: positive terms 0.5 (twice) → mean 0.5;
 * // negative terms 1 − 0.75 and 1 − 0.25 (each twice) → mean 0.5; total 1.
 * const input = { kind: "labelled" as const, embeddings: tf.tensor2d([[0], [0.5], [0.75]]), labels: tf.tensor1d([0, 0, 1], "int32") };
 * const v = loss.reduce(loss.perItem(input)).dataSync()[0];
 * if (Math.abs(v - 1) > 1e-6) throw new Error(`pmlContrastiveLoss ${v}`);
 * ```
 */
export function pmlContrastiveLoss(options: PmlContrastiveLossOptions = {}): Loss<Labelled> {
  const what = "pmlContrastiveLoss";
  const posMargin = nonNegative(what, "posMargin", options.posMargin ?? 0);
  const negMargin = nonNegative(what, "negMargin", options.negMargin ?? 1);
  const distance = checkDistance(
    what,
    options.distance === undefined ? euclidean : options.distance,
  );
  const matrix = distance.matrix;
  return {
    name: "pml-contrastive",
    distance,
    reduce: sum,
    acceptsReference: true,
    perItem: (input: Labelled, context?: LossContext): Tensor1D =>
      tf.tidy(() => {
        const { same, other, columns } = pairMasks("pml-contrastive loss", input, context);
        const d = matrix(input.embeddings, columns);
        const pos = tf.mul(tf.relu(tf.sub(d, posMargin)), same);
        const neg = tf.mul(tf.relu(tf.sub(negMargin, d)), other);
        return tf.reshape(tf.add(meanOfNonZero(pos), meanOfNonZero(neg)), [-1]) as Tensor1D;
      }),
  };
}
