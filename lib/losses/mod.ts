/**
 * Losses. A loss is a name, a per-item function and a reducer ({@linkcode Loss}); losses over
 * the same input add with {@linkcode plus} (a monoid with identity {@linkcode zero}) and scale
 * with {@linkcode weighted}. Built-ins cover pairs (`pairBce` with a head network,
 * `contrastive`), triplets (`tripletMargin`, `softMarginTriplet`), labelled batches
 * (`softmaxCrossEntropy`, `multiSimilarity`, `ntXent`, `supCon`, `circle`,
 * `generalizedLiftedStructure`, `nPairs`, `marginLoss`, `angular`, `fastAP`) and presets named
 * after pytorch-metric-learning's losses. Reducers beyond `mean`, `sum` and `meanNonZero`:
 * `thresholdReducer`, and `perAnchor` / `classWeighted`, which wrap a labelled loss (they need
 * to know each item's anchor). `lpRegularizer` penalises the embeddings' norms and adds to
 * any loss with `plus`.
 *
 * A loss over no tuples is exactly 0 with every built-in reducer, on every backend
 * (tests/miners/no_tuples_test.ts, tests/fuzz/losses_fuzz_test.ts). For triplet losses and the
 * softmax-style losses (`ntXent`, `supCon`, `circle`) a batch of one class or of one item per
 * class has no tuples; for losses over all pairs (`pmlContrastiveLoss`, `multiSimilarity`,
 * `generalizedLiftedStructure`) the negative pairs of singletons and the positive pairs of one
 * class still count, as in pytorch-metric-learning.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { contrastive, plus, tripletMargin, weighted } from "./mod.ts";
 * await tf.setBackend("cpu");
 * const loss = plus(contrastive(), weighted(contrastive({ squared: true }), 0.5));
 * if (loss.name !== "contrastive + 0.5·contrastive-squared") throw new Error(loss.name);
 * // a same-class pair 2 apart: distance 2 plus half of the squared distance 4 = 4
 * const pair = { kind: "pair" as const, left: tf.tensor2d([[0, 0]]), right: tf.tensor2d([[0, 2]]), same: tf.tensor1d([1]) };
 * if (loss.reduce(loss.perItem(pair)).dataSync()[0] !== 4) throw new Error("plus/weighted");
 * // the anchor's positive 1 away, its negative 1.5 away: 1 − 1.5 + margin 1 = 0.5
 * const [anchor, positive, negative] = [[0], [1], [1.5]].map((r) => tf.tensor2d([r]));
 * const t = tripletMargin().perItem({ kind: "triplet", anchor, positive, negative });
 * if (t.dataSync()[0] !== 0.5) throw new Error("tripletMargin");
 * ```
 *
 * @module
 */
export { angular, type AngularOptions } from "./angular.ts";
export { circle, type CircleOptions } from "./circle.ts";
export { classWeighted } from "./class_weighted.ts";
export { contrastive, type ContrastiveOptions } from "./contrastive.ts";
export { crossBatchMemory, type CrossBatchMemoryOptions } from "./cross_batch_memory.ts";
export { fastAP, type FastAPOptions } from "./fast_ap.ts";
export { fromPerItem } from "./from_per_item.ts";
export {
  generalizedLiftedStructure,
  type GeneralizedLiftedStructureOptions,
} from "./generalized_lifted_structure.ts";
export { lpRegularizer, type LpRegularizerOptions } from "./lp_regularizer.ts";
export { marginLoss, type MarginLossOptions } from "./margin_loss.ts";
export { mean } from "./mean.ts";
export { meanNonZero } from "./mean_non_zero.ts";
export { type LossMonoid, lossMonoid, type ReducerMonoid, reducerMonoid } from "./monoid.ts";
export { multiSimilarity, type MultiSimilarityOptions } from "./multi_similarity.ts";
export { nPairs, type NPairsOptions } from "./n_pairs.ts";
export { ntXent, type NtXentOptions } from "./nt_xent.ts";
export { pairBce, type PairBceOptions } from "./pair_bce.ts";
export { perAnchor, type PerAnchorOptions } from "./per_anchor.ts";
export { plus } from "./plus.ts";
export { pmlContrastiveLoss, type PmlContrastiveLossOptions } from "./pml_contrastive_loss.ts";
export {
  pmlTripletMarginLoss,
  type PmlTripletMarginLossOptions,
} from "./pml_triplet_margin_loss.ts";
export { softmaxCrossEntropy, type SoftmaxCrossEntropyOptions } from "./softmax_cross_entropy.ts";
export { softMarginTriplet, type SoftMarginTripletOptions } from "./soft_margin_triplet.ts";
export { supCon, type SupConOptions } from "./sup_con.ts";
export { sum } from "./sum.ts";
export { thresholdReducer, type ThresholdReducerOptions } from "./threshold_reducer.ts";
export { tripletMargin, type TripletMarginOptions } from "./triplet_margin.ts";
export { weighted } from "./weighted.ts";
export { zero } from "./zero.ts";
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
export {
  arcFace,
  type ArcFaceOptions,
  cosFace,
  type CosFaceOptions,
  proxyAnchor,
  type ProxyAnchorOptions,
  proxyNca,
  type ProxyNcaOptions,
  softTriple,
  type SoftTripleOptions,
  subCenterArcFace,
  type SubCenterArcFaceOptions,
} from "./learned/mod.ts";
