import * as tf from "@tensorflow/tfjs";
import type { Loss, LossInput, Reducer, Scalar, Tensor, Tensor1D, Tensor2D } from "../types.ts";
import { checkEmbeddings } from "./_validate.ts";
import { mean } from "./mean.ts";

/** Options of {@linkcode lpRegularizer}. */
export interface LpRegularizerOptions {
  /** The norm's p, ≥ 1 (default 2, as pml's `LpRegularizer`). */
  readonly p?: number;
  /** The power the norm is raised to, > 0 (default 1, as pml). */
  readonly power?: number;
}

/** The embeddings an input holds, one `[n, e]` tensor per role. */
function embeddingsOf(input: LossInput): Tensor2D[] {
  switch (input?.kind) {
    case "pair":
      return [input.left, input.right];
    case "triplet":
      return [input.anchor, input.positive, input.negative];
    case "labelled":
      return [input.embeddings];
    case "nway":
      return [...input.items];
    default:
      throw new Error(
        `Cannot compute lp regulariser as input.kind must be pair, triplet, labelled or nway: current value is ${
          (input as { kind?: unknown })?.kind
        }`,
      );
  }
}

/** `‖x‖_p^power` per row, exactly 0 (with a zero gradient) at a zero row. */
function rowNorms(x: Tensor, p: number, power: number): Tensor1D {
  const s = p === 2 ? tf.sum(tf.square(x), 1) : tf.sum(tf.pow(tf.abs(x), p), 1);
  // m = 1 for a non-zero row: m·(s + 1 − m)^(power/p) is exact, and its gradient at a zero
  // row is 0 (base 1), never ∞·0 (no comparison on x: tfjs has no gradient for comparisons)
  const m = tf.sign(s);
  return tf.mul(m, tf.pow(tf.add(s, tf.sub(1, m)), power / p)) as Tensor1D;
}

/** The regulariser's reducer: the mean, as its own function so `plus` adds it as a scalar. */
const meanOfEmbeddings: Reducer = (perItem: Tensor1D): Scalar => mean(perItem);

/**
 * An embedding regulariser as a loss: the mean over every embedding of the batch of
 * `‖e‖_p^power`, as pytorch-metric-learning's `LpRegularizer` used as
 * `embedding_regularizer`. It takes any input kind (pairs, triplets, labelled batches,
 * N-way), so it adds to any loss with `plus` and scales with `weighted` — pml's
 * `embedding_reg_weight`: `plus(nPairs(), weighted(lpRegularizer({ power: 2 }), 0.002))`.
 *
 * `perItem` gives one value per item (pair, triplet, row, N-way row): the mean of its
 * embeddings' values, so the mean over items is the mean over embeddings. Its reducer is a
 * mean of its own, so `plus` always adds it to another loss as a reduced value (never item by
 * item). Zero rows cost 0 with a zero gradient.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { lpRegularizer } from "./lp_regularizer.ts";
 * import { contrastive } from "./contrastive.ts";
 * import { plus } from "./plus.ts";
 * import { weighted } from "./weighted.ts";
 * import type { Pair } from "../types.ts";
 * await tf.setBackend("cpu");
 * // left (3, 4) has norm 5, right (0, 0) norm 0: the regulariser is their mean, 2.5
 * const pair = { kind: "pair" as const, left: tf.tensor2d([[3, 4]]), right: tf.tensor2d([[0, 0]]), same: tf.tensor1d([1]) };
 * const reg = lpRegularizer<Pair>();
 * if (reg.reduce(reg.perItem(pair)).dataSync()[0] !== 2.5) throw new Error("norm");
 * // with the contrastive loss (distance 5 for a same pair) at weight 0.1: 5 + 0.25
 * const loss = plus(contrastive(), weighted(reg, 0.1));
 * if (Math.abs(loss.reduce(loss.perItem(pair)).dataSync()[0] - 5.25) > 1e-6) throw new Error("plus");
 * ```
 */
export function lpRegularizer<I extends LossInput>(options: LpRegularizerOptions = {}): Loss<I> {
  const p = options.p ?? 2, power = options.power ?? 1;
  if (typeof p !== "number" || !Number.isFinite(p) || p < 1) {
    throw new Error(
      `Cannot create lpRegularizer as options.p must be a finite number ≥ 1: current value is ${p}`,
    );
  }
  if (typeof power !== "number" || !Number.isFinite(power) || power <= 0) {
    throw new Error(
      `Cannot create lpRegularizer as options.power must be a finite number > 0: current value is ${power}`,
    );
  }
  return {
    name: power === 1 ? `l${p}-embeddings` : `l${p}^${power}-embeddings`,
    reduce: meanOfEmbeddings,
    perItem: (input: I): Tensor1D =>
      tf.tidy(() => {
        const parts = embeddingsOf(input);
        const n = parts[0]?.shape[0] ?? 0;
        parts.forEach((x, k) => checkEmbeddings("lp regulariser", `embeddings ${k}`, x, n));
        const norms = parts.map((x) => rowNorms(x, p, power));
        return tf.div(tf.addN(norms), norms.length) as Tensor1D;
      }),
  };
}
