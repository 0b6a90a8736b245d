import type { Labelled, Tensor1D } from "../types.ts";

/**
 * How many per-item values belong to each row of a labelled batch of `n` rows, for a loss
 * whose values are anchor-major (the first `k` values are row 0's, …): one per row, per
 * (row, row) pair or per (row, row, row) triplet, as the built-in labelled losses lay them
 * out. Throws, naming the loss and the lengths, when `perItem` is not `n·k` long.
 */
export function itemsPerAnchor(what: string, input: Labelled, perItem: Tensor1D): number {
  const n = input.embeddings.shape[0], length = perItem.shape[0];
  if (n === 0) return 0;
  if (length % n !== 0) {
    throw new Error(
      `Cannot compute ${what} as the loss's per-item values must be a whole number per row ` +
        `(anchor-major): current length is ${length} for ${n} rows`,
    );
  }
  return length / n;
}
