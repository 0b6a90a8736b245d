import * as tf from "@tensorflow/tfjs";
import type { Labelled, LossContext, Tensor, Tensor2D } from "../types.ts";
import { checkEmbeddings, checkLabels } from "./_validate.ts";

/** The masks of a labelled batch and the rows its rows are compared with. */
export interface PairMasks {
  /** `[n, r]` 1 where row `i` and column `j` share a class (never a row with itself). */
  readonly same: Tensor;
  /** `[n, r]` 1 where row `i` and column `j` are of different classes. */
  readonly other: Tensor;
  /** The `[r, e]` rows compared with: the batch itself, or `context.reference`'s rows. */
  readonly columns: Tensor2D;
}

/**
 * Validates a labelled input; returns the masks of same-class (i ≠ j) and other-class pairs
 * and the rows the batch is compared with: the batch itself (`[n, n]` masks), or with
 * `context.reference` (as `crossBatchMemory` gives) its rows, masked by its `mask`.
 */
export function pairMasks(what: string, input: Labelled, context?: LossContext): PairMasks {
  checkEmbeddings(what, "embeddings", input.embeddings);
  const n = input.embeddings.shape[0];
  checkLabels(what, "labels", input.labels, n);
  const labels = tf.cast(input.labels, "int32");
  const reference = context?.reference;
  if (reference === undefined) {
    const equal = tf.cast(tf.equal(tf.expandDims(labels, 1), tf.expandDims(labels, 0)), "float32");
    return { same: tf.sub(equal, tf.eye(n)), other: tf.sub(1, equal), columns: input.embeddings };
  }
  checkReference(what, reference, n, input.embeddings.shape[1]);
  const refLabels = tf.cast(reference.labels, "int32");
  const equal = tf.cast(tf.equal(tf.expandDims(labels, 1), tf.expandDims(refLabels, 0)), "float32");
  const mask = tf.cast(reference.mask, "float32");
  return {
    same: tf.mul(equal, mask),
    other: tf.mul(tf.sub(1, equal), mask),
    columns: reference.embeddings,
  };
}

/** Throws unless `reference` fits a batch of `n` rows `width` wide; returns its row count. */
export function checkReference(
  what: string,
  reference: NonNullable<LossContext["reference"]>,
  n: number,
  width: number,
): number {
  const e = reference?.embeddings;
  if (e === undefined || e === null || e.rank !== 2 || e.shape[1] !== width) {
    throw new Error(
      `Cannot compute ${what} as context.reference.embeddings must have shape [r, ${width}]: current shape is [${e?.shape}]`,
    );
  }
  const r = e.shape[0];
  checkLabels(what, "context.reference.labels", reference.labels, r);
  const m = reference.mask;
  if (m === undefined || m === null || m.rank !== 2 || m.shape[0] !== n || m.shape[1] !== r) {
    throw new Error(
      `Cannot compute ${what} as context.reference.mask must have shape [${n}, ${r}]: current shape is [${m?.shape}]`,
    );
  }
  return r;
}
