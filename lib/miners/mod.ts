/**
 * In-batch mining: choose triplets within a labelled batch (`batchAll`, `batchHard`,
 * `semiHard`, pml's `tripletMarginMiner`, the seeded `distanceWeighted`) and train a triplet
 * loss on them with `mined` (or give one to `losses.marginLoss`), using a `branches.labelled`
 * model and P×K batches. Pair miners (`multiSimilarityMiner`, `pairMarginMiner`) choose pairs
 * for the pair losses' `miner` option.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { meanNonZero, tripletMargin } from "../losses/mod.ts";
 * import { batchAll, mined } from "./mod.ts";
 * await tf.setBackend("cpu");
 * const loss = mined(batchAll(), tripletMargin({ margin: 1 }), { reduce: meanNonZero });
 * // Class 0 at 0 and 1, class 1 at 1.5 and 2: 5 of the 8 triplets cost more than 0
 * // (1.5, 1, 1, 0.5, 0.5); meanNonZero averages those five: 0.9 (a plain mean gives 0.5625).
 * const input = { kind: "labelled" as const, embeddings: tf.tensor2d([[0], [1], [1.5], [2]]), labels: tf.tensor1d([0, 0, 1, 1], "int32") };
 * const v = loss.reduce(loss.perItem(input)).dataSync()[0];
 * if (loss.name !== "mined triplet-margin" || Math.abs(v - 0.9) > 1e-6) throw new Error(`${loss.name} ${v}`);
 * ```
 *
 * @module
 */
export { batchAll } from "./batch_all.ts";
export { batchHard, type BatchHardOptions } from "./batch_hard.ts";
export { distanceWeighted, type DistanceWeightedOptions } from "./distance_weighted.ts";
export { mined, type MinedOptions } from "./mined.ts";
export type { DeviceMiner, MinedTriplets, Miner, TripletSelection } from "./miner.ts";
export {
  multiSimilarityMiner,
  type MultiSimilarityMinerOptions,
} from "./multi_similarity_miner.ts";
export { pairMarginMiner, type PairMarginMinerOptions } from "./pair_margin_miner.ts";
export type { ChosenPairs, DevicePairMiner, MinedPairs, PairMiner } from "./pair_miner.ts";
export { semiHard, type SemiHardOptions } from "./semi_hard.ts";
export {
  tripletMarginMiner,
  type TripletMarginMinerOptions,
  type TripletMarginType,
} from "./triplet_margin_miner.ts";
export type {
  Activation,
  Branch,
  Distance,
  Labelled,
  LayersModel,
  Loss,
  LossContext,
  LossHead,
  LossInput,
  NWay,
  Pair,
  Reducer,
  Scalar,
  Stage,
  Tensor,
  Tensor1D,
  Tensor2D,
  Triplet,
} from "../types.ts";
