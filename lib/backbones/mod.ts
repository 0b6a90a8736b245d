/**
 * Backbone specs: inert branches (lists of stages) that `compile` turns into tfjs layers.
 * `vgg` is the lecture's network, `mlp` and `resnet` are small alternatives, and
 * `fromLayersModel` wraps any tfjs model (with freezing for fine-tuning).
 *
 * @example
 * ```ts
 * import { pipe } from "../pipe.ts";
 * import { l2Normalize } from "../branches/mod.ts";
 * import { vgg } from "./mod.ts";
 * const embed = pipe(vgg({ embeddingSize: 64 }), l2Normalize());
 * if (embed.stages.at(-1)?.kind !== "l2Normalize") throw new Error("backbones");
 * ```
 *
 * @module
 */
export { fromLayersModel, type FromLayersModelOptions } from "./from_layers_model.ts";
export { mlp, type MlpOptions } from "./mlp.ts";
export { resnet, type ResnetOptions } from "./resnet.ts";
export { vgg, type VggOptions } from "./vgg.ts";
export type { Activation, Branch, LayersModel, Stage } from "../types.ts";
