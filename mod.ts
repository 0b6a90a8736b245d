/**
 * likeness — typed, functional metric learning for Deno on TensorFlow.js.
 *
 * Compose a model from inert values with `pipe`, `compile` it into a tfjs program, train it
 * on seeded samplers, then verify ("are these two the same?") and identify ("which known one
 * is this?") with the metrics and the gallery.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { backend, branches, compile, losses, pipe } from "./mod.ts";
 * await backend.useBackend("cpu");
 * // one shared branch, applied to both sides of a pair, trained with the contrastive loss
 * const net = pipe(branches.empty, branches.dense(8, { activation: "tanh" }), branches.dense(2));
 * const model = branches.siamese(net);
 * const program = compile({ model, loss: losses.contrastive(), inputShape: [4], learningRate: 0.05, seed: 1 });
 * // two pairs of different classes: training pushes them apart, so their loss falls
 * const left = tf.tensor2d([[1, 0, 0, 0], [0, 1, 0, 0]]), right = tf.tensor2d([[0, 0, 1, 0], [0, 0, 0, 1]]);
 * const batch = { kind: "pair" as const, left, right, same: tf.tensor1d([0, 0]) };
 * const before = program.evaluate(batch).dataSync()[0];
 * for (let i = 0; i < 20; i++) program.trainStep(batch).dispose();
 * if (!(program.evaluate(batch).dataSync()[0] < before)) throw new Error("training lowers the loss");
 * program.dispose();
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
export * as embedders from "./lib/embedder/mod.ts";
export * as metrics from "./lib/metrics/mod.ts";
export * as protocols from "./lib/protocols/mod.ts";
export * as gallery from "./lib/gallery/mod.ts";
export * as report from "./lib/report/mod.ts";
export * as exporting from "./lib/export/mod.ts";
