/**
 * Choosing and starting a TensorFlow.js backend (`native` where oneDNN/OpenBLAS and FFI are
 * available, else `wasm`; also `cpu`, `webgpu`, `tensorflow`), with the kernels likeness adds so that conv nets train fast on each.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { useBackend } from "./mod.ts";
 * const info = await useBackend("cpu");
 * // tfjs now computes on the chosen backend
 * if (info.name !== "cpu" || tf.getBackend() !== "cpu") throw new Error(`${tf.getBackend()}`);
 * if (tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).dataSync()[0] !== 11) throw new Error("matMul");
 * ```
 *
 * @module
 */
export * from "./use_backend.ts";
export * from "./fused_ops.ts";
export {
  type NativeInfo,
  type NativeStatus,
  nativeStatus,
  registerNative,
  type RegisterNativeOptions,
  setNativeThreads,
} from "./native/mod.ts";
