/**
 * Use a trained embedder without likeness: {@linkcode exportEmbedder} writes a stock
 * TensorFlow.js model (browser, Node, Deno: `tf.loadLayersModel`, no likeness code) and/or an
 * ONNX model (Python, C++, … with ONNX Runtime), with `export.json` saying how to compare the
 * embeddings; {@linkcode exportArtifacts} gives the same bytes in memory.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { exportArtifacts } from "./mod.ts";
 * await tf.setBackend("cpu");
 * const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 2 })] });
 * const { onnx, tfjs } = await exportArtifacts(embedder, { format: "onnx" });
 * if (onnx === undefined || tfjs !== undefined) throw new Error("ONNX only");
 * embedder.dispose();
 * ```
 *
 * @module
 */
export {
  type EmbedderSource,
  exportArtifacts,
  type ExportArtifactsOptions,
  type ExportedArtifacts,
  type ExportFormat,
  type ExportMetadata,
  type InputLayout,
  type TfjsArtifacts,
} from "./export_artifacts.ts";
export {
  EXPORT_FORMAT,
  exportEmbedder,
  exportOnnx,
  type ExportOptions,
} from "./export_embedder.ts";
