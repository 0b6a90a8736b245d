import type { Distance, Labelled } from "../types.ts";

/**
 * Triplets chosen within a batch, as row indices into its embeddings: triplet `i` is
 * (`anchor[i]`, `positive[i]`, `negative[i]`).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import type { MinedTriplets } from "./miner.ts";
 * import { batchHard } from "./batch_hard.ts";
 * await tf.setBackend("cpu");
 * // Class 0 at 0 and 1, class 1 at 5 and 7: one triplet per anchor.
 * const input = { kind: "labelled" as const, embeddings: tf.tensor2d([[0], [1], [5], [7]]), labels: tf.tensor1d([0, 0, 1, 1], "int32") };
 * const t: MinedTriplets = batchHard()(input);
 * const rows = [...t.anchor].map((a, i) => `${a}${t.positive[i]}${t.negative[i]}`);
 * if (rows.join() !== "012,102,231,321") throw new Error(rows.join());
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
 * import * as tf from "@tensorflow/tfjs";
 * import type { Miner } from "./miner.ts";
 * import { mined } from "./mined.ts";
 * import { tripletMargin } from "../losses/mod.ts";
 * await tf.setBackend("cpu");
 * // A custom miner that always picks the triplet of rows (0, 1, 2).
 * const firstLast: Miner = () => ({ anchor: Int32Array.of(0), positive: Int32Array.of(1), negative: Int32Array.of(2) });
 * const loss = mined(firstLast, tripletMargin({ margin: 1 }));
 * const input = { kind: "labelled" as const, embeddings: tf.tensor2d([[0], [2], [3]]), labels: tf.tensor1d([0, 0, 1], "int32") };
 * // d(0, 2) − d(0, 3) + 1 = 2 − 3 + 1 = 0; move the negative to 2.5 and it costs 0.5
 * if (loss.reduce(loss.perItem(input)).dataSync()[0] !== 0) throw new Error("met margin");
 * const closer = { ...input, embeddings: tf.tensor2d([[0], [2], [2.5]]) };
 * if (loss.reduce(loss.perItem(closer)).dataSync()[0] !== 0.5) throw new Error("0.5");
 * ```
 */
export type Miner = (input: Labelled, distance?: Distance) => MinedTriplets;
