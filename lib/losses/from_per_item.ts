import type { Loss, LossContext, LossInput, Reducer, Tensor1D } from "../types.ts";
import { isFunction } from "./_validate.ts";
import { mean } from "./mean.ts";

/**
 * Builds a loss from a name, a per-item function and a reducer (default {@linkcode mean}).
 * The per-item function gets the loss input (embeddings, not images) and returns one value
 * per pair, triplet or row.
 *
 * A custom loss in a few lines:
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import type { Triplet } from "../types.ts";
 * import { euclidean } from "../distances/mod.ts";
 * import { fromPerItem } from "./from_per_item.ts";
 * await tf.setBackend("cpu");
 * const softTriplet = fromPerItem<Triplet>("soft-triplet", ({ anchor, positive, negative }) =>
 *   tf.softplus(tf.sub(euclidean(anchor, positive), euclidean(anchor, negative))));
 * const x = tf.tensor2d([[0, 0]]), far = tf.tensor2d([[30, 40]]);
 * const value = softTriplet.reduce(softTriplet.perItem({ kind: "triplet", anchor: x, positive: x, negative: far }));
 * if (value.dataSync()[0] > 1e-6) throw new Error("soft-triplet");
 * ```
 */
export function fromPerItem<I extends LossInput>(
  name: string,
  perItem: (input: I, context?: LossContext) => Tensor1D,
  reduce: Reducer = mean,
): Loss<I> {
  if (typeof name !== "string" || name.length === 0) {
    throw new Error(
      `Cannot create loss as name must be a non-empty string: current value is ${name}`,
    );
  }
  isFunction(`loss ${name}`, "perItem", perItem);
  isFunction(`loss ${name}`, "reduce", reduce);
  return { name, perItem, reduce };
}
