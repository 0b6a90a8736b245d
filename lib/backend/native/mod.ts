/**
 * The `native` backend: TensorFlow.js's wasm backend with its heavy kernels (convolutions
 * and their gradients, matrix products) run by oneDNN and OpenBLAS through Deno's FFI.
 * Needs `--allow-ffi` and the libraries (Debian: `apt-get install libdnnl2 libopenblas0`;
 * `LIKENESS_DNNL` / `LIKENESS_BLAS` point at other paths).
 *
 * @example
 * ```ts
 * import { nativeStatus } from "./mod.ts";
 * const status = nativeStatus();
 * if (typeof status.available !== "boolean") throw new Error("expected a status");
 * ```
 *
 * @module
 */
export * from "./native_backend.ts";
