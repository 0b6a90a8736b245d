import type { Distance, Labelled, LossReference, Tensor } from "../types.ts";

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
export type Miner = ((input: Labelled, distance?: Distance) => MinedTriplets) & {
  /** The same selection computed on the device, when the miner has one. */
  readonly device?: DeviceMiner;
};

/**
 * Triplets a device miner chose, as tensors: `"mask"` — `[n, r, r]` 0/1, entry `[a, p, m]`
 * set when (anchor row `a`, positive column `p`, negative column `m`) is chosen;
 * `"perAnchor"` — at most one triplet per anchor row: int32 `positive` and `negative`
 * columns and a 0/1 `valid` flag per row.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import type { TripletSelection } from "./miner.ts";
 * import { batchHard } from "./batch_hard.ts";
 * await tf.setBackend("cpu");
 * const input = { kind: "labelled" as const, embeddings: tf.tensor2d([[0], [1], [5], [3], [9]]), labels: tf.tensor1d([0, 0, 0, 1, 1], "int32") };
 * const t: TripletSelection = batchHard().device!(input);
 * // anchor 0: furthest positive row 2, closest negative row 3
 * if (t.kind !== "perAnchor" || t.positive.dataSync()[0] !== 2 || t.negative.dataSync()[0] !== 3) throw new Error("batchHard");
 * ```
 */
export type TripletSelection =
  | { readonly kind: "mask"; readonly mask: Tensor }
  | {
    readonly kind: "perAnchor";
    readonly positive: Tensor;
    readonly negative: Tensor;
    readonly valid: Tensor;
  };

/**
 * A triplet miner's device form: the same triplets as its host form, chosen with tensor ops
 * (no `dataSync`, no gradient), against the batch itself or against `reference` (a
 * cross-batch memory: positive and negative columns then index its rows).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import type { DeviceMiner } from "./miner.ts";
 * import { batchAll } from "./batch_all.ts";
 * await tf.setBackend("cpu");
 * const device: DeviceMiner = batchAll().device!;
 * const input = { kind: "labelled" as const, embeddings: tf.zeros([4, 2]) as tf.Tensor2D, labels: tf.tensor1d([0, 0, 1, 1], "int32") };
 * const t = device(input);
 * // 4 anchors × 1 positive × 2 negatives
 * if (t.kind !== "mask" || tf.sum(t.mask).dataSync()[0] !== 8) throw new Error("batchAll");
 * ```
 */
export type DeviceMiner = (
  input: Labelled,
  distance?: Distance,
  reference?: LossReference,
) => TripletSelection;
