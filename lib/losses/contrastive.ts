import * as tf from "@tensorflow/tfjs";
import { euclidean } from "../distances/euclidean.ts";
import type { Distance, Loss, Pair, Tensor1D } from "../types.ts";
import { pairLabels } from "./_pair.ts";
import { checkDistance, nonNegative } from "./_validate.ts";
import { mean } from "./mean.ts";

/** Options of {@linkcode contrastive}. */
export interface ContrastiveOptions {
  /** Distance negatives are pushed beyond (default 1, suits L2-normalised embeddings). */
  readonly margin?: number;
  /** Distance between the two embeddings (default `euclidean`). */
  readonly distance?: Distance;
  /** Square both terms: `y·d² + (1−y)·max(m − d, 0)²` (default false). */
  readonly squared?: boolean;
}

/**
 * Contrastive loss over pairs, averaged over the batch. Classic form:
 * `y·d + (1 − y)·max(m − d, 0)`; squared form (Hadsell et al.): `y·d² + (1 − y)·max(m − d, 0)²`,
 * where `y = 1` for same-class pairs. Pulls same pairs together, pushes different pairs apart
 * until they are `margin` away. See `pmlContrastiveLoss` for pytorch-metric-learning's variant.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { contrastive } from "./contrastive.ts";
 * await tf.setBackend("cpu");
 * const loss = contrastive({ margin: 1 });
 * const left = tf.tensor2d([[0, 0], [0, 0]]), right = tf.tensor2d([[0, 0.5], [0, 0.25]]);
 * // same pair at 0.5 → 0.5; different pair at 0.25 → 1 − 0.25 = 0.75
 * const v = loss.perItem({ kind: "pair", left, right, same: tf.tensor1d([1, 0]) }).dataSync();
 * if (v[0] !== 0.5 || v[1] !== 0.75) throw new Error("contrastive");
 * ```
 */
export function contrastive(options: ContrastiveOptions = {}): Loss<Pair> {
  const margin = nonNegative("contrastive loss", "margin", options.margin ?? 1);
  const distance = checkDistance(
    "contrastive loss",
    options.distance === undefined ? euclidean : options.distance,
  );
  const squared = options.squared ?? false;
  const name = squared ? "contrastive-squared" : "contrastive";
  return {
    name,
    distance,
    reduce: mean,
    perItem: (input: Pair): Tensor1D =>
      tf.tidy(() => {
        const y = pairLabels(`${name} loss`, input);
        const d = distance.rows(input.left, input.right);
        const pull = squared ? tf.square(d) : d;
        const gap = tf.relu(tf.sub(margin, d));
        const push = squared ? tf.square(gap) : gap;
        return tf.add(tf.mul(y, pull), tf.mul(tf.sub(1, y), push)) as Tensor1D;
      }),
  };
}
