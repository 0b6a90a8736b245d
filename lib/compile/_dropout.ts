import * as tf from "@tensorflow/tfjs";
import type { Tensor } from "../types.ts";

/**
 * Dropout with a mask stream derived from `seed` and a call counter: reproducible, yet a new
 * mask every training call (tfjs's own seeded dropout repeats one mask forever).
 */
export function seededDropout(
  x: Tensor,
  rate: number,
  noiseShape: number[],
  seed: number,
  call: number,
): Tensor {
  return tf.dropout(x, rate, noiseShape, `${seed}:${call}`);
}

/** The single input tensor of a layer call. */
export const single = (inputs: Tensor | Tensor[]): Tensor =>
  Array.isArray(inputs) ? inputs[0] : inputs;
