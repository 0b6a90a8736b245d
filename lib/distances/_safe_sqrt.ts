import * as tf from "@tensorflow/tfjs";
import type { Tensor } from "../types.ts";

/**
 * `sqrt(max(x, 0))` whose gradient is 0 (not NaN or ∞) where `x` is 0, so a zero distance
 * never poisons training.
 */
export const safeSqrt: (x: Tensor) => Tensor = tf.customGrad(
  // deno-lint-ignore no-explicit-any
  ((x: Tensor, save: (ts: Tensor[]) => void): any => {
    const root = tf.sqrt(tf.relu(x));
    save([root]);
    return {
      value: root,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [r] = saved;
        const positive = tf.greater(r, 0);
        const inv = tf.div(0.5, tf.maximum(r, 1e-30));
        return [tf.mul(dy, tf.where(positive, inv, tf.zerosLike(r)))];
      },
    };
    // deno-lint-ignore no-explicit-any
  }) as any,
) as unknown as (x: Tensor) => Tensor;
