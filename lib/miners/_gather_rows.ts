import * as tf from "@tensorflow/tfjs";
import type { Tensor, Tensor2D } from "../types.ts";

/**
 * `tf.gather(x, rows)` whose gradient scatters with `scatterND` (duplicates summed) instead of
 * `UnsortedSegmentSum`, a kernel the wasm backend lacks.
 */
export function gatherRows(x: Tensor2D, rows: Int32Array): Tensor2D {
  const shape = [...x.shape];
  const gather = tf.customGrad(
    // deno-lint-ignore no-explicit-any
    ((source: Tensor, index: Tensor, save: (ts: Tensor[]) => void): any => {
      save([index]);
      return {
        value: tf.gather(source, index),
        gradFunc: (dy: Tensor, saved: Tensor[]) => [
          tf.scatterND(tf.expandDims(saved[0], 1), dy, shape),
          tf.zerosLike(saved[0]).toFloat(),
        ],
      };
      // deno-lint-ignore no-explicit-any
    }) as any,
  ) as unknown as (source: Tensor, index: Tensor) => Tensor;
  return tf.tidy(() => gather(x, tf.tensor1d(rows, "int32")) as Tensor2D);
}
