/**
 * Fused training kernels for the heap-backed backends (`wasm`, and `native` as its fallback):
 * batch normalisation with the batch's own statistics, forward and backward, each in a few
 * passes of plain loops over the tensors in place in the wasm heap, ReLU's gradient in one
 * pass, and an Adam update in one pass per weight. They replace, per batch-norm layer, ~25
 * broadcasting elementwise kernels (moments, normalisation and their gradients) over the
 * largest activations of the network, and ~12 small kernels per weight per Adam step.
 *
 * Kernel contracts (NHWC or any rank; statistics per channel of the last axis):
 * - `LikenessBatchNormTrain`: inputs `x`, `scale`, `offset`; attr `epsilon` → `[y, mean,
 *   variance]` with `variance` biased (÷ N), as `tf.moments` (both 0 for an empty batch).
 * - `LikenessBatchNormTrainGrad`: inputs `dy`, `x`, `scale`, `mean`, `variance`; attr
 *   `epsilon` → `[dx, dScale, dOffset]`, the full gradient (through the batch statistics).
 * - `LikenessReluGrad`: inputs `dy`, `x` → `dy` where `x > 0`, else 0 (as PyTorch: 0 where `x`
 *   is NaN; tfjs's `Step` would give NaN there).
 * - `LikenessRelu`: input `x` → the active backend's own `Relu` of `x`; likeness's name, so
 *   that its gradient (`LikenessReluGrad`) applies to likeness's layers only, never to a
 *   user's `tf.relu`.
 * - `LikenessAdam`: inputs `value`, `m`, `v`, `gradient`; attrs `learningRate`, `beta1`,
 *   `beta2`, `epsilon`, `step` (1 for the first update) → `[value, m, v]` updated as tfjs's
 *   `AdamOptimizer` does.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { DataType, KernelFunc, TensorInfo } from "@tensorflow/tfjs-core";
import { getStock } from "./_composite.ts";

/** Batch normalisation with the batch's statistics (training mode), forward. */
export const batchNormTrainName = "LikenessBatchNormTrain";
/** Its gradient: dx (through the statistics), dScale, dOffset in one kernel. */
export const batchNormTrainGradName = "LikenessBatchNormTrainGrad";
/** ReLU's gradient in one pass (tfjs: `Step` then `Multiply`). */
export const reluGradName = "LikenessReluGrad";

/** ReLU under likeness's own name (forward: the backend's `Relu`; gradient: one kernel). */
export const reluName = "LikenessRelu";

/** One Adam update of a weight and its moments. */
export const adamName = "LikenessAdam";

/** The parts of tfjs-backend-wasm's backend these kernels use. */
interface HeapBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function view(backend: HeapBackend, t: TensorInfo): Float32Array {
  const data = backend.dataIdMap.get(t.dataId);
  if (data === undefined) throw new Error("Cannot run kernel as a tensor has no wasm data");
  return new Float32Array(backend.wasm.HEAPU8.buffer, data.memoryOffset, size(t.shape));
}

function checkFloat(kernel: string, inputs: Record<string, TensorInfo | undefined>): void {
  for (const [name, t] of Object.entries(inputs)) {
    if (t === undefined || t.dtype !== "float32") {
      throw new Error(
        `Cannot run ${kernel} as ${name} must be a float32 tensor: current dtype is ${t?.dtype}`,
      );
    }
  }
}

/**
 * Rows per block of the per-channel loops: a block (≤ 16 KiB) stays in L1 while each channel
 * is swept with its accumulator in a register. Row-major loops with a channel-indexed
 * accumulator array run 2–4× slower.
 */
function blockRows(c: number): number {
  return Math.max(1, Math.floor(4096 / c));
}

/**
 * Per channel j, in float64: `out[j] += Σ (a[k] − μ[j])·(g[k] or a[k] − μ[j])` over the
 * elements k of channel j (`mu` null: μ = 0 and the plain sum of `a`).
 */
function channelSums(
  rows: number,
  c: number,
  out: Float64Array,
  a: Float32Array,
  mu: Float64Array | Float32Array | null,
  g: Float32Array | null,
): void {
  const block = blockRows(c);
  for (let r0 = 0; r0 < rows; r0 += block) {
    const end = Math.min(rows, r0 + block) * c;
    for (let j = 0; j < c; j++) {
      let acc = 0;
      const start = r0 * c + j;
      if (mu === null) {
        for (let k = start; k < end; k += c) acc += a[k];
      } else if (g === null) {
        const m = mu[j];
        for (let k = start; k < end; k += c) acc += (a[k] - m) * (a[k] - m);
      } else {
        const m = mu[j];
        for (let k = start; k < end; k += c) acc += g[k] * (a[k] - m);
      }
      out[j] += acc;
    }
  }
}

/** `out[k] = a[k]·p[j] + b[k]·q[j] + r[j]` for channel j of element k (b may be null). */
function channelAffine(
  rows: number,
  c: number,
  out: Float32Array,
  a: Float32Array,
  p: Float32Array,
  b: Float32Array | null,
  q: Float32Array,
  r: Float32Array,
): void {
  const block = blockRows(c);
  for (let r0 = 0; r0 < rows; r0 += block) {
    const end = Math.min(rows, r0 + block) * c;
    for (let j = 0; j < c; j++) {
      const pj = p[j];
      const qj = q[j];
      const rj = r[j];
      if (b === null) {
        for (let k = r0 * c + j; k < end; k += c) out[k] = a[k] * pj + rj;
      } else {
        for (let k = r0 * c + j; k < end; k += c) out[k] = a[k] * pj + b[k] * qj + rj;
      }
    }
  }
}

/** `LikenessBatchNormTrain` on the wasm heap: sums in float64, two passes for the variance. */
export const batchNormTrainHeap: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, scale, offset } = inputs as Record<string, TensorInfo>;
  checkFloat(batchNormTrainName, { x, scale, offset });
  const epsilon = (attrs?.epsilon as number | undefined) ?? 1e-3;
  const b = backend as unknown as HeapBackend;
  const c = x.shape[x.shape.length - 1];
  const rows = size(x.shape) / c;
  const y = b.makeOutput([...x.shape], "float32");
  const mean = b.makeOutput([c], "float32");
  const variance = b.makeOutput([c], "float32");
  // Views only after every allocation: an allocation can grow (and move) the heap.
  const [xv, yv, gamma, beta, mv, vv] = [x, y, scale, offset, mean, variance].map((t) =>
    view(b, t)
  );
  const s = new Float64Array(c);
  channelSums(rows, c, s, xv, null, null);
  // An empty batch has mean and variance 0, as tf.moments on the cpu backend gives.
  const mu = s.map((v) => (rows > 0 ? v / rows : 0));
  const q = new Float64Array(c);
  channelSums(rows, c, q, xv, mu, null);
  const mult = new Float32Array(c);
  const add = new Float32Array(c);
  for (let j = 0; j < c; j++) {
    const v = rows > 0 ? q[j] / rows : 0;
    mv[j] = mu[j];
    vv[j] = v;
    mult[j] = gamma[j] / Math.sqrt(v + epsilon);
    add[j] = beta[j] - mu[j] * mult[j];
  }
  channelAffine(rows, c, yv, xv, mult, null, mult, add);
  return [y, mean, variance];
};

/**
 * `LikenessBatchNormTrainGrad` on the wasm heap. With `a = 1/√(σ²+ε)`, `x̂ = (x−μ)·a`:
 * `dOffset = Σdy`, `dScale = Σdy·x̂`, `dx = γ·a·(dy − dOffset/N − x̂·dScale/N)`.
 */
export const batchNormTrainGradHeap: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, x, scale, mean, variance } = inputs as Record<string, TensorInfo>;
  checkFloat(batchNormTrainGradName, { dy, x, scale, mean, variance });
  const epsilon = (attrs?.epsilon as number | undefined) ?? 1e-3;
  const b = backend as unknown as HeapBackend;
  const c = x.shape[x.shape.length - 1];
  const rows = size(x.shape) / c;
  const dx = b.makeOutput([...x.shape], "float32");
  const dScale = b.makeOutput([c], "float32");
  const dOffset = b.makeOutput([c], "float32");
  const [dyv, xv, gamma, mv, vv, dxv, dsv, dov] = [
    dy,
    x,
    scale,
    mean,
    variance,
    dx,
    dScale,
    dOffset,
  ]
    .map((t) => view(b, t));
  const sg = new Float64Array(c);
  channelSums(rows, c, sg, dyv, null, null);
  const sgx = new Float64Array(c);
  channelSums(rows, c, sgx, xv, mv, dyv);
  // dx = k1·dy + k2·x + k3 per channel.
  const k1 = new Float32Array(c);
  const k2 = new Float32Array(c);
  const k3 = new Float32Array(c);
  for (let j = 0; j < c; j++) {
    const a = 1 / Math.sqrt(vv[j] + epsilon);
    const ds = sgx[j] * a;
    dsv[j] = ds;
    dov[j] = sg[j];
    k1[j] = gamma[j] * a;
    k2[j] = -gamma[j] * a * a * ds / rows;
    k3[j] = -gamma[j] * a * sg[j] / rows - k2[j] * mv[j];
  }
  channelAffine(rows, c, dxv, dyv, k1, xv, k2, k3);
  return [dx, dScale, dOffset];
};

/**
 * `LikenessRelu`: the active backend's `Relu` kernel, looked up at each call (so `native`
 * runs its oneDNN `Relu` even when this kernel was copied from `wasm`).
 */
export const reluForward: KernelFunc = (args) => {
  const backendName = tf.getBackend();
  const relu = tf.getKernel("Relu", backendName);
  if (relu === undefined) throw new Error(`Cannot run ${reluName} as ${backendName} has no Relu`);
  return relu.kernelFunc(args);
};

/** `LikenessReluGrad` on the wasm heap. */
export const reluGradHeap: KernelFunc = ({ inputs, backend }) => {
  const { dy, x } = inputs as Record<string, TensorInfo>;
  checkFloat(reluGradName, { dy, x });
  const b = backend as unknown as HeapBackend;
  const dx = b.makeOutput([...x.shape], "float32");
  const [dyv, xv, dxv] = [dy, x, dx].map((t) => view(b, t));
  const n = xv.length;
  // Branch-free (a data-dependent branch mispredicts on half the elements: 4× slower).
  for (let k = 0; k < n; k++) dxv[k] = dyv[k] * +(xv[k] > 0);
  return dx;
};

/**
 * `LikenessAdam` on the wasm heap: `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`, `value ←
 * value − lr·m̂/(√v̂ + ε)` with `m̂ = m/(1−β₁ᵗ)`, `v̂ = v/(1−β₂ᵗ)`.
 */
export const adamHeap: KernelFunc = ({ inputs, backend, attrs }) => {
  const { value, m, v, gradient } = inputs as Record<string, TensorInfo>;
  checkFloat(adamName, { value, m, v, gradient });
  const { learningRate, beta1, beta2, epsilon, step } = attrs as Record<string, number>;
  const b = backend as unknown as HeapBackend;
  const outs = [value, m, v].map((t) => b.makeOutput([...t.shape], "float32"));
  const [pv, mv, vv, gv, pOut, mOut, vOut] = [value, m, v, gradient, ...outs].map((t) =>
    view(b, t)
  );
  // value − lr·m̂/(√v̂ + ε) = value − a·m/(√v·s + ε), with a = lr/(1−β₁ᵗ), s = 1/√(1−β₂ᵗ).
  const a = learningRate / (1 - beta1 ** step);
  const s = 1 / Math.sqrt(1 - beta2 ** step);
  const [k1, k2] = [1 - beta1, 1 - beta2];
  const n = pv.length;
  for (let k = 0; k < n; k++) {
    const g = gv[k];
    const m1 = beta1 * mv[k] + k1 * g;
    const v1 = beta2 * vv[k] + k2 * g * g;
    mOut[k] = m1;
    vOut[k] = v1;
    pOut[k] = pv[k] - (a * m1) / (Math.sqrt(v1) * s + epsilon);
  }
  return outs;
};

/**
 * `Identity` without a copy: the output shares the input's data (reference-counted by the
 * backend), as tfjs's cpu and webgl backends do; tfjs-wasm copies. Kernels never write into
 * their inputs, so sharing is safe. Strings keep the stock kernel.
 */
export function identityShared(backendName: string): KernelFunc {
  return (args) => {
    const { x } = args.inputs as Record<string, TensorInfo>;
    if (x.dtype === "string") {
      const stock = getStock("Identity", backendName);
      if (stock === undefined) throw new Error(`Cannot find the stock Identity of ${backendName}`);
      return stock(args);
    }
    (args.backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}
