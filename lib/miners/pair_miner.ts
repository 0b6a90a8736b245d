import type { Distance, Labelled, LossReference, Tensor } from "../types.ts";

/**
 * Pairs chosen within a batch, as row indices into its embeddings: positive pair `i` is
 * (`posAnchor[i]`, `positive[i]`), negative pair `j` is (`negAnchor[j]`, `negative[j]`) —
 * pytorch-metric-learning's `(a1, p, a2, n)` tuple.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import type { MinedPairs } from "./pair_miner.ts";
 * import { multiSimilarityMiner } from "./multi_similarity_miner.ts";
 * await tf.setBackend("cpu");
 * // Two classes far apart: every positive is easier than every negative, nothing is kept.
 * const input = { kind: "labelled" as const, embeddings: tf.tensor2d([[1, 0], [1, 0.1], [-1, 0], [-1, 0.1]]), labels: tf.tensor1d([0, 0, 1, 1], "int32") };
 * const pairs: MinedPairs = multiSimilarityMiner()(input);
 * if (pairs.positive.length !== 0 || pairs.negative.length !== 0) throw new Error("kept a pair");
 * ```
 */
export interface MinedPairs {
  /** Anchor rows of the positive pairs. */
  readonly posAnchor: Int32Array;
  /** Rows of the anchor's class (never the anchor). */
  readonly positive: Int32Array;
  /** Anchor rows of the negative pairs. */
  readonly negAnchor: Int32Array;
  /** Rows of another class. */
  readonly negative: Int32Array;
}

/**
 * Chooses positive and negative pairs within a labelled batch; pair losses such as
 * `multiSimilarity` take one as `miner` and then use only the chosen pairs. Selection reads
 * the embeddings' values (it is not differentiated).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import type { PairMiner } from "./pair_miner.ts";
 * import { multiSimilarity } from "../losses/mod.ts";
 * await tf.setBackend("cpu");
 * // A miner that chooses no pair at all: the loss is exactly 0.
 * const none: PairMiner = () => ({ posAnchor: new Int32Array(), positive: new Int32Array(), negAnchor: new Int32Array(), negative: new Int32Array() });
 * const loss = multiSimilarity({ miner: none });
 * const input = { kind: "labelled" as const, embeddings: tf.tensor2d([[1, 0], [0, 1], [1, 1]]), labels: tf.tensor1d([0, 0, 1], "int32") };
 * if (loss.reduce(loss.perItem(input)).dataSync()[0] !== 0) throw new Error("not 0");
 * ```
 */
export type PairMiner = ((input: Labelled, distance?: Distance) => MinedPairs) & {
  /** The same selection computed on the device (no read-back), when the miner has one. */
  readonly device?: DevicePairMiner;
};

/**
 * `[n, r]` 0/1 masks of the chosen positive and negative pairs (row `i` of the batch against
 * column `j`: the batch itself, or a reference's rows).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import type { ChosenPairs } from "./pair_miner.ts";
 * await tf.setBackend("cpu");
 * // row 0 with row 1 as its positive, no negative pair
 * const chosen: ChosenPairs = { same: tf.tensor2d([[0, 1], [0, 0]]), other: tf.zeros([2, 2]) };
 * if (tf.sum(chosen.same).dataSync()[0] !== 1) throw new Error("one positive pair");
 * ```
 */
export interface ChosenPairs {
  /** 1 where (row, column) is a chosen positive pair. */
  readonly same: Tensor;
  /** 1 where (row, column) is a chosen negative pair. */
  readonly other: Tensor;
}

/**
 * A pair miner's device form: the pairs it chooses as masks computed with tensor ops (no
 * `dataSync`, no gradient), against the batch itself or against `reference` (a cross-batch
 * memory). The selection equals the host form's.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import type { DevicePairMiner } from "./pair_miner.ts";
 * import { pairMarginMiner } from "./pair_margin_miner.ts";
 * await tf.setBackend("cpu");
 * const device: DevicePairMiner = pairMarginMiner().device!;
 * // class 0 at 0 and 1 (further apart than 0.2: a positive pair both ways), class 1 at 5
 * const input = { kind: "labelled" as const, embeddings: tf.tensor2d([[0], [1], [5]]), labels: tf.tensor1d([0, 0, 1], "int32") };
 * const { same, other } = device(input);
 * if (same.dataSync().join() !== "0,1,0,1,0,0,0,0,0" || tf.sum(other).dataSync()[0] !== 0) throw new Error("pairs");
 * ```
 */
export type DevicePairMiner = (
  input: Labelled,
  distance?: Distance,
  reference?: LossReference,
) => ChosenPairs;
