/**
 * Stages and sharing. A {@linkcode Branch} is an inert list of stages; each stage function
 * appends one and composes with `pipe`. `siamese`, `triplet`, `nWay` and `labelled` wrap a
 * branch into a {@linkcode Model}: one weight set applied to every item of a pair, triplet or
 * N-tuple. `compile` turns models into tfjs programs.
 *
 * @example
 * ```ts
 * import { pipe } from "../pipe.ts";
 * import { dense, embedding, empty, l2Normalize, triplet } from "./mod.ts";
 * const model = triplet(pipe(empty, dense(64, { activation: "relu" }), embedding(32), l2Normalize()));
 * if (model.branch.stages.length !== 3) throw new Error("branches");
 * ```
 *
 * @module
 */
export { activation } from "./activation.ts";
export { batchNorm, type BatchNormOptions } from "./batch_norm.ts";
export { conv2d, type Conv2dOptions } from "./conv2d.ts";
export { dense, type DenseOptions } from "./dense.ts";
export { dropout } from "./dropout.ts";
export { embedding, type EmbeddingOptions } from "./embedding.ts";
export { empty } from "./empty.ts";
export { flatten } from "./flatten.ts";
export { globalAveragePool2d } from "./global_average_pool_2d.ts";
export { l2Normalize } from "./l2_normalize.ts";
export { labelled } from "./labelled.ts";
export { maxPool2d } from "./max_pool_2d.ts";
export { nWay } from "./n_way.ts";
export { residual } from "./residual.ts";
export { siamese } from "./siamese.ts";
export { spatialDropout2d } from "./spatial_dropout_2d.ts";
export { andThen } from "./and_then.ts";
export { triplet } from "./triplet.ts";
export type {
  Activation,
  Branch,
  Labelled,
  LayersModel,
  LossInput,
  Model,
  NWay,
  Pair,
  Stage,
  Tensor,
  Tensor1D,
  Tensor2D,
  Triplet,
} from "../types.ts";
