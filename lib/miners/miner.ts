import type { Labelled } from "../types.ts";

/**
 * Triplets chosen within a batch, as row indices into its embeddings: triplet `i` is
 * (`anchor[i]`, `positive[i]`, `negative[i]`).
 *
 * @example
 * ```ts
 * import type { MinedTriplets } from "./miner.ts";
 * const count = (t: MinedTriplets) => t.anchor.length;
 * ```
 */
export interface MinedTriplets {
  /** Anchor rows. */
  readonly anchor: Int32Array;
  /** Rows of the anchor's class (never the anchor). */
  readonly positive: Int32Array;
  /** Rows of another class. */
  readonly negative: Int32Array;
}

/**
 * Chooses triplets within a labelled batch of embeddings. Selection reads the embeddings'
 * values (it is not differentiated); the loss is then computed on the gathered rows. A batch
 * without a valid triplet (one class, or one item per class) gives empty index arrays, and a
 * {@linkcode mined} loss over it is exactly 0.
 *
 * @example
 * ```ts
 * import type { Miner } from "./miner.ts";
 * const none: Miner = () => ({ anchor: new Int32Array(), positive: new Int32Array(), negative: new Int32Array() });
 * ```
 */
export type Miner = (input: Labelled) => MinedTriplets;
