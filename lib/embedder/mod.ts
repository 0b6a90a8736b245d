/**
 * likeness/embedder: a trained embedding model as one value, from training to deployment.
 * An {@linkcode Embedder} is the inference network with its input shape, embedding size,
 * normalisation, the `Distance` it was trained with, the fingerprint of its weights and
 * where it came from.
 *
 * - {@linkcode embedderOf}: the embedder of a trained program.
 * - {@linkcode embed}: a dataset's embeddings, in chunks (the one embedding loop).
 * - {@linkcode evaluate}: verification, identification and retrieval numbers with their
 *   curves, always with the embedder's own distance.
 * - {@linkcode saveEmbedder} / {@linkcode loadEmbedder}: on disk (tfjs layers format and
 *   metadata.json), atomically; the distance comes back as its record.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { embedderOf, evaluate } from "./mod.ts";
 * import { compile } from "../compile/mod.ts";
 * import { dense, empty, l2Normalize, triplet } from "../branches/mod.ts";
 * import { tripletMargin } from "../losses/mod.ts";
 * import { makeDataset } from "../data/make_dataset.ts";
 * await tf.setBackend("cpu");
 * const model = triplet(l2Normalize()(dense(2)(empty)));
 * const program = compile({ model, loss: tripletMargin(), inputShape: [2], seed: 1 });
 * const test = makeDataset({ images: Uint8Array.from([0, 10, 10, 0, 250, 240, 240, 250]), labels: [0, 0, 1, 1], shape: [2], classNames: ["a", "b"] });
 * const e = await evaluate(embedderOf(program, { model }), test, { seed: 1 });
 * // the triplet loss's distance, and the ROC the AUC was read from
 * if (e.embedder.distance.name !== "euclidean" || e.curves.roc.positives !== 2) throw new Error("evaluated");
 * program.dispose();
 * ```
 *
 * @module
 */
export * from "./embedder.ts";
export * from "./embed.ts";
export * from "./evaluate.ts";
export * from "./save_embedder.ts";
export * from "./load_embedder.ts";
export type * from "../types.ts";
export type { EmbeddingSet, TieRule } from "../metrics/embedding_set.ts";
export type {
  EvaluateOptions,
  EvaluateWithCurvesOptions,
  Evaluation,
  EvaluationCurves,
  EvaluationWithCurves,
  NeighbourList,
} from "../metrics/evaluate.ts";
export type { RocCurve } from "../metrics/roc_curve.ts";
export type { CmcCurve } from "../metrics/cmc_curve.ts";
export type { DistanceHistogram, HistogramCounts } from "../metrics/distance_histogram.ts";
export type { History } from "../train/fit.ts";
export type { ModelMetadata } from "../train/save_model.ts";
