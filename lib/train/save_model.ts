import * as tf from "@tensorflow/tfjs";
import type { Distance, LayersModel } from "../types.ts";
import { checkDistance } from "../distances/host.ts";
import {
  isLikenessModelDir,
  join,
  MODEL_DIR_ENTRIES,
  MODEL_FORMAT,
  splitPath,
  writeFileAtomic,
} from "./_fs.ts";
import { type FolderKind, publishFolder } from "./_replace_target.ts";

/**
 * `metadata.json` beside a saved model: what a later process needs to use the embedding
 * correctly (input shape, normalisation, the distance and threshold for verification) and to
 * know where it came from (spec, seed).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { type ModelMetadata, saveModel } from "./save_model.ts";
 * await tf.setBackend("cpu");
 * const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2 })] });
 * const dir = `${await Deno.makeTempDir()}/model`;
 * const m: ModelMetadata = await saveModel({ embedder, kind: "pair" }, dir, { distance: "euclidean", threshold: 0.5, classNames: ["a", "b"] });
 * // same when the distance is at most the threshold
 * const decide = (distance: number) => m.threshold !== null && distance <= m.threshold;
 * if (!decide(0.5) || decide(0.6)) throw new Error("threshold");
 * const onDisk = JSON.parse(await Deno.readTextFile(`${dir}/metadata.json`));
 * if (onDisk.format !== "likeness-model" || onDisk.kind !== "pair" || onDisk.classNames.join() !== "a,b") throw new Error("metadata.json");
 * if (m.inputShape.join() !== "4" || m.embeddingSize !== 2 || m.hasHead) throw new Error("read from the model");
 * await Deno.remove(dir, { recursive: true });
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
  /**
   * The name of the distance the model was trained with and the threshold applies to (e.g.
   * `"euclidean"`): `loadModel` restores the `Distance` record from it. `null` if not stated.
   */
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
 * import * as tf from "@tensorflow/tfjs";
 * import { type SavableModel, saveModel } from "./save_model.ts";
 * import { loadModel } from "./load_model.ts";
 * await tf.setBackend("cpu");
 * const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] });
 * const head = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1, kernelInitializer: "ones" })] });
 * const model: SavableModel = { embedder, head, kind: "pair" };
 * const dir = `${await Deno.makeTempDir()}/model`;
 * const meta = await saveModel(model, dir);
 * // the shapes come from the embedder; the head is saved beside it
 * if (meta.inputShape.join() !== "3" || meta.embeddingSize !== 2 || !meta.hasHead) throw new Error("metadata");
 * const loaded = await loadModel(dir);
 * if (loaded.head?.predict(tf.ones([1, 2])).toString() !== tf.tensor2d([[2]]).toString()) throw new Error("head");
 * loaded.dispose();
 * await Deno.remove(dir, { recursive: true });
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
  /**
   * The distance the model was trained with (and the threshold applies to): a `Distance`
   * record such as `distances.euclidean`; its name is stored, and `loadModel` gives the record
   * back. A plain name is still accepted, as before.
   */
  readonly distance?: Distance | string;
  /** The verification threshold (same when distance ≤ threshold). */
  readonly threshold?: number;
  /** Class names of the training data. */
  readonly classNames?: readonly string[];
  /** Anything else, stored under `extra`. */
  readonly extra?: Record<string, unknown>;
  /**
   * Replace a likeness model already saved at the path (default `false`: refuse). Only a
   * folder recognised as a likeness model — `metadata.json` with `format: "likeness-model"`
   * and nothing but the files `saveModel` writes — is ever replaced; anything else at the
   * path is refused whatever this says.
   */
  readonly overwrite?: boolean;
}

/** Throws if a float32 weight holds NaN or ±Infinity: such a model could never be used. */
function checkFinite(
  bytes: Uint8Array,
  specs: readonly tf.io.WeightsManifestEntry[],
  what: string,
) {
  let offset = 0;
  for (const spec of specs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const per = spec.dtype === "float32" || spec.dtype === "int32"
      ? 4
      : spec.dtype === "bool"
      ? 1
      : 0;
    if (spec.dtype === "float32" && !spec.quantization) {
      const view = new DataView(bytes.buffer, bytes.byteOffset + offset, size * 4);
      for (let i = 0; i < size; i++) {
        const value = view.getFloat32(i * 4, true);
        if (!Number.isFinite(value)) {
          throw new Error(
            `Cannot save model as the ${what}'s weight ${spec.name} holds ${value} at index ${i}: train it to finite weights first`,
          );
        }
      }
    }
    offset += size * per;
  }
}

/** Writes one LayersModel as model.json + weights.bin into (existing) `dir`. */
async function writeLayersModel(model: LayersModel, dir: string, what: string): Promise<void> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler((a) => {
    artifacts = a;
    return Promise.resolve({ modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) });
  }));
  if (!artifacts) throw new Error("Cannot save model as tfjs gave no artifacts");
  const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? []));
  checkFinite(weights, artifacts.weightSpecs ?? [], what);
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

/** A model folder, as {@linkcode publishFolder} checks and names it. */
const MODEL_FOLDER: FolderKind = {
  action: "save model",
  writer: "saveModel",
  noun: "likeness model",
  notRecognised: `no complete model with a metadata.json of format "${MODEL_FORMAT}"`,
  isComplete: isLikenessModelDir,
  entries: MODEL_DIR_ENTRIES,
  subEntries: { head: ["model.json", "weights.bin"] },
};

/** Throws unless `value` is undefined or passes `ok`, naming the option and the value. */
function checkOption(name: string, value: unknown, ok: (v: unknown) => boolean, want: string) {
  if (value !== undefined && !ok(value)) {
    const seen = typeof value === "number" ? String(value) : JSON.stringify(value) ?? String(value);
    throw new Error(`Cannot save model as options.${name} must be ${want}: got ${seen}`);
  }
}

/**
 * Saves a trained embedding model into `dir` in the TensorFlow.js layers format —
 * `model.json` (topology and weights manifest) and `weights.bin` — with `metadata.json`
 * beside them, and the loss head, if any, in `dir/head/`. Needs only Deno's file system (no
 * tfjs-node). Returns the metadata written.
 *
 * What it writes over:
 * - nothing at `dir`, or an empty folder: the model is saved there;
 * - a likeness model folder (`metadata.json` with `format: "likeness-model"` and only the
 *   files saveModel writes): refused unless `options.overwrite` is `true`;
 * - anything else (a file, a symbolic link, a folder with other files): always refused, with
 *   an error naming `dir`. Nothing that is not a likeness model is ever deleted.
 *
 * Atomic, also under kill -9: the model is written into a temp folder beside `dir`
 * (`<dir>.tmp-…`), then published by renames (`dir` → `<dir>.old-…`, temp → `dir`). If the
 * process dies between those two renames, the next `saveModel` or `loadModel` of `dir` renames
 * the complete old model back; temp and old folders of interrupted saves are removed by the
 * next `saveModel` of `dir` (`loadModel` removes the old ones but leaves temp folders, which a
 * save in another process may still be filling). So `dir` always yields the whole previous
 * model or the whole new one. Save to one path from one process at a time: a concurrent save
 * may fail, but a complete model survives.
 *
 * Refuses weights that are NaN or infinite (such a model could never be used), and options
 * of the wrong type (e.g. a NaN threshold), before writing anything.
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
 *
 * // Saving again over it must be asked for explicitly.
 * let refused = "";
 * await saveModel({ embedder }, dir).catch((e) => refused = e.message);
 * if (!refused.includes("pass { overwrite: true }")) throw new Error(refused);
 * await saveModel({ embedder }, dir, { threshold: 0.25, overwrite: true });
 * if ((await loadModel(dir)).metadata.threshold !== 0.25) throw new Error("overwrite");
 * embedder.dispose();
 * ```
 */
export async function saveModel(
  model: SavableModel,
  dir: string,
  options: SaveModelOptions = {},
): Promise<ModelMetadata> {
  const base = typeof dir === "string" ? splitPath(dir).base : "";
  if (typeof dir !== "string" || ["", ".", ".."].includes(base) || dir.includes("\0")) {
    throw new Error(
      `Cannot save model as dir must be a path ending in a folder name: got ${JSON.stringify(dir)}`,
    );
  }
  const isFiniteNumber = (v: unknown) => typeof v === "number" && Number.isFinite(v);
  const isString = (v: unknown) => typeof v === "string";
  checkOption("overwrite", options.overwrite, (v) => typeof v === "boolean", "true or false");
  checkOption("threshold", options.threshold, isFiniteNumber, "a finite number");
  checkOption("seed", options.seed, isFiniteNumber, "a finite number");
  checkOption("normalisation", options.normalisation, isString, "a string");
  if (options.distance !== undefined && typeof options.distance !== "string") {
    checkDistance("save model", "options.distance", options.distance);
  }
  const distanceName = typeof options.distance === "string"
    ? options.distance
    : options.distance?.name;
  checkOption("distance", distanceName, isString, "a Distance record or its name");
  checkOption(
    "classNames",
    options.classNames,
    (v) => Array.isArray(v) && v.every(isString),
    "an array of strings",
  );
  checkOption(
    "extra",
    options.extra,
    (v) => typeof v === "object" && v !== null && !Array.isArray(v),
    "an object",
  );
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
    distance: distanceName ?? null,
    threshold: options.threshold ?? null,
    seed: options.seed ?? null,
    spec: options.spec ?? null,
    classNames: options.classNames ? [...options.classNames] : null,
    hasHead: model.head !== undefined,
    createdAt: new Date().toISOString(),
    extra: options.extra ?? {},
  };
  let metadataJson: string;
  try {
    metadataJson = JSON.stringify(metadata, null, 2);
  } catch (error) {
    throw new Error(
      `Cannot save model as options.spec or options.extra is not JSON: ${(error as Error).message}`,
    );
  }
  // Finish or undo what an interrupted save left, decide whether we may write here, then
  // write into a temp folder and publish it.
  await publishFolder(dir, MODEL_FOLDER, options.overwrite === true, async (temp) => {
    await writeLayersModel(model.embedder, temp, "embedder");
    if (model.head) {
      await Deno.mkdir(join(temp, "head"));
      await writeLayersModel(model.head, join(temp, "head"), "head");
    }
    // Written last: its presence marks the temp folder complete (see recoverDir).
    await writeFileAtomic(join(temp, "metadata.json"), metadataJson);
  });
  return metadata;
}
