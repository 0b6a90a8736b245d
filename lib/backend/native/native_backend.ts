import * as tf from "@tensorflow/tfjs";
import type { KernelFunc } from "@tensorflow/tfjs-core";
import { getStock } from "../_composite.ts";
import { guardBackend } from "../_empty.ts";
import { applyPatches, wasmPatches } from "../_register.ts";
import { DnnlContext } from "./_dnnl.ts";
import { batchNormGrad, batchNormGradName, nativeKernels, type NativeRuntime } from "./_kernels.ts";
import { openLibraries } from "./_libraries.ts";

/** Whether the `native` backend can run here, and if not, why. */
export interface NativeStatus {
  /** `true` when oneDNN opened and `--allow-ffi` is granted. */
  readonly available: boolean;
  /** Empty when available; else what is missing and what to install. */
  readonly reason: string;
  /** Library paths opened, by library (`dnnl`, `blas`, `omp`). */
  readonly libraries: Readonly<Record<string, string>>;
}

/** Options of {@linkcode registerNative}. */
export interface RegisterNativeOptions {
  /**
   * Threads for oneDNN (OpenMP) and OpenBLAS (default: `LIKENESS_THREADS`, else
   * `navigator.hardwareConcurrency`).
   */
  readonly threads?: number;
}

/** What {@linkcode registerNative} registered. */
export interface NativeInfo {
  /** Threads oneDNN and OpenBLAS compute with. */
  readonly threads: number;
  /** Kernels running natively (every other op runs on the wasm kernels). */
  readonly kernels: readonly string[];
  /** Library paths opened, by library. */
  readonly libraries: Readonly<Record<string, string>>;
}

/**
 * Says whether the `native` backend (oneDNN and OpenBLAS through Deno's FFI) can run in this
 * process. Never throws: without `--allow-ffi` or without the libraries it reports why.
 *
 * @example
 * ```ts
 * import { nativeStatus } from "./native_backend.ts";
 * const status = nativeStatus();
 * if (status.available !== (status.reason === "")) throw new Error("inconsistent status");
 * ```
 */
export function nativeStatus(): NativeStatus {
  const libs = openLibraries();
  if (libs.dnnl === undefined) {
    return { available: false, reason: libs.missing.join("; "), libraries: libs.paths };
  }
  return { available: true, reason: "", libraries: libs.paths };
}

let runtime: NativeRuntime | undefined;
let registered: NativeInfo | undefined;

function threadsFromEnv(): number | undefined {
  try {
    if (
      Deno.permissions.querySync({ name: "env", variable: "LIKENESS_THREADS" }).state !== "granted"
    ) {
      return undefined;
    }
    const n = Number(Deno.env.get("LIKENESS_THREADS"));
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Sets the threads oneDNN and OpenBLAS compute with (the `native` backend must be
 * available). Returns the count set.
 *
 * @example
 * ```ts
 * import { nativeStatus, setNativeThreads } from "./native_backend.ts";
 * if (nativeStatus().available && setNativeThreads(1) !== 1) throw new Error("threads");
 * ```
 */
export function setNativeThreads(threads: number): number {
  if (!Number.isInteger(threads) || threads < 1) {
    throw new Error(
      `Cannot set native threads as threads must be a positive integer: current value is ${threads}`,
    );
  }
  const libs = openLibraries();
  if (libs.dnnl === undefined) {
    throw new Error(
      `Cannot set native threads as the native backend is unavailable: ${libs.missing.join("; ")}`,
    );
  }
  libs.omp?.omp_set_num_threads(threads);
  libs.blas?.openblas_set_num_threads(threads);
  return threads;
}

interface Initializer {
  initializeBackend(name: string): { success: boolean | Promise<boolean> };
}

/**
 * The wasm backend's instance, started if needed (without switching to it), behind a proxy
 * whose `dispose` does nothing: the engine may dispose `native` without ending `wasm`.
 */
async function sharedWasmBackend(): Promise<tf.KernelBackend> {
  // Loaded on first use, not at import: importing it registers the `wasm` tfjs backend.
  await import("@tensorflow/tfjs-backend-wasm");
  if (tf.findBackend("wasm") === null) {
    const started = await (tf.engine() as unknown as Initializer).initializeBackend("wasm").success;
    if (!started) {
      throw new Error("Cannot use backend 'native' as the wasm backend failed to start");
    }
  }
  const wasm = tf.findBackend("wasm")!;
  const proxy = new Proxy(wasm, {
    get: (target, key, receiver) =>
      key === "dispose" ? () => {} : Reflect.get(target, key, receiver),
  });
  // Bind the stock wasm kernels' functions to the (shared) wasm module.
  for (const config of tf.getKernelsForBackend("wasm")) config.setupFunc?.(proxy);
  return proxy;
}

function copyWasmKernels(): void {
  for (const config of tf.getKernelsForBackend("wasm")) {
    if (tf.getKernel(config.kernelName, "native") !== undefined) continue;
    // The stock wasm kernel, not a likeness composite (those are applied below for native).
    const kernelFunc = getStock(config.kernelName, "wasm") ?? config.kernelFunc;
    tf.registerKernel({ ...config, kernelFunc, backendName: "native" });
  }
}

/**
 * Registers the `native` tfjs backend: the wasm backend (same instance, heap and tensors)
 * and likeness's wasm composites, with these kernels replaced by oneDNN and OpenBLAS calls
 * through Deno's FFI on the tensors in place in the wasm heap: `Conv2D`, `FusedConv2D`
 * (bias, ReLU), `Conv2DBackpropInput`, `Conv2DBackpropFilter`, `BatchMatMul`,
 * `_FusedMatMul`, `Sum` and `Mean` over contiguous axes, `MaxPool` and `MaxPoolGrad`, `Relu`,
 * per-channel broadcasting `Multiply`, `FusedBatchNorm`, and likeness's own fused kernels
 * (training-mode batch norm and its gradient, ReLU's gradient; the wasm backend's likeness
 * kernels, copy-free `Identity` among them, carry over). tfjs's gradients are not replaced:
 * the fused gradients apply only to likeness's own kernels (`LikenessBatchNormTrain`,
 * `LikenessRelu`), so a stock model's gradients are computed as tfjs defines them.
 * Cases a native kernel does not cover (NCHW, other dtypes, unusual activations) run the
 * wasm kernel. Registers once; later calls only set threads.
 * Throws, saying what to install, when {@linkcode nativeStatus} is not available. Start it
 * with `tf.setBackend("native")` (or `useBackend("native")`).
 *
 * @example
 * ```ts
 * import { nativeStatus, registerNative } from "./native_backend.ts";
 * if (nativeStatus().available) {
 *   const info = await registerNative({ threads: 1 });
 *   if (!info.kernels.includes("Conv2D")) throw new Error("Conv2D should be native");
 * }
 * ```
 */
export async function registerNative(options: RegisterNativeOptions = {}): Promise<NativeInfo> {
  const status = nativeStatus();
  if (!status.available) {
    throw new Error(`Cannot use backend 'native' as ${status.reason}`);
  }
  const threads = setNativeThreads(
    options.threads ?? registered?.threads ?? threadsFromEnv() ?? navigator.hardwareConcurrency ??
      1,
  );
  if (registered !== undefined) return (registered = { ...registered, threads });
  const libs = openLibraries();
  runtime = { dnnl: libs.dnnl!, conv: new DnnlContext(libs.dnnl!, libs.blas), blas: libs.blas };
  const shared = await sharedWasmBackend();
  // The same wasm instance, heap and tensor store as `wasm`, under another name: every op
  // not replaced runs on the wasm kernels and tensors never need copying between the two.
  tf.registerBackend("native", () => shared, 0);
  copyWasmKernels();
  applyPatches("native", wasmPatches);
  const kernels: string[] = [];
  for (const [name, make] of Object.entries(nativeKernels)) {
    const previous = tf.getKernel(name, "native");
    if (previous === undefined) continue;
    tf.unregisterKernel(name, "native");
    tf.registerKernel({
      ...previous,
      kernelFunc: make(runtime, previous.kernelFunc as KernelFunc),
    });
    kernels.push(name);
  }
  tf.registerKernel({
    kernelName: batchNormGradName,
    backendName: "native",
    kernelFunc: batchNormGrad(runtime, () => {
      throw new Error(`${batchNormGradName} has no fallback`);
    }),
  });
  // Last, around every kernel: inputs without elements compute on the cpu reference.
  guardBackend("native", "sync");
  registered = { threads, kernels, libraries: libs.paths };
  await Promise.resolve();
  return registered;
}
