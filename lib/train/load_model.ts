import * as tf from "@tensorflow/tfjs";
import type { LayersModel, Tensor, Tensor2D } from "../types.ts";
// Registers likeness's custom layers so that models using them deserialise.
import "../compile/mod.ts";
import { exists, join, readJson } from "./_fs.ts";
import { manifestBytes } from "./_weights.ts";
import type { ModelMetadata } from "./save_model.ts";

/**
 * A model loaded by {@linkcode loadModel}.
 *
 * @example
 * ```ts
 * import type { LoadedModel } from "./load_model.ts";
 * const size = (m: LoadedModel) => m.metadata.embeddingSize;
 * ```
 */
export interface LoadedModel {
  /** The embedding model. */
  readonly embedder: LayersModel;
  /** The loss head, when one was saved. */
  readonly head?: LayersModel;
  /** The saved metadata.json. */
  readonly metadata: ModelMetadata;
  /** Embeds a batch of inputs (rows) in inference mode; the caller disposes the result. */
  embed(x: Tensor): Tensor2D;
  /** Disposes the models' weights. */
  dispose(): void;
}

async function readLayersModel(dir: string): Promise<LayersModel> {
  const modelPath = join(dir, "model.json");
  const json = await readJson(modelPath, "model") as {
    modelTopology?: unknown;
    format?: string;
    generatedBy?: string;
    convertedBy?: string | null;
    weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  if (!json || typeof json !== "object" || !json.modelTopology || !json.weightsManifest) {
    throw new Error(
      `Cannot load model as ${modelPath} is not a tfjs layers model (no modelTopology or weightsManifest)`,
    );
  }
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    for (const path of group.paths) {
      try {
        buffers.push(await Deno.readFile(join(dir, path)));
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) {
          throw new Error(
            `Cannot load model as its weights file ${join(dir, path)} does not exist`,
          );
        }
        throw error;
      }
    }
  }
  const total = buffers.reduce((n, b) => n + b.byteLength, 0);
  const expected = manifestBytes({
    all: specs.map((s) => ({ name: s.name, shape: s.shape, dtype: s.dtype })),
  });
  if (total !== expected) {
    throw new Error(
      `Cannot load model from ${dir} as its weights are corrupt: ${total} bytes on disk, the manifest needs ${expected}`,
    );
  }
  const weightData = tf.io.CompositeArrayBuffer.join(
    buffers.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer),
  );
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: json.modelTopology as object,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy ?? null,
    weightSpecs: specs,
    weightData,
  };
  try {
    return await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /Unknown layer: (\w+)/.exec(message);
    if (unknown) {
      throw new Error(
        `Cannot load model from ${dir} as its layer class ${
          unknown[1]
        } is not registered: import the module that defines it (likeness's own layers register when lib/compile is imported)`,
      );
    }
    throw new Error(`Cannot load model from ${dir}: ${message}`);
  }
}

/**
 * Loads a model saved by `saveModel` from `dir` (in a fresh process too): the embedder from
 * `model.json` + `weights.bin`, the head from `head/` if one was saved, and `metadata.json`.
 * likeness's custom layers are registered by this module's import of lib/compile; a model
 * with another custom layer needs that layer's module imported first.
 *
 * Errors name the file and the problem: a missing or unparsable file, weights whose size
 * does not match the manifest, an unregistered layer class.
 *
 * @example
 * ```ts
 * import { loadModel } from "./load_model.ts";
 *
 * const dir = await Deno.makeTempDir();
 * let message = "";
 * try {
 *   await loadModel(dir);
 * } catch (error) {
 *   message = (error as Error).message;
 * }
 * if (!message.includes("metadata.json does not exist")) throw new Error(message);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadModel(dir: string): Promise<LoadedModel> {
  const metadata = await readJson(join(dir, "metadata.json"), "model metadata") as ModelMetadata;
  if (!metadata || metadata.format !== "likeness-model") {
    throw new Error(
      `Cannot load model as ${join(dir, "metadata.json")} is not likeness metadata: format is ${
        JSON.stringify(metadata?.format)
      }`,
    );
  }
  const embedder = await readLayersModel(dir);
  let head: LayersModel | undefined;
  if (metadata.hasHead || await exists(join(dir, "head", "model.json"))) {
    head = await readLayersModel(join(dir, "head"));
  }
  return {
    embedder,
    head,
    metadata,
    embed: (x) => {
      const y = embedder.predict(x, { batchSize: 256 });
      if (Array.isArray(y)) {
        tf.dispose(y);
        throw new Error(`Cannot embed as the model has ${y.length} outputs: expected 1`);
      }
      return y as Tensor2D;
    },
    dispose: () => {
      embedder.dispose();
      head?.dispose();
    },
  };
}
