/**
 * Batch helpers for the fit loop: count the images of a tensor batch, dispose its tensors.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Tensor } from "../types.ts";

/** Fields that hold targets rather than input images. */
const TARGET_FIELDS = new Set(["same", "labels", "label", "target", "targets", "y"]);

/**
 * The number of input images in a batch: rows of every tensor field except the targets
 * (`same`, `labels`), so a pair batch of B pairs counts 2B, a triplet batch 3B and an N-way
 * batch (tensors in an array field, `items`) N·B. A bare
 * tensor counts its rows.
 */
export function imagesIn(batch: unknown): number {
  if (batch instanceof tf.Tensor) return batch.rank === 0 ? 1 : batch.shape[0];
  if (batch === null || typeof batch !== "object") return 0;
  let count = 0;
  for (const [key, value] of Object.entries(batch)) {
    if (TARGET_FIELDS.has(key)) continue;
    if (value instanceof tf.Tensor) count += value.rank === 0 ? 1 : value.shape[0];
    // an N-way batch's `items`: one tensor per slot
    if (Array.isArray(value)) {
      for (const t of value) if (t instanceof tf.Tensor) count += t.rank === 0 ? 1 : t.shape[0];
    }
  }
  return count;
}

/** Disposes every tensor held by the batch (nested records and arrays included). */
export function disposeBatch(batch: unknown): void {
  const seen = new Set<Tensor>();
  const visit = (value: unknown): void => {
    if (value instanceof tf.Tensor) {
      if (!seen.has(value)) {
        seen.add(value);
        value.dispose();
      }
    } else if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (value !== null && typeof value === "object") {
      Object.values(value).forEach(visit);
    }
  };
  visit(batch);
}
