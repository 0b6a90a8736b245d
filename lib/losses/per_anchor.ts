import * as tf from "@tensorflow/tfjs";
import type { Labelled, Loss, LossContext, Reducer, Scalar, Tensor1D } from "../types.ts";
import { itemsPerAnchor } from "./_anchors.ts";
import { isFunction } from "./_validate.ts";
import { mean } from "./mean.ts";
import { meanNonZero } from "./mean_non_zero.ts";
import { sum } from "./sum.ts";

/** Options of {@linkcode perAnchor}. */
export interface PerAnchorOptions {
  /** Reduces each anchor's values to one (default: the loss's own reducer). */
  readonly aggregate?: Reducer;
  /** Reduces the anchors' values (default `mean`, as pml's `PerAnchorReducer`). */
  readonly reduce?: Reducer;
}

function aggregateRows(values: tf.Tensor, aggregate: Reducer): Tensor1D {
  if (aggregate === mean) return tf.mean(values, 1) as Tensor1D;
  if (aggregate === sum) return tf.sum(values, 1) as Tensor1D;
  if (aggregate === meanNonZero) {
    const count = tf.sum(tf.sign(tf.relu(values)), 1);
    return tf.div(tf.sum(values, 1), tf.maximum(count, 1)) as Tensor1D;
  }
  const rows = tf.unstack(values) as Tensor1D[];
  return tf.stack(rows.map((row) => tf.reshape(aggregate(row), []))) as Tensor1D;
}

/**
 * A per-anchor reduction of a labelled-batch loss, as pytorch-metric-learning's
 * `PerAnchorReducer`: each row's per-item values (the pairs or triplets it anchors) are first
 * reduced to one value by `aggregate`, then the rows' values by `reduce` — so every anchor
 * weighs the same however many tuples it has. `perItem` of the result gives one value per
 * row.
 *
 * The loss's per-item values must be anchor-major costs: one per row, per pair `(a, j)` or per
 * triplet `(a, p, n)` in row order, as the built-in labelled losses lay them out (a length
 * that is not a multiple of the batch size throws). A loss that reduces with `sum` gives
 * per-row shares, not costs: perAnchor throws for it unless `aggregate` is given. With the
 * defaults, `perAnchor(pmlTripletMarginLoss())` averages each anchor's non-zero triplets,
 * then the anchors (pml's reducer refuses triplets); for a loss with one value per row it is
 * the loss reduced by `reduce`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { perAnchor } from "./per_anchor.ts";
 * import { pmlTripletMarginLoss } from "./pml_triplet_margin_loss.ts";
 * await tf.setBackend("cpu");
 * // Labels 0, 0, 1 at 0, 1, 1.25 (margin 0.5): anchor 0's triplet costs 0.25, anchor 1's
 * // 1.25, anchor 2 has none (0). Per anchor then mean: (0.25 + 1.25 + 0) / 3 = 0.5.
 * const loss = perAnchor(pmlTripletMarginLoss({ margin: 0.5 }));
 * const input = { kind: "labelled" as const, embeddings: tf.tensor2d([[0], [1], [1.25]]), labels: tf.tensor1d([0, 0, 1], "int32") };
 * const v = loss.reduce(loss.perItem(input)).dataSync()[0];
 * if (Math.abs(v - 0.5) > 1e-6) throw new Error(`${v}`);
 * ```
 */
export function perAnchor(loss: Loss<Labelled>, options: PerAnchorOptions = {}): Loss<Labelled> {
  if (typeof loss !== "object" || loss === null || typeof loss.perItem !== "function") {
    throw new Error(`Cannot create perAnchor as loss must be a Loss: current value is ${loss}`);
  }
  if (options.aggregate === undefined && loss.reduce === sum) {
    throw new Error(
      `Cannot create perAnchor(${loss.name}) as its per-item values are shares of a sum ` +
        "(its reducer is sum): give options.aggregate, or a loss that reduces with mean or meanNonZero",
    );
  }
  const aggregate = isFunction("perAnchor", "options.aggregate", options.aggregate ?? loss.reduce);
  const reduce: Reducer = isFunction("perAnchor", "options.reduce", options.reduce ?? mean);
  return {
    name: `per-anchor ${loss.name}`,
    reduce: reduce as (perItem: Tensor1D) => Scalar,
    ...(loss.distance ? { distance: loss.distance } : {}),
    ...(loss.head ? { head: loss.head } : {}),
    ...(loss.parameters ? { parameters: loss.parameters } : {}),
    ...(loss.buffers ? { buffers: loss.buffers } : {}),
    ...(loss.acceptsReference ? { acceptsReference: true } : {}),
    perItem: (input: Labelled, context?: LossContext): Tensor1D =>
      tf.tidy(() => {
        const values = loss.perItem(input, context);
        const k = itemsPerAnchor(`per-anchor ${loss.name}`, input, values);
        const n = input.embeddings.shape[0];
        if (n === 0 || k === 0) return tf.zeros([n]) as Tensor1D;
        return aggregateRows(tf.reshape(values, [n, k]), aggregate);
      }),
  };
}
