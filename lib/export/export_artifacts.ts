import * as tf from "@tensorflow/tfjs";
import type { LayersModel } from "../types.ts";
import { type Graph, traceGraph } from "./_graph.ts";
import { buildTfjsModel, type TfjsArtifacts, tfjsArtifacts } from "./_to_tfjs.ts";
import { type InputLayout, onnxBytes, OPSET } from "./_to_onnx.ts";

export type { InputLayout } from "./_to_onnx.ts";
export type { TfjsArtifacts } from "./_to_tfjs.ts";

/** Which model files an export writes: stock tfjs, ONNX, or both. */
export type ExportFormat = "tfjs" | "onnx" | "both";

/**
 * What can be exported: an `Embedder` value (`embedder.embedderOf(program)`,
 * `embedder.loadEmbedder(dir)`), a compiled program (`compile(...)`), a model loaded with
 * `train.loadModel`, or any tfjs `LayersModel` with one input and one rank-2 output.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { type EmbedderSource, exportArtifacts } from "./export_artifacts.ts";
 * await tf.setBackend("cpu");
 * const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] });
 * // a bare model, or a record holding one with what is known about it
 * const sources: EmbedderSource[] = [embedder, { embedder, metadata: { distance: "cosine" } }];
 * const distances = [];
 * for (const s of sources) distances.push((await exportArtifacts(s)).metadata.distance);
 * if (distances.join() !== ",cosine") throw new Error(`${distances}`);
 * embedder.dispose();
 * ```
 */
export type EmbedderSource =
  | LayersModel
  | {
    /** An `Embedder` value's network (input item → embedding row). */
    readonly network: LayersModel;
    /** Its distance: the name goes into the metadata. */
    readonly distance?: { readonly name: string };
    /** `"l2"` or `"none"`. */
    readonly normalisation?: string;
    /** Its verification threshold. */
    readonly threshold?: number;
    /** Its class names. */
    readonly classNames?: readonly string[];
  }
  | {
    /** The embedding network (input item → embedding row). */
    readonly embedder: LayersModel;
    /** A compiled program's loss: its distance, if it has one, goes into the metadata. */
    readonly loss?: { readonly name?: string; readonly distance?: { readonly name: string } };
    /** `train.loadModel`'s metadata.json (normalisation, distance, threshold, class names). */
    readonly metadata?: {
      readonly normalisation?: string | null;
      readonly distance?: string | null;
      readonly threshold?: number | null;
      readonly classNames?: readonly string[] | null;
      readonly seed?: number | null;
    };
  };

/** Options of {@linkcode exportArtifacts} (and of `exportEmbedder`). */
export interface ExportArtifactsOptions {
  /** `"tfjs"` (default): stock TensorFlow.js; `"onnx"`: ONNX; `"both"`. */
  readonly format?: ExportFormat;
  /**
   * How the ONNX model takes images (rank-3 items): `"nhwc"` (default), the same arrays as
   * likeness and tfjs (`[n, 28, 28, 1]`), or `"nchw"` (`[n, 1, 28, 28]`), the PyTorch habit.
   * The tfjs model is always NHWC.
   */
  readonly inputLayout?: InputLayout;
  /** The distance for the metadata (default: the source's, else null). */
  readonly distance?: string;
  /** The verification threshold for the metadata (same when distance ≤ threshold). */
  readonly threshold?: number;
  /** Class names for the metadata. */
  readonly classNames?: readonly string[];
  /** Anything else, stored under `extra`. */
  readonly extra?: Record<string, unknown>;
}

/**
 * `export.json` of an export, also stored in model.json's `userDefinedMetadata.likeness`
 * (stock tfjs: `model.getUserDefinedMetadata()`) and in the ONNX model's metadata
 * properties (onnxruntime: `session.get_modelmeta().custom_metadata_map` in Python).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { exportArtifacts, type ExportMetadata } from "./export_artifacts.ts";
 * await tf.setBackend("cpu");
 * const embedder = tf.sequential({
 *   layers: [tf.layers.dense({ inputShape: [4], units: 8 }), tf.layers.dropout({ rate: 0.5 }), tf.layers.dense({ units: 2 })],
 * });
 * const m: ExportMetadata = (await exportArtifacts(embedder, { format: "both", threshold: 0.7 })).metadata;
 * // the dropout is gone; the files and shapes are recorded
 * if (m.removedLayers.length !== 1 || m.files.join() !== "model.json,weights.bin,model.onnx") throw new Error(`${m.files}`);
 * if (m.inputShape.join() !== "4" || m.embeddingSize !== 2 || m.threshold !== 0.7) throw new Error("metadata");
 * embedder.dispose();
 * ```
 */
export interface ExportMetadata {
  /** Always `"likeness-export"`. */
  readonly format: "likeness-export";
  /** Format version, 1. */
  readonly version: 1;
  /** The model files of the export (besides export.json). */
  readonly files: readonly string[];
  /** The ONNX model's interface, or null when none was written. */
  readonly onnx: {
    readonly file: "model.onnx";
    readonly input: "input";
    readonly output: "embedding";
    /** The input's shape; `"batch"` is any number of items. */
    readonly inputShape: readonly (number | "batch")[];
    readonly inputLayout: InputLayout;
    readonly opset: number;
  } | null;
  /** Shape of one input item as likeness and tfjs take it (channels last), e.g. `[28, 28, 1]`. */
  readonly inputShape: readonly number[];
  /** Length of one embedding row. */
  readonly embeddingSize: number;
  /** How the model's output is normalised (`"l2"`, …), or null if not known. */
  readonly normalisation: string | null;
  /** Whether that normalisation is inside the exported model (true for `"l2"` stages). */
  readonly normalisedInModel: boolean;
  /** The distance embeddings are compared with, or null. */
  readonly distance: string | null;
  /** Verification threshold (same when distance ≤ threshold), or null. */
  readonly threshold: number | null;
  /** Class names of the training data, or null. */
  readonly classNames: readonly string[] | null;
  /** Training-only layers left out, as `name (Class)`. */
  readonly removedLayers: readonly string[];
  /** Batch-norm layers folded into the convolution or dense layer before them. */
  readonly foldedBatchNorm: readonly string[];
  /** Largest |difference| of the exported network's embeddings from the source's on a seeded
   * random batch, measured in-process while exporting. */
  readonly checkedDifference: number;
  /** When it was exported (ISO 8601). */
  readonly createdAt: string;
  /** Anything else the caller stored. */
  readonly extra: Record<string, unknown>;
}

/** An export in memory: what `exportEmbedder` writes, for callers without a file system. */
export interface ExportedArtifacts {
  /** The metadata (export.json). */
  readonly metadata: ExportMetadata;
  /** model.json and weights.bin, when the format includes tfjs. */
  readonly tfjs?: TfjsArtifacts;
  /** model.onnx's bytes, when the format includes ONNX. */
  readonly onnx?: Uint8Array;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const show = (v: unknown): string => {
  if (typeof v === "number" || v === undefined) return String(v);
  try {
    const text = JSON.stringify(v) ?? String(v);
    return text.length > 80 ? `${text.slice(0, 77)}…` : text;
  } catch {
    return String(v);
  }
};

const isLayersModel = (v: unknown): v is LayersModel =>
  isRecord(v) && Array.isArray(v.layers) && Array.isArray(v.inputs) && Array.isArray(v.outputs) &&
  typeof v.predict === "function";

/** Checks the options; throws naming the option and the value. */
export function checkExportOptions(options: unknown, what: string): ExportArtifactsOptions {
  if (options === undefined) return {};
  if (!isRecord(options)) {
    throw new Error(`Cannot ${what} as options must be an object: got ${show(options)}`);
  }
  const check = (name: string, ok: (v: unknown) => boolean, want: string) => {
    const value = options[name];
    if (value !== undefined && !ok(value)) {
      throw new Error(`Cannot ${what} as options.${name} must be ${want}: got ${show(value)}`);
    }
  };
  check("format", (v) => v === "tfjs" || v === "onnx" || v === "both", `"tfjs", "onnx" or "both"`);
  check("inputLayout", (v) => v === "nhwc" || v === "nchw", `"nhwc" or "nchw"`);
  check("distance", (v) => typeof v === "string", "a string");
  check("threshold", (v) => typeof v === "number" && Number.isFinite(v), "a finite number");
  check(
    "classNames",
    (v) => Array.isArray(v) && v.every((c) => typeof c === "string"),
    "an array of strings",
  );
  check("extra", isRecord, "an object");
  check("overwrite", (v) => typeof v === "boolean", "true or false");
  if (options.extra !== undefined) {
    try {
      JSON.stringify(options.extra);
    } catch (error) {
      throw new Error(
        `Cannot ${what} as options.extra is not JSON: ${(error as Error).message}`,
      );
    }
  }
  return options as ExportArtifactsOptions;
}

/** The embedder and what is known about it, from any {@linkcode EmbedderSource}. */
export function resolveSource(source: unknown, what: string): {
  embedder: LayersModel;
  distance: string | null;
  normalisation: string | null;
  threshold: number | null;
  classNames: readonly string[] | null;
} {
  if (isLayersModel(source)) {
    return {
      embedder: source,
      distance: null,
      normalisation: null,
      threshold: null,
      classNames: null,
    };
  }
  const str = (v: unknown) => (typeof v === "string" ? v : null);
  if (isRecord(source) && isLayersModel(source.network)) {
    // An Embedder value.
    return {
      embedder: source.network,
      distance: isRecord(source.distance) ? str(source.distance.name) : null,
      normalisation: str(source.normalisation),
      threshold: typeof source.threshold === "number" ? source.threshold : null,
      classNames: Array.isArray(source.classNames) ? source.classNames as string[] : null,
    };
  }
  if (!isRecord(source) || !isLayersModel(source.embedder)) {
    throw new Error(
      `Cannot ${what} as source must be an Embedder, a compiled program, a loaded model, a tfjs LayersModel or a model folder path: got ${
        isRecord(source) ? `an object with keys ${show(Object.keys(source))}` : show(source)
      }`,
    );
  }
  const meta = isRecord(source.metadata) ? source.metadata : {};
  const loss = isRecord(source.loss) ? source.loss : {};
  const lossDistance = isRecord(loss.distance) && typeof loss.distance.name === "string"
    ? loss.distance.name
    : null;
  return {
    embedder: source.embedder,
    distance: str(meta.distance) ?? lossDistance,
    normalisation: str(meta.normalisation),
    threshold: typeof meta.threshold === "number" ? meta.threshold : null,
    classNames: Array.isArray(meta.classNames) ? meta.classNames as string[] : null,
  };
}

/** A seeded input batch in [0, 1) for the in-process check. */
function probe(shape: readonly number[]): tf.Tensor {
  return tf.randomUniform([3, ...shape], 0, 1, "float32", 20260101);
}

/** Runs both networks on a seeded batch; throws if they disagree. */
function checkSame(source: LayersModel, exported: LayersModel, shape: readonly number[]): number {
  return tf.tidy(() => {
    const x = probe(shape);
    const a = source.predict(x) as tf.Tensor;
    const b = exported.predict(x) as tf.Tensor;
    const scale = Math.max(1, tf.max(tf.abs(a)).dataSync()[0]);
    const diff = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
    if (!(diff <= 1e-4 * scale)) {
      throw new Error(
        `Cannot export embedder as the exported network's embeddings differ from the source's by ${diff} (embeddings up to ${scale}): this is a bug in likeness's export, please report it with the network`,
      );
    }
    return diff;
  });
}

function metadataOf(
  graph: Graph,
  inputShape: readonly number[],
  embeddingSize: number,
  known: ReturnType<typeof resolveSource>,
  options: ExportArtifactsOptions,
  checkedDifference: number,
): ExportMetadata {
  const format = options.format ?? "tfjs";
  const layout = options.inputLayout ?? "nhwc";
  const files = [
    ...(format === "onnx" ? [] : ["model.json", "weights.bin"]),
    ...(format === "tfjs" ? [] : ["model.onnx"]),
  ];
  const last = graph.ops[graph.ops.length - 1];
  const inModel = last?.op === "l2Normalize";
  const onnxShape = inputShape.length === 3 && layout === "nchw"
    ? [inputShape[2], inputShape[0], inputShape[1]]
    : [...inputShape];
  return {
    format: "likeness-export",
    version: 1,
    files,
    onnx: format === "tfjs" ? null : {
      file: "model.onnx",
      input: "input",
      output: "embedding",
      inputShape: ["batch", ...onnxShape],
      inputLayout: layout,
      opset: OPSET,
    },
    inputShape: [...inputShape],
    embeddingSize,
    normalisation: inModel ? "l2" : known.normalisation,
    normalisedInModel: inModel,
    distance: options.distance ?? known.distance,
    threshold: options.threshold ?? known.threshold,
    classNames: options.classNames ? [...options.classNames] : known.classNames,
    removedLayers: graph.removed,
    foldedBatchNorm: graph.folded,
    checkedDifference,
    createdAt: new Date().toISOString(),
    extra: options.extra ?? {},
  };
}

/**
 * Exports an embedder in memory, as the bytes `exportEmbedder` writes: a TensorFlow.js
 * layers model made only of stock layers (`model.json` + `weights.bin`, loadable by
 * `tf.loadLayersModel` with no likeness code) and/or an ONNX model (opset 17). Uses no file
 * system, so it also runs in a browser.
 *
 * The inference graph is rebuilt layer by layer: dropout layers of every kind (likeness's
 * `SeededDropout` and `SpatialDropout2D` too) are left out, batch-norm is folded into the
 * convolution or dense layer before it when that layer is linear (else written as a stock
 * BatchNormalization), and likeness's `L2Normalize` is written with stock layers (tfjs) or
 * standard ops (ONNX), so the exported model outputs the same normalised embedding. Nested
 * tfjs models (a `fromLayersModel` backbone) are inlined. Any other layer class is refused
 * with an error naming the layer and its class. Before returning, the rebuilt network and the
 * source are run on the same seeded batch and must agree (`metadata.checkedDifference`).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { pipe } from "../pipe.ts";
 * import { mlp } from "../backbones/mod.ts";
 * import { dense, l2Normalize, triplet } from "../branches/mod.ts";
 * import { compile } from "../compile/mod.ts";
 * import { tripletMargin } from "../losses/mod.ts";
 * import { exportArtifacts } from "./export_artifacts.ts";
 * await tf.setBackend("cpu");
 * const model = triplet(pipe(mlp({ hidden: [8], batchNorm: true, dropout: 0.2 }), dense(4), l2Normalize()));
 * const program = compile({ model, loss: tripletMargin(), inputShape: [6], seed: 1 });
 * const { tfjs, metadata } = await exportArtifacts(program);
 * // plain tfjs reads it back and gives likeness's embeddings
 * const weights = tfjs!.weights.buffer as ArrayBuffer;
 * const json = tfjs!.modelJson as { modelTopology: {}; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
 * const loaded = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: weights }));
 * const x = tf.randomUniform([5, 6], 0, 1, "float32", 3);
 * const gap = tf.max(tf.abs(tf.sub(loaded.predict(x) as tf.Tensor, program.embed(x)))).dataSync()[0];
 * if (!(gap < 1e-5)) throw new Error(`differs by ${gap}`);
 * if (metadata.normalisation !== "l2" || metadata.removedLayers.length !== 1) throw new Error("metadata");
 * loaded.dispose();
 * program.dispose();
 * ```
 */
export async function exportArtifacts(
  source: EmbedderSource,
  options: ExportArtifactsOptions = {},
): Promise<ExportedArtifacts> {
  const what = "export embedder";
  const checked = checkExportOptions(options, what);
  const known = resolveSource(source, what);
  const graph = traceGraph(known.embedder);
  const inputShape = graph.values.get(graph.input)?.shape ?? [];
  const outputShape = graph.values.get(graph.output)?.shape ?? [];
  if (outputShape.length !== 1) {
    throw new Error(
      `Cannot export embedder as its output must be rank 2 ([n, features]): current shape is [n, ${
        outputShape.join(", ")
      }]`,
    );
  }
  const rebuilt = buildTfjsModel(graph);
  try {
    const difference = checkSame(known.embedder, rebuilt, inputShape);
    const metadata = metadataOf(graph, inputShape, outputShape[0], known, checked, difference);
    const format = checked.format ?? "tfjs";
    const tfjs = format === "onnx" ? undefined : await tfjsArtifacts(rebuilt, { ...metadata });
    const onnx = format === "tfjs" ? undefined : onnxBytes(graph, {
      layout: checked.inputLayout ?? "nhwc",
      metadata: { likeness: metadata },
      docString:
        "An embedding network exported by likeness: input items → embedding rows (see the likeness metadata property).",
    });
    return { metadata, ...(tfjs ? { tfjs } : {}), ...(onnx ? { onnx } : {}) };
  } finally {
    rebuilt.dispose();
  }
}
