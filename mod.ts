/**
 * likeness — typed, functional metric learning for Deno on TensorFlow.js.
 *
 * Compose a model from inert values with `pipe`, `compile` it into a tfjs program, train it
 * on seeded samplers, then verify ("are these two the same?") and identify ("which known one
 * is this?") with the metrics and the gallery.
 *
 * @example
 * ```ts
 * import { pipe } from "./mod.ts";
 * const double = (n: number) => n * 2;
 * if (pipe(2, double, double) !== 8) throw new Error("pipe");
 * ```
 *
 * @module
 */
export { flow, pipe } from "./lib/pipe.ts";
export type * from "./lib/types.ts";
export * as backend from "./lib/backend/mod.ts";
export * as backbones from "./lib/backbones/mod.ts";
export * as branches from "./lib/branches/mod.ts";
export * as distances from "./lib/distances/mod.ts";
export * as losses from "./lib/losses/mod.ts";
export * as miners from "./lib/miners/mod.ts";
export * as samplers from "./lib/samplers/mod.ts";
export * as data from "./lib/data/mod.ts";
export * as compiler from "./lib/compile/mod.ts";
export { compile } from "./lib/compile/mod.ts";
export type { CompileOptions, OptimizerName } from "./lib/compile/mod.ts";
export * as train from "./lib/train/mod.ts";
export * as metrics from "./lib/metrics/mod.ts";
export * as gallery from "./lib/gallery/mod.ts";
export * as report from "./lib/report/mod.ts";
