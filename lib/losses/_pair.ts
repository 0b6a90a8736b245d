import * as tf from "@tensorflow/tfjs";
import type { Pair, Tensor } from "../types.ts";
import { checkEmbeddings, checkLabels } from "./_validate.ts";

/** Validates a pair input; returns `same` as float32. */
export function pairLabels(what: string, input: Pair): Tensor {
  checkEmbeddings(what, "left", input.left);
  const n = input.left.shape[0];
  checkEmbeddings(what, "right", input.right, n);
  checkLabels(what, "same", input.same, n);
  return tf.cast(input.same, "float32");
}
