import * as tf from "@tensorflow/tfjs";
import type { Loss, LossContext, LossInput, Scalar, Tensor1D } from "../types.ts";
import { nonNegative } from "./_validate.ts";
import { mean } from "./mean.ts";
import { meanNonZero } from "./mean_non_zero.ts";
import { sum } from "./sum.ts";

/** Reducers `r` with `r(w·x) = w·r(x)` for `w ≥ 0`. */
const HOMOGENEOUS = new Set<unknown>([mean, sum, meanNonZero]);

/**
 * Scales a loss by `weight ≥ 0`. With a built-in reducer the per-item values are scaled (and
 * the reducer kept, so `plus` can still add item by item); with a custom reducer the reduced
 * value is scaled instead.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { weighted } from "./weighted.ts";
 * import { contrastive } from "./contrastive.ts";
 * await tf.setBackend("cpu");
 * const half = weighted(contrastive(), 0.5);
 * const pair = { kind: "pair" as const, left: tf.tensor2d([[0, 0]]), right: tf.tensor2d([[0, 2]]), same: tf.tensor1d([1]) };
 * if (half.reduce(half.perItem(pair)).dataSync()[0] !== 1) throw new Error("weighted");
 * ```
 */
export function weighted<I extends LossInput>(loss: Loss<I>, weight: number): Loss<I> {
  nonNegative(`weighted ${loss.name}`, "weight", weight);
  const name = `${weight}·${loss.name}`;
  const extra = {
    ...(loss.head ? { head: loss.head } : {}),
    ...(loss.distance ? { distance: loss.distance } : {}),
    ...(loss.parameters ? { parameters: loss.parameters } : {}),
    ...(loss.buffers ? { buffers: loss.buffers } : {}),
    ...(loss.acceptsReference ? { acceptsReference: true } : {}),
  };
  if (HOMOGENEOUS.has(loss.reduce)) {
    return {
      name,
      reduce: loss.reduce,
      perItem: (input: I, context?: LossContext): Tensor1D =>
        tf.tidy(() => tf.mul(loss.perItem(input, context), weight) as Tensor1D),
      ...extra,
    };
  }
  return {
    name,
    reduce: (perItem: Tensor1D): Scalar =>
      tf.tidy(() => tf.mul(loss.reduce(perItem), weight) as Scalar),
    perItem: (input: I, context?: LossContext) => loss.perItem(input, context),
    ...extra,
  };
}
