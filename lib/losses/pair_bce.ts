import * as tf from "@tensorflow/tfjs";
import type { Activation, Branch, Loss, LossContext, Pair, Stage, Tensor1D } from "../types.ts";
import { pairLabels } from "./_pair.ts";
import { mean } from "./mean.ts";

/** Options of {@linkcode pairBce}. */
export interface PairBceOptions {
  /** Widths of the head's hidden dense layers (default `[64]`; `[]` for a linear head). */
  readonly hidden?: readonly number[];
  /** Activation of the hidden layers (default `"relu"`). */
  readonly activation?: Activation;
}

/**
 * Binary cross-entropy on pairs with a head network — the "naïve" Siamese loss: the two
 * embeddings are concatenated (`[n, 2e]`), passed through dense layers to one logit, and
 * `−[y·log σ(z) + (1 − y)·log(1 − σ(z))]` is averaged (computed from the logit, stably).
 * The loss carries the head as a spec; `compile` builds it, and `Program.scorePairs` returns
 * `σ(z)`, the probability that a pair is of the same class.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { pairBce } from "./pair_bce.ts";
 * await tf.setBackend("cpu");
 * const loss = pairBce();
 * // A stand-in head whose logit is the sum of the concatenated embeddings.
 * const head = (x: tf.Tensor2D) => tf.sum(x, 1, true) as tf.Tensor2D;
 * const pair = { kind: "pair" as const, left: tf.tensor2d([[1], [0]]), right: tf.tensor2d([[1], [-1]]), same: tf.tensor1d([1, 0]) };
 * // same pair, z = 2: −log σ(2) = log(1 + e⁻²); different pair, z = −1: −log(1 − σ(−1)) = log(1 + e⁻¹)
 * const v = loss.perItem(pair, { training: false, head }).dataSync();
 * const want = [Math.log1p(Math.exp(-2)), Math.log1p(Math.exp(-1))];
 * if (want.some((w, i) => Math.abs(v[i] - w) > 1e-6)) throw new Error(`${v}`);
 * // the head compile builds: the hidden widths, then one logit
 * const widths = pairBce({ hidden: [8] }).head?.branch.stages.map((s) => s.kind === "dense" ? s.units : s.kind);
 * if (widths?.join() !== "8,1") throw new Error(`${widths}`);
 * ```
 */
export function pairBce(options: PairBceOptions = {}): Loss<Pair> {
  const hidden = options.hidden ?? [64];
  const activation = options.activation ?? "relu";
  hidden.forEach((units) => {
    if (!Number.isInteger(units) || units < 1) {
      throw new Error(
        `Cannot create pairBce loss as hidden must hold positive integers: current value is [${hidden}]`,
      );
    }
  });
  const stages: Stage[] = [
    ...hidden.map((units): Stage => ({ kind: "dense", units, activation, useBias: true })),
    { kind: "dense", units: 1, activation: "linear", useBias: true },
  ];
  const branch: Branch = { kind: "branch", stages };
  return {
    name: "pair-bce",
    head: { input: "pair", branch },
    reduce: mean,
    perItem: (input: Pair, context?: LossContext): Tensor1D =>
      tf.tidy(() => {
        const y = pairLabels("pair-bce loss", input);
        if (context?.head === undefined) {
          throw new Error(
            "Cannot compute pair-bce loss as context.head must be the compiled head: current value is undefined (compile the loss)",
          );
        }
        const n = input.left.shape[0];
        const z = tf.reshape(context.head(tf.concat([input.left, input.right], 1)), [n]);
        // softplus(z) − y·z, written so that large |z| neither overflows nor underflows.
        return tf.add(
          tf.sub(tf.relu(z), tf.mul(z, y)),
          tf.log1p(tf.exp(tf.neg(tf.abs(z)))),
        ) as Tensor1D;
      }),
  };
}
