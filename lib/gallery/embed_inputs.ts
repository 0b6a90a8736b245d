import * as tf from "@tensorflow/tfjs";
import type { Tensor, Tensor2D } from "../types.ts";
import { checkPositiveInteger } from "./_validate.ts";

/** Options of {@linkcode embedInputs}. */
export interface EmbedInputsOptions {
  /**
   * The trained embedding function: a batch of inputs (first axis = items) to one row per
   * item, e.g. a compiled program's `embed`.
   */
  readonly embed: (x: Tensor) => Tensor2D;
  /** Inputs embedded per call (default 256): bounds memory. */
  readonly batchSize?: number;
}

/**
 * Embeds raw inputs (images, …; first axis = items) in batches through a trained model and
 * returns the embeddings packed row-major, ready for `gallery.enrol` or `gallery.identify`.
 * Disposes every tensor it creates; `inputs` stays the caller's.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { embedInputs } from "./embed_inputs.ts";
 * await tf.setBackend("cpu");
 * const inputs = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
 * // a toy "model": the sum and the difference of the two features
 * const embed = (x: tf.Tensor): tf.Tensor2D =>
 *   tf.matMul(x as tf.Tensor2D, tf.tensor2d([[1, 1], [1, -1]])) as tf.Tensor2D;
 * const rows = await embedInputs(inputs, { embed, batchSize: 2 });
 * if (rows.join() !== "3,-1,7,-1,11,-1") throw new Error(rows.join());
 * inputs.dispose();
 * ```
 */
export async function embedInputs(
  inputs: Tensor,
  options: EmbedInputsOptions,
): Promise<Float32Array> {
  const action = "embed inputs";
  if (!(inputs instanceof tf.Tensor) || inputs.rank < 1) {
    throw new TypeError(
      `Cannot ${action} as inputs must be a tensor of rank >= 1 (first axis = items): current value is ${
        inputs instanceof tf.Tensor ? `rank ${inputs.rank}` : typeof inputs
      }`,
    );
  }
  if (typeof options?.embed !== "function") {
    throw new TypeError(`Cannot ${action} as options.embed must be a function`);
  }
  const batchSize = checkPositiveInteger(options.batchSize ?? 256, "batchSize", action);
  const n = inputs.shape[0];
  if (n === 0) throw new RangeError(`Cannot ${action} as inputs must hold at least one item`);
  const parts: Float32Array[] = [];
  let dim = -1;
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const out = tf.tidy(() => {
      const begin = inputs.shape.map((_, i) => (i === 0 ? start : 0));
      const sizes = inputs.shape.map((s, i) => (i === 0 ? size : s));
      const y = options.embed(tf.slice(inputs, begin, sizes));
      if (!(y instanceof tf.Tensor) || y.rank !== 2 || y.shape[0] !== size) {
        throw new Error(
          `Cannot ${action} as embed must return one row per input (shape [${size}, dim]): current shape is ${
            y instanceof tf.Tensor ? `[${y.shape.join(", ")}]` : typeof y
          }`,
        );
      }
      return tf.cast(y, "float32");
    });
    try {
      if (dim === -1) dim = out.shape[1];
      parts.push(await out.data() as Float32Array);
    } finally {
      out.dispose();
    }
  }
  const rows = new Float32Array(n * dim);
  let at = 0;
  for (const part of parts) {
    rows.set(part, at);
    at += part.length;
  }
  return rows;
}
