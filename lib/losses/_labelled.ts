import * as tf from "@tensorflow/tfjs";
import type { Labelled, Tensor } from "../types.ts";
import { checkEmbeddings, checkLabels } from "./_validate.ts";

/** Validates a labelled input; returns the `[n, n]` masks of same-class (i ≠ j) and other-class pairs. */
export function pairMasks(what: string, input: Labelled): { same: Tensor; other: Tensor } {
  checkEmbeddings(what, "embeddings", input.embeddings);
  const n = input.embeddings.shape[0];
  checkLabels(what, "labels", input.labels, n);
  const labels = tf.cast(input.labels, "int32");
  const equal = tf.cast(tf.equal(tf.expandDims(labels, 1), tf.expandDims(labels, 0)), "float32");
  return { same: tf.sub(equal, tf.eye(n)), other: tf.sub(1, equal) };
}
