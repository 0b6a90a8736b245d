/**
 * The `native` backend: TensorFlow.js's wasm backend with its heavy kernels (convolutions
 * and their gradients, matrix products) run by oneDNN and OpenBLAS through Deno's FFI.
 * Needs `--allow-ffi` and the libraries (Debian: `apt-get install libdnnl2 libopenblas0`;
 * `LIKENESS_DNNL` / `LIKENESS_BLAS` point at other paths). Least privilege: FFI for the three
 * library paths only, e.g. `--allow-ffi=/usr/lib/x86_64-linux-gnu/libdnnl.so.2,
 * /usr/lib/x86_64-linux-gnu/libopenblas.so.0,/usr/lib/x86_64-linux-gnu/libgomp.so.1` (one
 * argument, no spaces), and read access to tfjs-backend-wasm's `.wasm` files; a library
 * outside the list is never opened, whatever `LIKENESS_DNNL` says.
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
