import * as tf from "@tensorflow/tfjs";
import { guardBackend } from "./_empty.ts";
import { applyPatches, wasmPatches, webgpuPatches } from "./_register.ts";
import { setWebgpuUtil } from "./_webgpu_adam.ts";
import { nativeStatus, registerNative } from "./native/mod.ts";

/**
 * The backends likeness can start. `native` is wasm with its heavy kernels in oneDNN and
 * OpenBLAS through Deno's FFI (see `lib/backend/native`).
 */
export type BackendName = "wasm" | "cpu" | "webgpu" | "tensorflow" | "native";

/** What {@linkcode useBackend} started. */
export interface BackendInfo {
  /** The tfjs backend now running every op. */
  readonly name: BackendName;
  /** CPU threads the backend computes with (1 for single-threaded wasm and cpu). */
  readonly threads: number;
  /** Kernels likeness registered for this backend: filled (missing) or overridden (slow or wrong). */
  readonly kernels: readonly string[];
  /** Where the choice came from: the argument, `LIKENESS_BACKEND`, or the default. */
  readonly source: "argument" | "environment" | "default";
  /** For webgpu: the adapter's description (e.g. `llvmpipe` for Mesa's software driver). */
  readonly adapter?: string;
}

/** Options of {@linkcode useBackend}. */
export interface UseBackendOptions {
  /**
   * Read `LIKENESS_BACKEND` when no name is given (default `true`). Needs `--allow-env`
   * (or `--allow-env=LIKENESS_BACKEND`); without the permission the variable is ignored.
   */
  readonly env?: boolean;
  /** Threads of the `native` backend's oneDNN and OpenBLAS (default: all cores). */
  readonly threads?: number;
}

const names: readonly BackendName[] = ["wasm", "cpu", "webgpu", "tensorflow", "native"];

let fallbackSaid = false;

/** `auto`: native where it can run, else wasm with a one-line note (once) on what is missing. */
function preferred(): BackendName {
  const status = nativeStatus();
  if (status.available) return "native";
  if (!fallbackSaid) {
    fallbackSaid = true;
    console.error(`likeness: using the wasm backend; for the faster native one: ${status.reason}`);
  }
  return "wasm";
}

function isBackendName(name: string): name is BackendName | "auto" {
  return name === "auto" || (names as readonly string[]).includes(name);
}

function envChoice(): string | undefined {
  try {
    const status = Deno.permissions.querySync({ name: "env", variable: "LIKENESS_BACKEND" });
    if (status.state !== "granted") return undefined;
    const value = Deno.env.get("LIKENESS_BACKEND")?.trim();
    return value === "" ? undefined : value;
  } catch {
    return undefined;
  }
}

async function startWebgpu(): Promise<{ adapter: string }> {
  const gpu = (globalThis.navigator as { gpu?: { requestAdapter(): Promise<unknown> } })?.gpu;
  const adapter = gpu === undefined ? null : await gpu.requestAdapter();
  if (adapter === null || adapter === undefined) {
    throw new Error(
      "Cannot use backend 'webgpu' as no WebGPU adapter was found: navigator.gpu is " +
        (gpu === undefined ? "undefined" : "present but gave no adapter") +
        ". Install a GPU driver with Vulkan support (on Debian, `apt-get install " +
        "mesa-vulkan-drivers` gives a slow software adapter) or choose 'wasm'",
    );
  }
  const webgpu = await import("@tensorflow/tfjs-backend-webgpu");
  setWebgpuUtil(webgpu.webgpu_util);
  const info = (adapter as { info?: { description?: string; device?: string } }).info;
  return { adapter: info?.description || info?.device || "unknown" };
}

async function loadTensorflow(): Promise<void> {
  if (tf.findBackendFactory("tensorflow") !== null) return;
  // Computed specifiers: `deno check` and `deno publish` must not try to resolve these
  // optional native packages; they load only where the user installed them.
  const candidates = ["-node-gpu", "-node"].map((suffix) =>
    ["@tensorflow", "tfjs" + suffix].join("/")
  );
  const failures: string[] = [];
  for (const specifier of candidates) {
    try {
      await import(specifier);
      if (tf.findBackendFactory("tensorflow") !== null) return;
      failures.push(
        `${specifier}: loaded but registered no 'tensorflow' backend (a second tfjs copy?)`,
      );
    } catch (e) {
      failures.push(`${specifier}: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  throw new Error(
    "Cannot use backend 'tensorflow' as neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node " +
      "could be loaded. Add one to your deno.json imports at the same version as @tensorflow/tfjs " +
      '(e.g. "@tensorflow/tfjs-node": "npm:@tensorflow/tfjs-node@4.22.0"), let its install script ' +
      "fetch libtensorflow (`deno install --allow-scripts=npm:@tensorflow/tfjs-node`), or import it " +
      `yourself before calling useBackend. Tried: ${failures.join("; ")}`,
  );
}

/**
 * Chooses and starts a TensorFlow.js backend, registering the kernels likeness adds to it.
 *
 * - `wasm` (default): fast on CPU; likeness fills its missing `Conv2DBackpropFilter` and
 *   replaces its slow `Conv2DBackpropInput`, transposed `BatchMatMul`/`_FusedMatMul` and
 *   `Tile` with composites of fast wasm kernels.
 * - `cpu`: pure JavaScript, every kernel, slow; fine for tiny tensors.
 * - `webgpu`: Deno's `navigator.gpu` where an adapter exists (likeness replaces its
 *   `Conv2DBackpropFilter`, which is wrong for large inputs, and adds fused batch-norm and
 *   Adam kernels, so a step uploads nothing that grows with the batch). Read results with
 *   `await t.data()`, not `dataSync()`.
 * - `tensorflow`: native libtensorflow through `@tensorflow/tfjs-node-gpu` or
 *   `@tensorflow/tfjs-node`, loaded only when installed.
 * - `native`: wasm with convolutions, their gradients, matrix products, sums and pooling
 *   gradients in oneDNN and OpenBLAS through Deno's FFI (needs `--allow-ffi` — or, least
 *   privilege, `--allow-ffi=<the libdnnl, libopenblas and libgomp paths>` — and Debian's
 *   `libdnnl2` and `libopenblas0`; `LIKENESS_DNNL`/`LIKENESS_BLAS` point elsewhere).
 *
 * On `wasm`, `native` and `webgpu` every kernel is also guarded against inputs without
 * elements: those compute on the cpu backend's kernel, so a sum over nothing is exactly 0
 * (the stock wasm kernels read uninitialised memory there, e.g. ~3.6e-41).
 *
 * With no `name` (or `auto`), `LIKENESS_BACKEND` chooses (when `--allow-env` grants it),
 * else `native` where it can run, else `wasm` (saying once, on stderr, what to install).
 * Calling it again is cheap and registers nothing twice. A backend that is asked for and
 * unavailable throws an error saying what to install.
 *
 * Only kernels of the backend started and gradients of likeness's own fused kernels
 * (`LikenessBatchNormTrain`, `LikenessRelu`) are registered: no tfjs gradient or layer class
 * is replaced, so a model built with plain `tf.layers` computes exactly as without likeness
 * (likeness's own layers reach the fused kernels through `fusedRelu`, `fusedBatchNormTrain`
 * and `fusedAdamUpdate`).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { useBackend } from "./use_backend.ts";
 * const info = await useBackend("cpu");
 * if (info.name !== "cpu" || info.threads !== 1 || info.source !== "argument") throw new Error("expected cpu");
 * // the backend is started and set: ops run on it
 * if (tf.getBackend() !== "cpu" || tf.add(1, 2).dataSync()[0] !== 3) throw new Error(`${tf.getBackend()}`);
 * // an unknown name is refused, naming it
 * const message = await useBackend("gpu" as "cpu").then(() => "", (e) => e.message);
 * if (!message.includes("'gpu'")) throw new Error(message);
 * ```
 */
export async function useBackend(
  name?: BackendName | "auto",
  options: UseBackendOptions = {},
): Promise<BackendInfo> {
  let source: BackendInfo["source"] = "argument";
  let chosen: string | undefined = name;
  if (chosen === undefined && options.env !== false) {
    chosen = envChoice();
    source = "environment";
  }
  if (chosen === undefined) {
    chosen = "auto";
    source = "default";
  }
  if (!isBackendName(chosen)) {
    throw new Error(
      `Cannot use backend as its name must be one of ${
        [...names, "auto"].join(", ")
      }: current name is '${chosen}'` +
        (source === "environment" ? " (from LIKENESS_BACKEND)" : ""),
    );
  }
  const picked: BackendName = chosen === "auto" ? preferred() : chosen;
  // Loaded here, not at import: importing it registers a tfjs backend (a global change).
  if (picked === "wasm" || picked === "native") await import("@tensorflow/tfjs-backend-wasm");
  if (picked === "native") {
    const info = await registerNative(
      options.threads === undefined ? {} : { threads: options.threads },
    );
    await tf.setBackend("native");
    await tf.ready();
    if (tf.getBackend() !== "native") {
      throw new Error("Cannot use backend 'native' as TensorFlow.js failed to initialise it");
    }
    return { name: "native", threads: info.threads, kernels: info.kernels, source };
  }
  let adapter: string | undefined;
  if (picked === "webgpu") adapter = (await startWebgpu()).adapter;
  if (picked === "tensorflow") await loadTensorflow();
  const ok = await tf.setBackend(picked);
  await tf.ready();
  if (!ok || tf.getBackend() !== picked) {
    throw new Error(
      `Cannot use backend '${picked}' as TensorFlow.js failed to initialise it` +
        (picked === "wasm" ? ": is @tensorflow/tfjs-backend-wasm's .wasm file readable?" : ""),
    );
  }
  let kernels: readonly string[] = [];
  if (picked === "wasm") {
    kernels = applyPatches("wasm", wasmPatches);
    guardBackend("wasm", "sync");
  }
  if (picked === "webgpu") {
    kernels = applyPatches("webgpu", webgpuPatches);
    guardBackend("webgpu", "resident");
  }
  const threads = picked === "tensorflow" ? navigator.hardwareConcurrency : wasmThreads(picked);
  return { name: picked, threads, kernels, source, ...(adapter === undefined ? {} : { adapter }) };
}

function wasmThreads(name: BackendName): number {
  if (name !== "wasm") return 1;
  const backend = tf.backend() as unknown as {
    wasm?: { tfjs?: { getThreadsCount?: () => number } };
  };
  return backend.wasm?.tfjs?.getThreadsCount?.() ?? 1;
}
