import * as tf from "@tensorflow/tfjs";
import type { LayersModel } from "../types.ts";
import { exists, join, tempPathFor, writeFileAtomic } from "./_fs.ts";

/** The `format` field of metadata.json. */
const MODEL_FORMAT = "likeness-model";

/**
 * `metadata.json` beside a saved model: what a later process needs to use the embedding
 * correctly (input shape, normalisation, the distance and threshold for verification) and to
 * know where it came from (spec, seed).
 *
 * @example
 * ```ts
 * import type { ModelMetadata } from "./save_model.ts";
 * const decide = (m: ModelMetadata, distance: number) =>
 *   m.threshold !== null && distance <= m.threshold;
 * ```
 */
export interface ModelMetadata {
  /** Always `"likeness-model"`. */
  readonly format: "likeness-model";
  /** Format version, 1. */
  readonly version: 1;
  /** The program kind (`"pair"`, `"triplet"`, `"labelled"`), or `null` if unknown. */
  readonly kind: string | null;
  /** Shape of one input item, e.g. `[28, 28, 1]`. */
  readonly inputShape: number[];
  /** Length of one embedding row. */
  readonly embeddingSize: number;
  /** How embeddings are normalised (e.g. `"l2"`, `"none"`), or `null` if not stated. */
  readonly normalisation: string | null;
  /** The distance the threshold applies to (e.g. `"euclidean"`), or `null`. */
  readonly distance: string | null;
  /** Verification threshold: same when distance ≤ threshold; `null` if not chosen. */
  readonly threshold: number | null;
  /** The seed of the run, or `null`. */
  readonly seed: number | null;
  /** The DSL spec the model was compiled from (any JSON value), or `null`. */
  readonly spec: unknown;
  /** Class names of the training data, or `null`. */
  readonly classNames: string[] | null;
  /** Whether a loss head was saved in `head/`. */
  readonly hasHead: boolean;
  /** When it was saved (ISO 8601). */
  readonly createdAt: string;
  /** Anything else the caller stored. */
  readonly extra: Record<string, unknown>;
}

/**
 * The models {@linkcode saveModel} saves: a compiled `Program` has these fields.
 *
 * @example
 * ```ts
 * import type { SavableModel } from "./save_model.ts";
 * const size = (m: SavableModel) => m.embeddingSize;
 * ```
 */
export interface SavableModel {
  /** The shared branch: input item → embedding row (rank-2 output). */
  readonly embedder: LayersModel;
  /** An optional loss head saved in `head/` (e.g. the BCE pair head). */
  readonly head?: LayersModel;
  /** The program kind, if known. */
  readonly kind?: string;
  /** Input item shape; read from the embedder when absent. */
  readonly inputShape?: readonly number[];
  /** Embedding size; read from the embedder when absent. */
  readonly embeddingSize?: number;
}

/** Options of {@linkcode saveModel}: the metadata fields the model cannot tell. */
export interface SaveModelOptions {
  /** The run's seed. */
  readonly seed?: number;
  /** The DSL spec (any JSON value). */
  readonly spec?: unknown;
  /** How embeddings are normalised, e.g. `"l2"` or `"none"`. */
  readonly normalisation?: string;
  /** The distance of the verification threshold, e.g. `"euclidean"`. */
  readonly distance?: string;
  /** The verification threshold (same when distance ≤ threshold). */
  readonly threshold?: number;
  /** Class names of the training data. */
  readonly classNames?: readonly string[];
  /** Anything else, stored under `extra`. */
  readonly extra?: Record<string, unknown>;
}

/** Writes one LayersModel as model.json + weights.bin into (existing) `dir`. */
async function writeLayersModel(model: LayersModel, dir: string): Promise<void> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler((a) => {
    artifacts = a;
    return Promise.resolve({ modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) });
  }));
  if (!artifacts) throw new Error("Cannot save model as tfjs gave no artifacts");
  const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? []));
  const modelJson = {
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: ["weights.bin"], weights: artifacts.weightSpecs ?? [] }],
    ...(artifacts.userDefinedMetadata
      ? { userDefinedMetadata: artifacts.userDefinedMetadata }
      : {}),
  };
  await writeFileAtomic(join(dir, "weights.bin"), weights);
  await writeFileAtomic(join(dir, "model.json"), JSON.stringify(modelJson));
}

const outputSize = (embedder: LayersModel): number => {
  const shape = embedder.outputs[0].shape;
  if (embedder.outputs.length !== 1 || shape.length !== 2 || typeof shape[1] !== "number") {
    throw new Error(
      `Cannot save model as the embedder must have one rank-2 output: current output shape is [${
        shape.map((d) => d ?? "null")
      }]`,
    );
  }
  return shape[1];
};

/**
 * Saves a trained embedding model into `dir` in the TensorFlow.js layers format —
 * `model.json` (topology and weights manifest) and `weights.bin` — with `metadata.json`
 * beside them, and the loss head, if any, in `dir/head/`. Needs only Deno's file system (no
 * tfjs-node). Returns the metadata written.
 *
 * Atomic: everything is written into a temp directory next to `dir` and renamed into place,
 * so `dir` always holds either the previous model or the new one, whole. `dir` belongs to the
 * model: anything else in it is replaced.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { saveModel } from "./save_model.ts";
 * import { loadModel } from "./load_model.ts";
 *
 * await tf.setBackend("cpu");
 * const embedder = tf.sequential({
 *   layers: [tf.layers.dense({ inputShape: [3], units: 2, kernelInitializer: "ones" })],
 * });
 * const dir = `${await Deno.makeTempDir()}/model`;
 * const metadata = await saveModel({ embedder }, dir, { normalisation: "none", threshold: 0.5 });
 * if (metadata.embeddingSize !== 2 || metadata.inputShape.join() !== "3") throw new Error("meta");
 * const loaded = await loadModel(dir);
 * const x = tf.ones([1, 3]);
 * const y = loaded.embed(x);
 * if (y.dataSync()[0] !== 3) throw new Error("weights");
 * tf.dispose([x, y]);
 * loaded.dispose();
 * embedder.dispose();
 * ```
 */
export async function saveModel(
  model: SavableModel,
  dir: string,
  options: SaveModelOptions = {},
): Promise<ModelMetadata> {
  const embeddingSize = model.embeddingSize ?? outputSize(model.embedder);
  const inputShape = [...(model.inputShape ?? model.embedder.inputs[0].shape.slice(1))];
  if (inputShape.some((d) => typeof d !== "number")) {
    throw new Error(
      `Cannot save model as the embedder's input shape must be fixed: current shape is [${
        inputShape.map((d) => d ?? "null")
      }]`,
    );
  }
  const metadata: ModelMetadata = {
    format: MODEL_FORMAT,
    version: 1,
    kind: model.kind ?? null,
    inputShape: inputShape as number[],
    embeddingSize,
    normalisation: options.normalisation ?? null,
    distance: options.distance ?? null,
    threshold: options.threshold ?? null,
    seed: options.seed ?? null,
    spec: options.spec ?? null,
    classNames: options.classNames ? [...options.classNames] : null,
    hasHead: model.head !== undefined,
    createdAt: new Date().toISOString(),
    extra: options.extra ?? {},
  };
  const target = dir.replace(/[\\/]+$/, "");
  const parent = target.includes("/") ? target.slice(0, target.lastIndexOf("/")) || "/" : ".";
  await Deno.mkdir(parent, { recursive: true });
  const temp = tempPathFor(target);
  await Deno.mkdir(temp);
  try {
    await writeLayersModel(model.embedder, temp);
    if (model.head) {
      await Deno.mkdir(join(temp, "head"));
      await writeLayersModel(model.head, join(temp, "head"));
    }
    await writeFileAtomic(join(temp, "metadata.json"), JSON.stringify(metadata, null, 2));
    if (await exists(target)) {
      const trash = tempPathFor(`${target}.old`);
      await Deno.rename(target, trash);
      await Deno.rename(temp, target);
      await Deno.remove(trash, { recursive: true });
    } else {
      await Deno.rename(temp, target);
    }
  } catch (error) {
    await Deno.remove(temp, { recursive: true }).catch(() => {});
    throw error;
  }
  return metadata;
}
