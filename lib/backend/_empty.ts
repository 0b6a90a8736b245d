/**
 * Zero-size inputs, made safe for every kernel of a backend.
 *
 * tfjs-wasm's kernels (and so `native`, which runs on them) read memory they never wrote
 * when an input has no elements: `Sum`, `Mean`, `Max`, `Prod`, `All`, a matrix product or a
 * convolution over an empty axis return whatever the heap held (~3.6e-41, different each
 * run), and `MaxPoolGrad`, `TopK` and `DepthwiseConv2dNative` trap ("divide by zero").
 * webgpu dispatches zero workgroups (an error) or skips the bias of an empty product.
 *
 * The guard wraps every kernel of a backend: when any input has no elements, the cpu
 * backend's kernel (the reference) computes the result from the same values, and the result
 * is written back to the guarded backend. Inputs with elements are read synchronously where
 * the backend allows it (wasm, native). On webgpu only data still on the host can be read:
 * with device data, an empty result is still computed on cpu (its shape does not depend on
 * the values), a product or convolution over an empty axis runs as one over a single zero, and
 * anything else runs the stock kernel. Kernels the cpu backend lacks (likeness's fused
 * kernels) handle empty inputs themselves.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type {
  BackendValues,
  DataType,
  KernelBackend,
  KernelConfig,
  KernelFunc,
  NamedAttrMap,
  TensorInfo,
} from "@tensorflow/tfjs-core";

/** How a guarded backend's inputs can be read on the host, inside a kernel. */
export type Readback = "sync" | "resident";

const guarded = new WeakSet<KernelFunc>();
const guardedBackends = new Set<string>();

const size = (shape: readonly number[]) => {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
};

function hasEmpty(inputs: Record<string, TensorInfo | undefined | null>): boolean {
  for (const key in inputs) {
    const t = inputs[key];
    if (t != null && t.shape !== undefined && size(t.shape) === 0) return true;
  }
  return false;
}

function emptyValues(dtype: DataType): BackendValues {
  if (dtype === "int32") return new Int32Array(0);
  if (dtype === "bool") return new Uint8Array(0);
  return new Float32Array(0);
}

interface ResidentBackend {
  tensorMap?: { get(dataId: object): { values?: BackendValues | null } | undefined };
}

/** The input's values on the host, or undefined where reading them would need the device. */
function hostValues(
  backend: KernelBackend,
  t: TensorInfo,
  readback: Readback,
): BackendValues | undefined {
  if (size(t.shape) === 0) return emptyValues(t.dtype);
  if (readback === "sync") return backend.readSync(t.dataId);
  const values = (backend as unknown as ResidentBackend).tensorMap?.get(t.dataId)?.values;
  return values ?? undefined;
}

/** Zeros in place of an input that cannot be read on the host (to learn the output's shape). */
function standIn(t: TensorInfo): BackendValues {
  const n = size(t.shape);
  if (t.dtype === "int32") return new Int32Array(n);
  if (t.dtype === "bool") return new Uint8Array(n);
  return new Float32Array(n);
}

/**
 * Runs the cpu backend's kernel on the inputs' values; writes the outputs to `backend`.
 * With `onlyEmpty` (some values stood in), returns undefined unless every output is empty.
 */
function onCpu(
  config: KernelConfig,
  args: Parameters<KernelFunc>[0],
  values: Record<string, BackendValues>,
  onlyEmpty = false,
): TensorInfo | TensorInfo[] | undefined {
  const cpu = tf.findBackend("cpu");
  if (cpu === null) {
    throw new Error("Cannot run a kernel on empty inputs as the cpu backend is missing");
  }
  const inputs = args.inputs as Record<string, TensorInfo>;
  const ids = new Set<object>();
  // Same form as given: a record, or an array (`Concat`, `AddN`, `Pack`).
  const cpuInputs: Record<string, TensorInfo> = Array.isArray(inputs)
    ? [] as unknown as Record<string, TensorInfo>
    : {};
  try {
    for (const [name, t] of Object.entries(inputs)) {
      if (t == null) continue;
      const dataId = cpu.write(values[name], t.shape, t.dtype);
      ids.add(dataId);
      cpuInputs[name] = { dataId, shape: t.shape, dtype: t.dtype };
    }
    const out = config.kernelFunc({
      inputs: cpuInputs as unknown as Parameters<KernelFunc>[0]["inputs"],
      attrs: args.attrs,
      backend: cpu,
    });
    const outs = Array.isArray(out) ? out : [out];
    for (const o of outs) ids.add(o.dataId);
    // Values stood in for inputs that could not be read: only an empty result is right.
    if (onlyEmpty && outs.some((o) => size(o.shape) > 0)) return undefined;
    const written = outs.map((o) => ({
      dataId: (args.backend as KernelBackend).write(cpu.readSync(o.dataId), o.shape, o.dtype),
      shape: o.shape,
      dtype: o.dtype,
    }));
    return Array.isArray(out) ? written : written[0];
  } finally {
    for (const id of ids) cpu.disposeData(id, true);
  }
}

/**
 * The inputs and axes summed over by a product or convolution (`BatchMatMul`,
 * `_FusedMatMul`, `Conv2D`, `FusedConv2D`), or undefined for other kernels.
 */
function contracted(
  kernelName: string,
  inputs: Record<string, TensorInfo | undefined>,
  attrs: NamedAttrMap,
): [string, number][] | undefined {
  if (kernelName === "BatchMatMul" || kernelName === "_FusedMatMul") {
    const { a, b } = inputs;
    if (a === undefined || b === undefined || a.shape.length < 2 || b.shape.length < 2) {
      return undefined;
    }
    const ra = a.shape.length;
    const rb = b.shape.length;
    return [["a", attrs.transposeA ? ra - 2 : ra - 1], ["b", attrs.transposeB ? rb - 1 : rb - 2]];
  }
  if (kernelName === "Conv2D" || kernelName === "FusedConv2D") {
    return [["x", attrs.dataFormat === "NCHW" ? 1 : 3], ["filter", 2]];
  }
  return undefined;
}

/**
 * A product or convolution over an empty axis as one over a single zero (exact: the sum is
 * 0, then bias and activation apply), for backends whose inputs cannot be read on the host.
 * Undefined when the kernel is not one or another axis is empty too.
 */
function overSingleZero(
  kernelName: string,
  func: KernelFunc,
  args: Parameters<KernelFunc>[0],
): TensorInfo | TensorInfo[] | undefined {
  const inputs = args.inputs as Record<string, TensorInfo | undefined>;
  const axes = contracted(kernelName, inputs, args.attrs ?? {});
  if (axes === undefined) return undefined;
  const fits = axes.every(([name, axis]) => {
    const t = inputs[name];
    return t !== undefined && t.dtype === "float32" && t.shape[axis] === 0 &&
      t.shape.every((d, i) => i === axis || d > 0);
  });
  if (!fits) return undefined;
  const backend = args.backend as KernelBackend;
  const replaced: Record<string, TensorInfo> = {};
  for (const [name, axis] of axes) {
    const shape = inputs[name]!.shape.map((d, i) => (i === axis ? 1 : d));
    const dataId = backend.write(new Float32Array(size(shape)), shape, "float32");
    replaced[name] = { dataId, shape, dtype: "float32" };
  }
  try {
    return func({ ...args, inputs: { ...args.inputs, ...replaced } });
  } finally {
    for (const t of Object.values(replaced)) backend.disposeData(t.dataId);
  }
}

/**
 * `func` (the kernel `kernelName` of a backend) made safe for inputs without elements: they
 * run the cpu backend's kernel on the same values. Wrapping a guarded kernel returns it.
 */
export function guardEmpty(kernelName: string, func: KernelFunc, readback: Readback): KernelFunc {
  if (guarded.has(func)) return func;
  const safe: KernelFunc = (args) => {
    const inputs = args.inputs as Record<string, TensorInfo | undefined | null>;
    if (!hasEmpty(inputs)) return func(args);
    const reference = tf.getKernel(kernelName, "cpu");
    if (reference === undefined) return func(args); // likeness's own kernels: handled inside
    const values: Record<string, BackendValues> = {};
    let unread = false;
    for (const [name, t] of Object.entries(inputs)) {
      if (t == null) continue;
      if (t.dtype === "string" || t.dtype === "complex64") return func(args);
      const v = hostValues(args.backend as KernelBackend, t, readback);
      unread ||= v === undefined;
      values[name] = v ?? standIn(t);
    }
    const out = onCpu(reference, args, values, unread);
    if (out !== undefined) return out;
    // Device data the result depends on (webgpu): a product as one over a single zero.
    return overSingleZero(kernelName, func, args) ?? func(args);
  };
  guarded.add(safe);
  return safe;
}

/** Whether `func` is a kernel wrapped by {@linkcode guardEmpty}. */
export function isEmptyGuarded(func: KernelFunc | undefined): boolean {
  return func !== undefined && guarded.has(func);
}

/**
 * Wraps every kernel registered for `backendName` with {@linkcode guardEmpty} (setup and
 * dispose functions kept). Idempotent per backend; kernels already wrapped stay as they are.
 */
export function guardBackend(backendName: string, readback: Readback): void {
  if (guardedBackends.has(backendName)) return;
  guardedBackends.add(backendName);
  for (const config of tf.getKernelsForBackend(backendName)) {
    if (guarded.has(config.kernelFunc)) continue;
    const kernelFunc = guardEmpty(config.kernelName, config.kernelFunc, readback);
    tf.unregisterKernel(config.kernelName, backendName);
    tf.registerKernel({ ...config, kernelFunc });
  }
}
