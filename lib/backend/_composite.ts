/**
 * Private helpers for kernels built from other kernels of the same backend.
 *
 * A composite kernel runs stock kernel functions directly (no engine, no tape), keeps the
 * intermediate results in a list and frees them before returning, so it leaks nothing.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { KernelBackend, KernelFunc, NamedAttrMap, TensorInfo } from "@tensorflow/tfjs-core";

/** Stock kernel functions replaced by an override, keyed by `backend/kernel`. */
const originals = new Map<string, KernelFunc>();

/** Remembers a backend's stock kernel before it is overridden (first time only). */
export function rememberOriginal(kernelName: string, backendName: string): void {
  const key = `${backendName}/${kernelName}`;
  if (originals.has(key)) return;
  const config = tf.getKernel(kernelName, backendName);
  if (config !== undefined) originals.set(key, config.kernelFunc);
}

/** Runs kernels of one backend and frees every intermediate when asked. */
export class KernelRunner {
  private readonly temporaries: TensorInfo[] = [];

  constructor(readonly backendName: string, readonly backend: KernelBackend) {}

  /** Runs `kernelName` (the stock version when it was overridden) and tracks its output. */
  run(
    kernelName: string,
    inputs: Record<string, TensorInfo>,
    attrs: NamedAttrMap = {},
  ): TensorInfo {
    const original = originals.get(`${this.backendName}/${kernelName}`);
    const func = original ?? tf.getKernel(kernelName, this.backendName)?.kernelFunc;
    if (func === undefined) {
      throw new Error(
        `Cannot run composite kernel as '${kernelName}' is not registered for backend '${this.backendName}'`,
      );
    }
    const out = func({ inputs, attrs, backend: this.backend });
    const info = Array.isArray(out) ? out[0] : out;
    this.temporaries.push(info);
    return info;
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run("Transpose", { x }, { perm });
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run("Reshape", { x }, { shape });
  }

  slice(x: TensorInfo, begin: number[], size: number[]): TensorInfo {
    return this.run("Slice", { x }, { begin, size });
  }

  /** Zero padding (`paddings[i] = [before, after]`, both ≥ 0). */
  pad(x: TensorInfo, paddings: [number, number][]): TensorInfo {
    if (paddings.every(([a, b]) => a === 0 && b === 0)) return x;
    return this.run("PadV2", { x }, { paddings, constantValue: 0 });
  }

  /** Keeps `info` alive (the kernel's result); frees every other intermediate. */
  finish(info: TensorInfo): TensorInfo {
    let kept = false;
    for (const t of this.temporaries) {
      if (!kept && t === info) {
        kept = true;
        continue;
      }
      this.backend.disposeData(t.dataId);
    }
    this.temporaries.length = 0;
    if (!kept) {
      throw new Error("Cannot finish composite kernel as its result was not produced by it");
    }
    return info;
  }

  /** Frees every intermediate (on error). */
  abandon(): void {
    for (const t of this.temporaries) this.backend.disposeData(t.dataId);
    this.temporaries.length = 0;
  }
}

/** Wraps a composite so that intermediates are freed on success and on error. */
export function composite(
  body: (
    runner: KernelRunner,
    inputs: Record<string, TensorInfo>,
    attrs: NamedAttrMap,
  ) => TensorInfo,
  backendName: string,
): KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const runner = new KernelRunner(backendName, backend as KernelBackend);
    try {
      return runner.finish(body(runner, inputs as Record<string, TensorInfo>, attrs ?? {}));
    } catch (e) {
      runner.abandon();
      throw e;
    }
  };
}

/** Registers `func` as `kernelName` for `backendName`, replacing (and remembering) the stock one. */
export function override(kernelName: string, backendName: string, func: KernelFunc): void {
  rememberOriginal(kernelName, backendName);
  if (tf.getKernel(kernelName, backendName) !== undefined) {
    tf.unregisterKernel(kernelName, backendName);
  }
  tf.registerKernel({ kernelName, backendName, kernelFunc: func });
}

/** The stock kernel replaced by an override, if any (for tests and benchmarks). */
export function getStock(kernelName: string, backendName: string): KernelFunc | undefined {
  return originals.get(`${backendName}/${kernelName}`);
}
