import type { Dataset } from "../types.ts";
import type { EmbeddingSet } from "../metrics/embedding_set.ts";
import {
  evaluateWithCurves,
  type EvaluateWithCurvesOptions,
  type EvaluationWithCurves,
} from "../metrics/evaluate.ts";
import type { Embedder } from "./embedder.ts";
import { embed } from "./embed.ts";

/**
 * Options of {@linkcode evaluate}: those of `metrics.evaluateWithCurves` but the distance
 * (always the embedder's), and the embedding batch size.
 *
 * @example
 * ```ts
 * import type { EvaluateEmbedderOptions } from "./evaluate.ts";
 * const options: EvaluateEmbedderOptions = { seed: 1, maxPairs: 200_000, batchSize: 500 };
 * if (options.maxPairs !== 200_000) throw new Error("pairs");
 * ```
 */
export interface EvaluateEmbedderOptions extends Omit<EvaluateWithCurvesOptions, "distance"> {
  /** Items per forward pass when embedding (default 500). */
  readonly batchSize?: number;
}

/**
 * What {@linkcode evaluate} found: verification, identification and retrieval numbers, the
 * curves they were read from (ROC, CMC, distance histogram, neighbour lists), and what was
 * evaluated (the embedder, the dataset and its embeddings), so a report draws it all
 * without computing anything again.
 *
 * @example
 * ```ts
 * import type { EmbedderEvaluation } from "./evaluate.ts";
 * const rank1 = (e: EmbedderEvaluation) => e.curves.cmc.accuracy[0];
 * if (typeof rank1 !== "function") throw new Error("a reader of the CMC");
 * ```
 */
export interface EmbedderEvaluation extends EvaluationWithCurves {
  /** The embedder evaluated (its distance is the one used). */
  readonly embedder: Embedder;
  /** The dataset evaluated on. */
  readonly dataset: Dataset;
  /** Its embeddings (float32) and labels. */
  readonly set: EmbeddingSet & { readonly embeddings: Float32Array };
  /** The seed of the pair sample and gallery choice. */
  readonly seed: number;
}

/**
 * Embeds `dataset` with `embedder` and evaluates the embeddings with the embedder's own
 * distance (the one it was trained with: never silently another): verification over pairs
 * (AUC, EER, TAR at FAR 1 % and 0.1 %, thresholds), identification against a seeded gallery
 * (rank-1, rank-5) and leave-one-out retrieval (P@1, R-precision, MAP@R), with the ROC, CMC,
 * distance histogram and neighbour lists behind them. The numbers equal
 * `metrics.evaluate(await embed(embedder, dataset), { distance: embedder.distance, ... })`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { evaluate } from "./evaluate.ts";
 * import { makeDataset } from "../data/make_dataset.ts";
 * import { manhattan } from "../distances/mod.ts";
 * await tf.setBackend("cpu");
 * // the identity network on 1-d items: classes 0 (values near 0) and 1 (near 1)
 * const network = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1, useBias: false, weights: [tf.tensor2d([[1]])] })] });
 * const embedder = {
 *   network, inputShape: [1], embeddingSize: 1, normalisation: "none", distance: manhattan, fingerprint: "",
 *   provenance: { kind: null, loss: null, seed: null, steps: null, spec: null },
 * };
 * const data = makeDataset({ images: Uint8Array.from([0, 10, 20, 230, 240, 250]), labels: [0, 0, 0, 1, 1, 1], shape: [1], classNames: ["dark", "light"] });
 * const e = await evaluate(embedder, data, { seed: 1 });
 * // perfectly separated, measured with the embedder's own distance
 * if (e.verification.auc !== 1 || e.identification.rank1 !== 1 || e.retrieval.precisionAt1 !== 1) throw new Error("separable");
 * if (e.curves.roc.positives !== 6 || e.set.dim !== 1 || e.embedder.distance !== manhattan) throw new Error("curves");
 * network.dispose();
 * ```
 */
export async function evaluate(
  embedder: Embedder,
  dataset: Dataset,
  options: EvaluateEmbedderOptions = {},
): Promise<EmbedderEvaluation> {
  const { batchSize, ...rest } = options;
  const set = await embed(embedder, dataset, { batchSize });
  const seed = rest.seed ?? 0;
  const result = evaluateWithCurves(set, { ...rest, seed, distance: embedder.distance });
  return { ...result, embedder, dataset, set, seed };
}
