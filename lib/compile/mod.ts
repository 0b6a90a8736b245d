/**
 * `compile`: the only place that builds tf objects. It turns a model spec and a loss into a
 * {@linkcode Program} (weights, optimizer, training step, embedding and scoring), and
 * registers the custom layers (`SpatialDropout2D`, `SeededDropout`, `L2Normalize`) with
 * `tf.serialization` so saved models load in a fresh process once this module is imported.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { dense, empty, siamese } from "../branches/mod.ts";
 * import { contrastive } from "../losses/mod.ts";
 * import { compile } from "./mod.ts";
 * await tf.setBackend("cpu");
 * const program = compile({ model: siamese(dense(3)(empty)), loss: contrastive(), inputShape: [2] });
 * const d = program.scorePairs(tf.ones([4, 2]), tf.ones([4, 2]));
 * if (d.dataSync().some((v) => v !== 0)) throw new Error("identical items are at distance 0");
 * // other items: the euclidean distance between their embeddings
 * const [a, b] = [tf.tensor2d([[1, 0]]), tf.tensor2d([[0, 3]])];
 * const expected = tf.norm(tf.sub(program.embed(a), program.embed(b))).dataSync()[0];
 * if (Math.abs(program.scorePairs(a, b).dataSync()[0] - expected) > 1e-5 || !(expected > 0)) throw new Error(`${expected}`);
 * program.dispose();
 * ```
 *
 * @module
 */
export { compile, type CompileOptions, type OptimizerName } from "./compile.ts";
export { l2NormalizeLayer, type L2NormalizeLayerOptions } from "./l2_normalize_layer.ts";
export { registerLayers } from "./register_layers.ts";
export { seededDropoutLayer, type SeededDropoutLayerOptions } from "./seeded_dropout_layer.ts";
export {
  spatialDropout2dLayer,
  type SpatialDropout2dLayerOptions,
} from "./spatial_dropout_2d_layer.ts";
export type {
  Activation,
  Batch,
  Branch,
  Distance,
  Labelled,
  Layer,
  LayersModel,
  Loss,
  LossContext,
  LossHead,
  LossInput,
  Model,
  NWay,
  Optimizer,
  Pair,
  Program,
  Reducer,
  Scalar,
  Stage,
  Tensor,
  Tensor1D,
  Tensor2D,
  Triplet,
  Variable,
} from "../types.ts";
