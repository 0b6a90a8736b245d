/**
 * In-batch mining: choose triplets within a labelled batch (`batchAll`, `batchHard`,
 * `semiHard`) and train a triplet loss on them with `mined`, using a `branches.labelled`
 * model and P×K batches.
 *
 * @example
 * ```ts
 * import { meanNonZero, tripletMargin } from "../losses/mod.ts";
 * import { batchAll, mined } from "./mod.ts";
 * const loss = mined(batchAll(), tripletMargin({ margin: 0.2 }), { reduce: meanNonZero });
 * if (loss.name !== "mined triplet-margin") throw new Error(loss.name);
 * ```
 *
 * @module
 */
export { batchAll } from "./batch_all.ts";
export { batchHard, type BatchHardOptions } from "./batch_hard.ts";
export { mined, type MinedOptions } from "./mined.ts";
export type { MinedTriplets, Miner } from "./miner.ts";
export { semiHard, type SemiHardOptions } from "./semi_hard.ts";
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
