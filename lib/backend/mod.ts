/**
 * Choosing and starting a TensorFlow.js backend (`native` where oneDNN/OpenBLAS and FFI are
 * available, else `wasm`; also `cpu`, `webgpu`, `tensorflow`), with the kernels likeness adds so that conv nets train fast on each.
 *
 * @example
 * ```ts
 * import { useBackend } from "./mod.ts";
 * const info = await useBackend("cpu");
 * if (info.name !== "cpu") throw new Error("expected cpu");
 * ```
 *
 * @module
 */
export * from "./use_backend.ts";
export {
  type NativeInfo,
  type NativeStatus,
  nativeStatus,
  registerNative,
  type RegisterNativeOptions,
  setNativeThreads,
} from "./native/mod.ts";
