/**
 * Backbone specs: inert branches (lists of stages) that `compile` turns into tfjs layers.
 * Each ends at its features; append `branches.embedding(size)` for the embedding.
 * `vgg` is the lecture's network, `mlp` and `resnet` are small alternatives, and
 * `fromLayersModel` wraps any tfjs layers model (loaded from a path or URL, cut at a named
 * layer, frozen, fine-tuned at a smaller learning rate; `setFrozen` unfreezes it) and
 * `fromGraphModel` a tfjs graph model as a frozen feature extractor.
 *
 * @example
 * ```ts
 * import { pipe } from "../pipe.ts";
 * import { embedding, l2Normalize } from "../branches/mod.ts";
 * import { vgg } from "./mod.ts";
 * // backbones end at features: the embedding and its normalisation are stages of their own
 * const embed = pipe(vgg(), embedding(64), l2Normalize());
 * const [projection, last] = embed.stages.slice(-2);
 * if (projection.kind !== "dense" || projection.role !== "embedding" || projection.units !== 64) {
 *   throw new Error("embedding");
 * }
 * if (last.kind !== "l2Normalize") throw new Error("backbones");
 * ```
 *
 * @module
 */
export { fromGraphModel, type FromGraphModelOptions } from "./from_graph_model.ts";
export { fromLayersModel, type FromLayersModelOptions } from "./from_layers_model.ts";
export { mlp, type MlpOptions } from "./mlp.ts";
export { resnet, type ResnetOptions } from "./resnet.ts";
export { setFrozen } from "./set_frozen.ts";
export { vgg, type VggOptions } from "./vgg.ts";
export type { Activation, Branch, LayersModel, Stage } from "../types.ts";
