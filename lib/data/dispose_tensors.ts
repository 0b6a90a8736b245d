import type { Labelled, NWay, Pair, Tensor, Triplet } from "../types.ts";

/**
 * Disposes every tensor of a batch made by {@linkcode toTensors} (a pair, triplet, labelled
 * or N-way batch). Call it after the step that used the batch. Disposing twice is harmless.
 *
 * @param batch The batch whose tensors to free.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { disposeTensors } from "./dispose_tensors.ts";
 * await tf.setBackend("cpu");
 * const before = tf.memory().numTensors;
 * disposeTensors({ kind: "labelled", embeddings: tf.zeros([2, 3]), labels: tf.tensor1d([0, 1], "int32") });
 * if (tf.memory().numTensors !== before) throw new Error("leak");
 * ```
 */
export function disposeTensors(
  batch: Pair<Tensor> | Triplet<Tensor> | Labelled<Tensor> | NWay<Tensor>,
): void {
  switch (batch.kind) {
    case "pair":
      batch.left.dispose();
      batch.right.dispose();
      batch.same.dispose();
      return;
    case "triplet":
      batch.anchor.dispose();
      batch.positive.dispose();
      batch.negative.dispose();
      return;
    case "labelled":
      batch.embeddings.dispose();
      batch.labels.dispose();
      return;
    case "nway":
      for (const t of batch.items) t.dispose();
      return;
  }
}
