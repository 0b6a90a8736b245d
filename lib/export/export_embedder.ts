import {
  isFileAt,
  isLikenessModelDir,
  join,
  readFormatMarker,
  splitPath,
  writeFileAtomic,
} from "../train/_fs.ts";
import { type FolderKind, publishFolder } from "../train/_replace_target.ts";
import { loadModel } from "../train/load_model.ts";
import {
  checkExportOptions,
  type EmbedderSource,
  exportArtifacts,
  type ExportArtifactsOptions,
  type ExportMetadata,
} from "./export_artifacts.ts";

/** Options of {@linkcode exportEmbedder}. */
export interface ExportOptions extends ExportArtifactsOptions {
  /**
   * Replace an export already at the path (default `false`: refuse). Only a folder
   * recognised as a likeness export (`export.json` with `format: "likeness-export"` and
   * nothing but the files an export writes) is ever replaced; anything else is refused
   * whatever this says.
   */
  readonly overwrite?: boolean;
}

/** The `format` marker of export.json. */
export const EXPORT_FORMAT = "likeness-export";

/** The only entries an export folder holds. */
const EXPORT_ENTRIES: readonly string[] = [
  "export.json",
  "model.json",
  "weights.bin",
  "model.onnx",
];

/** Whether `dir` is a complete export: export.json (written last) and the files it lists. */
async function isExportDir(dir: string): Promise<boolean> {
  const record = await readFormatMarker(dir, "export.json", EXPORT_FORMAT);
  if (!record || !Array.isArray(record.files)) return false;
  for (const file of record.files) {
    if (typeof file !== "string" || !EXPORT_ENTRIES.includes(file)) return false;
    if (!(await isFileAt(join(dir, file)))) return false;
  }
  return true;
}

/** An export folder, as {@linkcode publishFolder} checks and names it. */
const EXPORT_FOLDER: FolderKind = {
  action: "export embedder",
  writer: "exportEmbedder",
  noun: "likeness export",
  notRecognised: `no complete export with an export.json of format "${EXPORT_FORMAT}"`,
  isComplete: isExportDir,
  entries: EXPORT_ENTRIES,
  refuseOther: {
    isComplete: isLikenessModelDir,
    reason: "holds a likeness model saved by saveModel, not an export",
  },
};

/**
 * Exports a trained embedder into the folder `dir` for use without likeness: in the browser
 * or Node with stock TensorFlow.js (`format: "tfjs"`, the default: `model.json` +
 * `weights.bin`, read by `tf.loadLayersModel`), and in Python, C++, C#, … with ONNX Runtime
 * (`format: "onnx"`: `model.onnx`, opset 17, input `input`, output `embedding`), or both
 * (`"both"`). `export.json` beside them says how to use the embeddings (input shape,
 * normalisation, distance, threshold, class names); see {@linkcode ExportMetadata}.
 *
 * `source` is an `Embedder` value, a compiled program, a model loaded with
 * `train.loadModel`, a tfjs `LayersModel`, or the path of a model folder written by
 * `train.saveModel` or `saveEmbedder` (its metadata.json's distance, threshold and class
 * names are carried over). What the graph
 * becomes is described at `exportArtifacts`: training-only layers left out, batch-norm
 * folded, L2 normalisation kept inside the model with standard layers; an unsupported layer
 * is refused with an error naming it and its class.
 *
 * Writes like `train.saveModel`: into a temp folder beside `dir`, published by rename, so a
 * kill at any point leaves the old export or the new one. Writes into a missing or empty
 * folder; replaces an earlier export only with `overwrite: true`; never writes over anything
 * else (a file, a link, a model folder, a folder with other files), with an error naming
 * `dir`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { exportEmbedder } from "./export_embedder.ts";
 * await tf.setBackend("cpu");
 * const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2, kernelInitializer: "ones" })] });
 * const dir = `${await Deno.makeTempDir()}/exported`;
 * const metadata = await exportEmbedder(embedder, dir, { format: "both", distance: "euclidean" });
 * const files = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
 * if (files.join() !== "export.json,model.json,model.onnx,weights.bin") throw new Error(`${files}`);
 * // plain tfjs reads it (here through fetch of a file: URL, as a browser would over http)
 * const url = new URL(`file://${dir}/model.json`).href;
 * const loaded = await tf.loadLayersModel(tf.io.http(url, { fetchFunc: fetch }));
 * const y = (loaded.predict(tf.tensor2d([[1, 2, 3]])) as tf.Tensor).dataSync();
 * if (y[0] !== 6 || metadata.distance !== "euclidean") throw new Error(`${y}`);
 * // exporting again over it must be asked for
 * let refused = "";
 * await exportEmbedder(embedder, dir).catch((e) => refused = e.message);
 * if (!refused.includes("pass { overwrite: true }")) throw new Error(refused);
 * loaded.dispose();
 * embedder.dispose();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function exportEmbedder(
  source: EmbedderSource | string,
  dir: string,
  options: ExportOptions = {},
): Promise<ExportMetadata> {
  const base = typeof dir === "string" ? splitPath(dir).base : "";
  if (typeof dir !== "string" || ["", ".", ".."].includes(base) || dir.includes("\0")) {
    throw new Error(
      `Cannot export embedder as dir must be a path ending in a folder name: got ${
        JSON.stringify(dir) ?? String(dir)
      }`,
    );
  }
  const checked = checkExportOptions(options, "export embedder") as ExportOptions;
  if (typeof source === "string") {
    const loaded = await loadModel(source);
    try {
      return await exportEmbedder(loaded, dir, checked);
    } finally {
      loaded.dispose();
    }
  }
  const { metadata, tfjs, onnx } = await exportArtifacts(source, checked);
  await publishFolder(dir, EXPORT_FOLDER, checked.overwrite === true, async (temp) => {
    if (tfjs) {
      await writeFileAtomic(join(temp, "weights.bin"), tfjs.weights);
      await writeFileAtomic(join(temp, "model.json"), JSON.stringify(tfjs.modelJson));
    }
    if (onnx) await writeFileAtomic(join(temp, "model.onnx"), onnx);
    // Written last: its presence marks the temp folder complete.
    await writeFileAtomic(join(temp, "export.json"), JSON.stringify(metadata, null, 2) + "\n");
  });
  return metadata;
}

/**
 * {@linkcode exportEmbedder} with `format: "onnx"`: writes `model.onnx` (opset 17; input
 * `input`, `[batch, ...inputShape]` channels-last unless `inputLayout: "nchw"`; output
 * `embedding`, `[batch, embeddingSize]`) and export.json into `dir`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { exportOnnx } from "./export_embedder.ts";
 * await tf.setBackend("cpu");
 * const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] });
 * const dir = `${await Deno.makeTempDir()}/onnx`;
 * const metadata = await exportOnnx(embedder, dir);
 * const bytes = await Deno.readFile(`${dir}/model.onnx`);
 * // an ONNX ModelProto starts with field 1 (ir_version) = 8
 * if (bytes[0] !== 0x08 || bytes[1] !== 8 || metadata.onnx?.output !== "embedding") throw new Error("onnx");
 * embedder.dispose();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function exportOnnx(
  source: EmbedderSource | string,
  dir: string,
  options: Omit<ExportOptions, "format"> = {},
): Promise<ExportMetadata> {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    return exportEmbedder(source, dir, options as ExportOptions); // refused there, by name
  }
  return exportEmbedder(source, dir, { ...options, format: "onnx" });
}
