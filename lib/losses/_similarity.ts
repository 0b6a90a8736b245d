import * as tf from "@tensorflow/tfjs";
import type { Distance, Labelled, LossContext, Tensor, Tensor1D } from "../types.ts";
import { pairMasks } from "./_labelled.ts";

/**
 * Validates a labelled batch; returns its `[n, n]` similarities `s = 1 − d` (the cosine
 * similarity when `distance` is `cosine`) and the masks of same-class (i ≠ j) and other-class
 * pairs — `[n, r]` against `context.reference`'s rows when it is given.
 */
export function similarities(
  what: string,
  distance: Distance,
  input: Labelled,
  context?: LossContext,
): { s: Tensor; same: Tensor; other: Tensor } {
  const { same, other, columns } = pairMasks(what, input, context);
  const s = tf.sub(1, distance.matrix(input.embeddings, columns));
  return { s, same, other };
}

/** Masked entries are replaced by this before a log-sum-exp (exp of it is exactly 0). */
const OFF = -1e30;

/**
 * Row-wise `log Σ_{j: mask} exp(x[i, j])` (plus one term `exp(0)` when `addOne`), stable for
 * large `x`. A row whose mask is empty gives 0 (with `addOne`, log 1; without, 0 by fiat).
 */
export function maskedLogSumExp(x: Tensor, mask: Tensor, addOne: boolean): Tensor1D {
  const keep = tf.greater(mask, 0);
  const filled = tf.where(keep, x, tf.fill(x.shape, OFF));
  const n = x.shape[0] as number;
  const lse = addOne
    ? tf.logSumExp(tf.concat([tf.zeros([n, 1]), filled], 1), 1)
    : tf.logSumExp(filled, 1);
  const any = tf.greater(tf.sum(mask, 1), 0);
  return tf.where(any, lse, tf.zerosLike(lse)) as Tensor1D;
}

/** The identity with a zero gradient (PyTorch's `detach`). */
export const detach: (x: Tensor) => Tensor = tf.customGrad(
  // deno-lint-ignore no-explicit-any
  ((x: Tensor): any => ({
    value: tf.clone(x),
    gradFunc: (dy: Tensor) => [tf.zerosLike(dy)],
    // deno-lint-ignore no-explicit-any
  })) as any,
) as unknown as (x: Tensor) => Tensor;

/** Throws unless the temperature is a finite number > 0. */
export function checkTemperature(what: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new Error(
      `Cannot create ${what} as options.temperature must be a finite number > 0: current value is ${value}`,
    );
  }
  return value;
}
