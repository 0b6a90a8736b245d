import * as tf from "@tensorflow/tfjs";
import type { Tensor } from "../types.ts";

/**
 * How many entries of `x` are > 0, as a float32 scalar with a zero gradient (`greater` has no
 * gradient in tfjs, so counting through it breaks backpropagation; `sign(relu(x))` does not).
 */
export function countPositive(x: Tensor): Tensor {
  return tf.sum(tf.sign(tf.relu(x)));
}
