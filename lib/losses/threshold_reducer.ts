import * as tf from "@tensorflow/tfjs";
import type { Reducer, Scalar, Tensor1D } from "../types.ts";

/** Options of {@linkcode thresholdReducer}: at least one bound. */
export interface ThresholdReducerOptions {
  /** Keep only items whose value is > this. */
  readonly low?: number;
  /** Keep only items whose value is < this. */
  readonly high?: number;
}

/**
 * Reducer: the mean of the per-item values strictly between `low` and `high` (exactly 0 when
 * none is, or the batch is empty), as pytorch-metric-learning's `ThresholdReducer`: items
 * that are too easy (≤ `low`) or, e.g. likely label noise, too hard (≥ `high`) are left out.
 * Use it in place of a loss's reducer, `{ ...loss, reduce: thresholdReducer({ low: 0.1 }) }`,
 * with losses whose per-item values are costs (those that reduce with `mean` or
 * `meanNonZero`: pairs, triplets, rows), not with the per-row shares of a `sum` reducer.
 * Losses that list every possible tuple and put 0 where it is not valid
 * (`pmlTripletMarginLoss`, `marginLoss` without a miner) need `low ≥ 0` to leave those out;
 * `mined(batchAll(), tripletMargin(), { reduce })` lists only the valid triplets, as pml.
 * Which items are kept is not differentiated; the mean of the kept ones is.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { thresholdReducer } from "./threshold_reducer.ts";
 * await tf.setBackend("cpu");
 * const reduce = thresholdReducer({ low: 0.5, high: 3 });
 * // 0 and 0.5 are not above 0.5, 4 is not below 3: the mean of 1 and 2
 * if (reduce(tf.tensor1d([0, 0.5, 1, 2, 4])).dataSync()[0] !== 1.5) throw new Error("threshold");
 * if (reduce(tf.tensor1d([0, 7])).dataSync()[0] !== 0) throw new Error("none kept");
 * ```
 */
export function thresholdReducer(options: ThresholdReducerOptions): Reducer {
  const what = "create thresholdReducer";
  if (typeof options !== "object" || options === null) {
    throw new Error(`Cannot ${what} as options must be an object: current value is ${options}`);
  }
  const { low, high } = options;
  for (const [name, value] of [["low", low], ["high", high]] as const) {
    if (value !== undefined && (typeof value !== "number" || Number.isNaN(value))) {
      throw new Error(
        `Cannot ${what} as options.${name} must be a number: current value is ${value}`,
      );
    }
  }
  if (low === undefined && high === undefined) {
    throw new Error(
      `Cannot ${what} as options.low or options.high must be given: current options are {}`,
    );
  }
  if (low !== undefined && high !== undefined && !(low < high)) {
    throw new Error(
      `Cannot ${what} as options.low must be < options.high: current values are ${low} and ${high}`,
    );
  }
  return (perItem: Tensor1D): Scalar =>
    tf.tidy(() => {
      // 0/1 masks through sign(relu(·)): exact, with a zero gradient (tfjs has no gradient
      // for comparisons, and the items' values are differentiated through this reducer)
      let keep: tf.Tensor = tf.onesLike(perItem);
      if (low !== undefined) keep = tf.mul(keep, tf.sign(tf.relu(tf.sub(perItem, low))));
      if (high !== undefined) keep = tf.mul(keep, tf.sign(tf.relu(tf.sub(high, perItem))));
      return tf.div(tf.sum(tf.mul(perItem, keep)), tf.maximum(tf.sum(keep), 1)) as Scalar;
    });
}
