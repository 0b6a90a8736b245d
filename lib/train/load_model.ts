import * as tf from "@tensorflow/tfjs";
import type { Distance, LayersModel, Tensor, Tensor2D } from "../types.ts";
import { builtInDistance, checkDistance } from "../distances/host.ts";
import { registerLayers } from "../compile/register_layers.ts";
import {
  exists,
  isLikenessModelDir,
  isPermissionError,
  join,
  MODEL_FORMAT,
  readJson,
  recoverDir,
  stripTrailingSeparators,
} from "./_fs.ts";
import type { ModelMetadata } from "./save_model.ts";

/**
 * A model loaded by {@linkcode loadModel}.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { type LoadedModel, loadModel } from "./load_model.ts";
 * import { saveModel } from "./save_model.ts";
 * import { euclidean } from "../distances/mod.ts";
 * await tf.setBackend("cpu");
 * // kernel [[1, 0], [0, 2]]: embeds (x, y) as (x, 2y)
 * const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 2, useBias: false, weights: [tf.tensor2d([[1, 0], [0, 2]])] })] });
 * const dir = `${await Deno.makeTempDir()}/model`;
 * await saveModel({ embedder }, dir, { distance: euclidean, threshold: 0.5 });
 * const m: LoadedModel = await loadModel(dir);
 * const y = m.embed(tf.tensor2d([[3, 4]]));
 * if (y.dataSync().join() !== "3,8") throw new Error(`${y.dataSync()}`);
 * // the distance record comes back from the name stored in metadata.json
 * if (m.distance !== euclidean || m.metadata.distance !== "euclidean") throw new Error("distance");
 * if (m.metadata.embeddingSize !== 2 || m.metadata.threshold !== 0.5 || m.head) throw new Error("metadata");
 * m.dispose();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export interface LoadedModel {
  /** The embedding model. */
  readonly embedder: LayersModel;
  /** The loss head, when one was saved. */
  readonly head?: LayersModel;
  /** The saved metadata.json. */
  readonly metadata: ModelMetadata;
  /**
   * The distance the model was saved with, as a record: the built-in distance of
   * `metadata.distance`'s name, or the one of that name in `options.distances`; `undefined`
   * when no distance was recorded or the recorded name is neither (`metadata.distance` still
   * has it).
   */
  readonly distance?: Distance;
  /** Embeds a batch of inputs (rows) in inference mode; the caller disposes the result. */
  embed(x: Tensor): Tensor2D;
  /** Disposes the models' weights. */
  dispose(): void;
}

/**
 * Options of {@linkcode loadModel}.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { loadModel, type LoadModelOptions } from "./load_model.ts";
 * import { saveModel } from "./save_model.ts";
 * import { distance } from "../distances/mod.ts";
 * await tf.setBackend("cpu");
 * // a user distance: its name is saved, the record is given back on loading
 * const chebyshev = distance({ name: "chebyshev", rows: (a, b) => tf.max(tf.abs(tf.sub(a, b)), 1) });
 * const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 2 })] });
 * const dir = `${await Deno.makeTempDir()}/model`;
 * await saveModel({ embedder }, dir, { distance: chebyshev });
 * const options: LoadModelOptions = { distances: [chebyshev] };
 * const m = await loadModel(dir, options);
 * if (m.distance !== chebyshev) throw new Error("the user's record");
 * m.dispose();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export interface LoadModelOptions {
  /**
   * User-defined distances a saved model may name (built-in ones are always known): the one
   * whose name metadata.json records becomes {@linkcode LoadedModel.distance}.
   */
  readonly distances?: readonly Distance[];
}

/**
 * The record of a recorded distance name: built-in, or one of `distances` (checked), or
 * `undefined`.
 */
function restoreDistance(
  name: string | null,
  distances: readonly Distance[] | undefined,
  what: string,
): Distance | undefined {
  if (distances !== undefined) {
    if (!Array.isArray(distances)) {
      throw new TypeError(
        `Cannot ${what} as options.distances must be an array of Distance records: current value is ${
          show(distances)
        }`,
      );
    }
    distances.forEach((d, i) => checkDistance(what, `options.distances[${i}]`, d));
  }
  if (name === null) return undefined;
  return builtInDistance(name) ?? distances?.find((d) => d.name === name);
}

/** A value for an error message: JSON, cut to 80 characters. */
function show(value: unknown): string {
  let text: string;
  try {
    text = typeof value === "number" ? String(value) : JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const BYTES_PER: Readonly<Record<string, number>> = { float32: 4, int32: 4, bool: 1 };

/** Checks one weightsManifest entry; returns its byte length. */
function checkEntry(entry: unknown, where: string, modelPath: string, names: Set<string>): number {
  const bad = (what: string, value: unknown, want: string) =>
    new Error(`Cannot load model as ${where}.${what} in ${modelPath} is ${show(value)}: ${want}`);
  if (!isRecord(entry)) {
    throw new Error(
      `Cannot load model as ${where} in ${modelPath} is ${show(entry)}: expected an object`,
    );
  }
  if (typeof entry.name !== "string" || entry.name === "") {
    throw bad("name", entry.name, "expected a non-empty string");
  }
  if (names.has(entry.name)) throw bad("name", entry.name, "another weight has that name");
  names.add(entry.name);
  const shape = entry.shape;
  if (
    !Array.isArray(shape) || shape.length > 8 ||
    !shape.every((d) => Number.isSafeInteger(d) && d >= 0)
  ) {
    throw bad("shape", shape, "expected up to 8 non-negative integers");
  }
  if (entry.quantization !== undefined) {
    throw bad("quantization", entry.quantization, "quantised weights are not supported");
  }
  const per = typeof entry.dtype === "string" ? BYTES_PER[entry.dtype] : undefined;
  if (per === undefined) throw bad("dtype", entry.dtype, "expected float32, int32 or bool");
  return (shape as number[]).reduce((a, b) => a * b, per);
}

/**
 * Resolves a weightsManifest path inside `dir`, or throws before anything is read: no
 * absolute path, no `..`, and after following symbolic links still inside `dir`.
 */
async function resolveWeightsPath(
  path: unknown,
  dir: string,
  realDir: string,
  modelPath: string,
): Promise<{ path: string; size: number }> {
  const refuse = (why: string) =>
    new Error(
      `Cannot load model as weightsManifest path ${show(path)} in ${modelPath} ${why}`,
    );
  if (typeof path !== "string" || path === "" || path.includes("\0")) {
    throw refuse("is not a file name");
  }
  if (/^[\\/]/.test(path) || /^[A-Za-z]:/.test(path) || /^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    throw refuse("is absolute: weight files must be inside the model folder");
  }
  if (path.split(/[\\/]/).includes("..")) throw refuse("resolves outside the model folder");
  const joined = join(dir, path);
  let real: string;
  try {
    real = await Deno.realPath(joined);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
      throw new Error(`Cannot load model as its weights file ${joined} does not exist`);
    }
    throw error;
  }
  const inside = [`${realDir}/`, `${realDir}\\`].some((prefix) => real.startsWith(prefix)) ||
    (realDir === "/" && real !== "/");
  if (!inside) throw refuse("resolves outside the model folder");
  const info = await Deno.stat(real);
  if (!info.isFile) throw refuse("is not a regular file");
  return { path: real, size: info.size };
}

/** Throws if a float32 weight holds NaN or ±Infinity, naming the weight and file. */
function checkFinite(
  bytes: Uint8Array,
  specs: readonly tf.io.WeightsManifestEntry[],
  where: string,
): void {
  let offset = 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const spec of specs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (spec.dtype === "float32") {
      for (let i = 0; i < size; i++) {
        const value = view.getFloat32(offset + i * 4, true);
        if (!Number.isFinite(value)) {
          throw new Error(
            `Cannot load model as ${where} holds ${value} in weight ${spec.name} at index ${i}: a model with non-finite weights embeds nothing`,
          );
        }
      }
    }
    offset += size * BYTES_PER[spec.dtype];
  }
}

/**
 * Reads the tfjs layers model of folder `dir` (`model.json` and its weights files), checking
 * every weights path (inside the folder), the sizes and that every weight is finite.
 */
export async function readLayersModel(dir: string): Promise<LayersModel> {
  const modelPath = join(dir, "model.json");
  const json = await readJson(modelPath, "model");
  if (!isRecord(json) || !isRecord(json.modelTopology) || !Array.isArray(json.weightsManifest)) {
    throw new Error(
      `Cannot load model as ${modelPath} is not a tfjs layers model (no modelTopology object or weightsManifest array)`,
    );
  }
  for (const field of ["format", "generatedBy", "convertedBy"]) {
    const value = json[field];
    if (value !== undefined && value !== null && typeof value !== "string") {
      throw new Error(
        `Cannot load model as ${modelPath} field ${field} is ${show(value)}: expected a string`,
      );
    }
  }
  // Check the whole manifest and every path before reading any weights file.
  const specs: tf.io.WeightsManifestEntry[] = [];
  const files: { path: string; size: number }[] = [];
  const names = new Set<string>();
  let expected = 0;
  const realDir = await Deno.realPath(dir);
  for (const [i, group] of json.weightsManifest.entries()) {
    const where = `weightsManifest[${i}]`;
    if (!isRecord(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new Error(
        `Cannot load model as ${where} in ${modelPath} is ${
          show(group)
        }: expected { paths: [...], weights: [...] }`,
      );
    }
    for (const [j, entry] of group.weights.entries()) {
      expected += checkEntry(entry, `${where}.weights[${j}]`, modelPath, names);
      specs.push(entry as tf.io.WeightsManifestEntry);
    }
    for (const path of group.paths) {
      files.push(await resolveWeightsPath(path, dir, realDir, modelPath));
    }
  }
  const onDisk = files.reduce((n, f) => n + f.size, 0);
  if (onDisk !== expected) {
    throw new Error(
      `Cannot load model from ${dir} as its weights are corrupt: ${onDisk} bytes on disk, the manifest needs ${expected}`,
    );
  }
  const buffers: Uint8Array[] = [];
  for (const file of files) {
    const bytes = await Deno.readFile(file.path);
    if (bytes.byteLength !== file.size) {
      throw new Error(`Cannot load model as ${file.path} changed while it was read`);
    }
    buffers.push(bytes);
  }
  const all = new Uint8Array(onDisk);
  let offset = 0;
  for (const b of buffers) {
    all.set(b, offset);
    offset += b.byteLength;
  }
  checkFinite(all, specs, files.length === 1 ? files[0].path : `the weights of ${modelPath}`);
  return await buildModel(json.modelTopology, specs, all, dir, modelPath);
}

/**
 * Builds the network from its topology and sets the weights, leaking no tensor when either
 * fails (tf.loadLayersModel leaks its variables and decoded weights when the weights do not
 * fit the topology).
 */
async function buildModel(
  topology: Record<string, unknown>,
  specs: tf.io.WeightsManifestEntry[],
  bytes: Uint8Array,
  dir: string,
  modelPath: string,
): Promise<LayersModel> {
  const engine = tf.engine();
  const known = new Set(Object.keys(engine.registeredVariables));
  let pending: Promise<LayersModel>;
  // modelFromJSON without a weightsManifest builds synchronously, so this scope frees the
  // initialisers' temporaries and holds nothing of anyone else's.
  engine.startScope();
  try {
    registerLayers(); // on load, not at import
    pending = tf.models.modelFromJSON({ modelTopology: topology } as tf.io.ModelJSON);
  } finally {
    engine.endScope();
  }
  const created = Object.entries(engine.registeredVariables)
    .filter(([name]) => !known.has(name)).map(([, variable]) => variable);
  let model: LayersModel;
  try {
    model = await pending;
  } catch (error) {
    tf.dispose(created);
    throw loadError(error, dir, modelPath);
  }
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const weights = tf.io.decodeWeights(buffer as ArrayBuffer, specs);
  try {
    model.loadWeights(weights, true);
  } catch (error) {
    model.dispose();
    throw loadError(error, dir, modelPath);
  } finally {
    tf.dispose(Object.values(weights));
  }
  return model;
}

function loadError(error: unknown, dir: string, modelPath: string): Error {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /Unknown layer: (\w+)/.exec(message);
  if (unknown) {
    return new Error(
      `Cannot load model from ${dir} as its layer class ${
        unknown[1]
      } is not registered: import the module that defines it and register it with tf.serialization.registerClass (likeness's own layers are registered by loadModel)`,
    );
  }
  return new Error(`Cannot load model from ${modelPath}: ${message}`);
}

/** Checks metadata.json's fields; fills optional ones a hand-written file left out. */
function checkMetadata(json: unknown, path: string): ModelMetadata {
  if (!isRecord(json) || json.format !== MODEL_FORMAT) {
    throw new Error(
      `Cannot load model as ${path} is not likeness metadata: format is ${
        show(isRecord(json) ? json.format : json)
      }`,
    );
  }
  const bad = (field: string, want: string) =>
    new Error(`Cannot load model as ${path} field ${field} is ${show(json[field])}: ${want}`);
  if (json.version !== 1) throw bad("version", "this likeness reads version 1");
  const positive = (v: unknown) => Number.isSafeInteger(v) && (v as number) > 0;
  if (!Array.isArray(json.inputShape) || !json.inputShape.every(positive)) {
    throw bad("inputShape", "expected an array of positive integers");
  }
  if (!positive(json.embeddingSize)) throw bad("embeddingSize", "expected a positive integer");
  if (typeof json.hasHead !== "boolean") throw bad("hasHead", "expected true or false");
  const optional: [string, (v: unknown) => boolean, string][] = [
    ["kind", (v) => typeof v === "string", "a string"],
    ["normalisation", (v) => typeof v === "string", "a string"],
    ["distance", (v) => typeof v === "string", "a string"],
    ["threshold", (v) => typeof v === "number" && Number.isFinite(v), "a finite number"],
    ["seed", (v) => typeof v === "number" && Number.isFinite(v), "a finite number"],
    [
      "classNames",
      (v) => Array.isArray(v) && v.every((c) => typeof c === "string"),
      "an array of strings",
    ],
    ["createdAt", (v) => typeof v === "string", "a string"],
  ];
  for (const [field, ok, want] of optional) {
    if (json[field] !== undefined && json[field] !== null && !ok(json[field])) {
      throw bad(field, `expected ${want} or null`);
    }
  }
  if (json.extra !== undefined && !isRecord(json.extra)) throw bad("extra", "expected an object");
  return {
    ...json,
    kind: json.kind ?? null,
    normalisation: json.normalisation ?? null,
    distance: json.distance ?? null,
    threshold: json.threshold ?? null,
    seed: json.seed ?? null,
    spec: json.spec ?? null,
    classNames: json.classNames ?? null,
    createdAt: json.createdAt ?? null,
    extra: json.extra ?? {},
  } as ModelMetadata;
}

/** Throws unless the network's input and output match what metadata.json claims. */
function checkShapes(embedder: LayersModel, metadata: ModelMetadata, dir: string): void {
  const metaPath = join(dir, "metadata.json");
  const modelPath = join(dir, "model.json");
  const dims = (shape: readonly (number | null)[]) => `[${shape.map((d) => d ?? "null")}]`;
  if (embedder.inputs.length !== 1 || embedder.outputs.length !== 1) {
    throw new Error(
      `Cannot load model as the network in ${modelPath} has ${embedder.inputs.length} inputs and ${embedder.outputs.length} outputs: an embedder has one of each`,
    );
  }
  for (const [side, tensor] of [["input", embedder.inputs[0]], ["output", embedder.outputs[0]]]) {
    const dtype = (tensor as { dtype: unknown }).dtype;
    if (dtype !== "float32") {
      throw new Error(
        `Cannot load model as the network in ${modelPath} has ${side} dtype ${
          show(dtype)
        }: an embedder's is float32`,
      );
    }
  }
  const input = embedder.inputs[0].shape.slice(1);
  if (
    input.length !== metadata.inputShape.length ||
    input.some((d, i) => d !== metadata.inputShape[i])
  ) {
    throw new Error(
      `Cannot load model as ${metaPath} says inputShape ${
        dims(metadata.inputShape)
      } but the network in ${modelPath} takes ${dims(input)}`,
    );
  }
  const output = embedder.outputs[0].shape;
  if (output.length !== 2 || output[1] !== metadata.embeddingSize) {
    throw new Error(
      `Cannot load model as ${metaPath} says embeddingSize ${metadata.embeddingSize} but the network in ${modelPath} outputs ${
        dims(output)
      }`,
    );
  }
}

/**
 * Loads a model saved by `saveModel` from `dir` (in a fresh process too): the embedder from
 * `model.json` + `weights.bin`, the head from `head/` if one was saved, and `metadata.json`;
 * the distance whose name metadata.json records comes back as a `Distance` record
 * (`distance`: a built-in one, or a user-defined one passed in `options.distances`).
 * likeness's own layer classes are registered with `tf.serialization` when a model is loaded
 * (not at import); a model with another custom layer needs that layer registered first.
 *
 * If a save to `dir` was killed between its two renames (`dir` missing, a complete
 * `<dir>.old-…` beside it), the old model is renamed back first; finished saves' `.old-…`
 * folders are removed (given write permission; without it, loading still works).
 *
 * Checks everything before trusting it, and errors name the file and the value: a missing or
 * unparsable file; metadata.json fields of the wrong type, or an `inputShape` /
 * `embeddingSize` the network does not have; a weightsManifest path that is absolute or
 * resolves outside the model folder (`..`, a symbolic link) — refused before anything is
 * read; weight entries with an unknown dtype, a bad shape or quantisation; weights whose size
 * does not match the manifest (truncated, or huge declared shapes); NaN or infinite weights;
 * an unregistered layer class.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { loadModel } from "./load_model.ts";
 * import { saveModel } from "./save_model.ts";
 *
 * await tf.setBackend("cpu");
 * const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 1, kernelInitializer: "ones" })] });
 * const saved = `${await Deno.makeTempDir()}/model`;
 * await saveModel({ embedder }, saved, { seed: 42 });
 * const loaded = await loadModel(saved);
 * // the saved weights: 1 + 2 + 3 = 6, in a new model
 * if (loaded.embed(tf.tensor2d([[1, 2, 3]])).dataSync()[0] !== 6 || loaded.embedder === embedder) throw new Error("weights");
 * if (loaded.metadata.seed !== 42 || loaded.metadata.inputShape.join() !== "3") throw new Error("metadata");
 * loaded.dispose();
 * await Deno.remove(saved, { recursive: true });
 * // a folder without a saved model is refused, naming the missing file
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
export async function loadModel(
  dir: string,
  options: LoadModelOptions = {},
): Promise<LoadedModel> {
  if (typeof dir !== "string" || dir === "" || dir.includes("\0")) {
    throw new Error(`Cannot load model as dir must be a folder path: got ${show(dir)}`);
  }
  if (options === null || typeof options !== "object") {
    throw new TypeError(`Cannot load model as options must be an object: got ${show(options)}`);
  }
  // Checked before anything is read.
  restoreDistance(null, options.distances, "load model");
  const target = stripTrailingSeparators(dir);
  try {
    // Not removeTemps: a save in another process may be filling its temp folder right now.
    await recoverDir(target, isLikenessModelDir, { removeTemps: false, waitMs: 50 });
  } catch (error) {
    // Housekeeping needs read access to the parent and write access; loading does not.
    if (!isPermissionError(error) && !(await exists(target))) throw error;
  }
  const metadataPath = join(target, "metadata.json");
  const metadata = checkMetadata(await readJson(metadataPath, "model metadata"), metadataPath);
  const embedder = await readLayersModel(target);
  let head: LayersModel | undefined;
  try {
    checkShapes(embedder, metadata, target);
    if (metadata.hasHead || await exists(join(target, "head", "model.json"))) {
      head = await readLayersModel(join(target, "head"));
    }
  } catch (error) {
    embedder.dispose();
    throw error;
  }
  const distance = restoreDistance(metadata.distance, options.distances, "load model");
  return {
    embedder,
    head,
    metadata,
    ...(distance === undefined ? {} : { distance }),
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
