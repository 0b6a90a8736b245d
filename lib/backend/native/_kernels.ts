/**
 * tfjs kernels for the `native` backend: convolutions in oneDNN, matrix products in
 * OpenBLAS (or oneDNN's sgemm), reading and writing the tensors in place in the wasm heap.
 * Anything a native kernel does not cover (another dtype, NCHW, an unusual activation,
 * empty tensors) goes to the kernel it replaced. Inputs without elements never reach these
 * kernels: the guard of `../_empty.ts` computes them on the cpu reference first (kernels the
 * cpu backend lacks handle them here).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { DataType, KernelFunc, NamedAttrMap, TensorInfo } from "@tensorflow/tfjs-core";
import {
  type Address,
  addressOf,
  type ConvGeometry,
  type DnnlContext,
  type PoolGeometry,
} from "./_dnnl.ts";
import type { Blas, Dnnl } from "./_libraries.ts";
import { batchNormTrainGradName, batchNormTrainName, reluGradName } from "../_fused_kernels.ts";

type Pad = Parameters<typeof tf.backend_util.computeConv2DInfo>[4];
type Rounding = "floor" | "round" | "ceil" | undefined;
type Shape4 = [number, number, number, number];

/** What the native kernels need: a oneDNN context and a GEMM. */
export interface NativeRuntime {
  readonly dnnl: Dnnl;
  readonly conv: DnnlContext;
  readonly blas?: Blas;
}

/** The parts of tfjs-backend-wasm's `BackendWasm` the kernels use. */
interface WasmBackendLike {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
}

function heap(backend: WasmBackendLike): Address {
  return addressOf(backend.wasm.HEAPU8);
}

function offsetOf(backend: WasmBackendLike, t: TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (data === undefined) throw new Error("Cannot run native kernel as a tensor has no wasm data");
  return data.memoryOffset;
}

/** Addresses of the tensors' bytes in the wasm heap (call after every allocation). */
function pointers(backend: WasmBackendLike, ts: readonly TensorInfo[]): Address[] {
  const base = heap(backend);
  return ts.map((t) => base + BigInt(offsetOf(backend, t)));
}

function floatView(backend: WasmBackendLike, t: TensorInfo, size: number): Float32Array {
  return new Float32Array(backend.wasm.HEAPU8.buffer, offsetOf(backend, t), size);
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function allFloat(ts: readonly (TensorInfo | undefined)[]): boolean {
  return ts.every((t) => t === undefined || (t.dtype === "float32" && size(t.shape) > 0));
}

function geometry(
  xShape: Shape4,
  filterShape: Shape4,
  attrs: NamedAttrMap,
  dilations: number | [number, number],
): ConvGeometry | undefined {
  if (attrs.dataFormat === "NCHW") return undefined;
  const info = tf.backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    attrs.strides as [number, number],
    dilations,
    attrs.pad as Pad,
    attrs.dimRoundingMode as Rounding,
    false,
    "channelsLast",
  );
  const { top, left } = info.padInfo;
  // oneDNN needs the right/bottom padding that makes its output size formula exact.
  const bottom = (info.outHeight - 1) * info.strideHeight +
    (info.filterHeight - 1) * info.dilationHeight + 1 - info.inHeight - top;
  const right = (info.outWidth - 1) * info.strideWidth +
    (info.filterWidth - 1) * info.dilationWidth + 1 - info.inWidth - left;
  if (bottom < 0 || right < 0 || top < 0 || left < 0) return undefined;
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strides: [info.strideHeight, info.strideWidth],
    dilations: [info.dilationHeight, info.dilationWidth],
    pads: [top, left, bottom, right],
  };
}

/** A kernel function given the one it replaces (for the cases it does not cover). */
export type NativeKernel = (runtime: NativeRuntime, previous: KernelFunc) => KernelFunc;

function conv2DLike(fused: boolean): NativeKernel {
  return (runtime, previous) => (args) => {
    const inputs = args.inputs as Record<string, TensorInfo | undefined>;
    const attrs = args.attrs ?? {};
    const { x, filter, bias, preluActivationWeights } = inputs;
    const activation = (attrs.activation as string | undefined) ?? "linear";
    const ok = x !== undefined && filter !== undefined && allFloat([x, filter, bias]) &&
      preluActivationWeights === undefined && (activation === "linear" || activation === "relu") &&
      (bias === undefined || size(bias.shape) === filter.shape[3]);
    const g = ok
      ? geometry(
        x.shape as Shape4,
        filter.shape as Shape4,
        attrs,
        attrs.dilations as [number, number],
      )
      : undefined;
    if (g === undefined) return previous(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const prim = runtime.conv.conv("forward", g, {
      bias: bias !== undefined,
      relu: fused && activation === "relu",
    });
    const out = backend.makeOutput([g.batch, g.outHeight, g.outWidth, g.outChannels], "float32");
    prim.run(pointers(backend, bias === undefined ? [x!, filter!, out] : [x!, filter!, bias, out]));
    return out;
  };
}

/** `Conv2D` in oneDNN. */
export const conv2D: NativeKernel = conv2DLike(false);
/** `FusedConv2D` (bias, linear or ReLU) in oneDNN. */
export const fusedConv2D: NativeKernel = conv2DLike(true);

/** `Conv2DBackpropInput` in oneDNN. */
export const conv2DBackpropInput: NativeKernel = (runtime, previous) => (args) => {
  const { dy, filter } = args.inputs as Record<string, TensorInfo>;
  const attrs = args.attrs ?? {};
  const inputShape = attrs.inputShape as Shape4;
  const g = allFloat([dy, filter]) && size(inputShape) > 0
    ? geometry(inputShape, filter.shape as Shape4, attrs, 1)
    : undefined;
  if (g === undefined) return previous(args);
  const backend = args.backend as unknown as WasmBackendLike;
  const prim = runtime.conv.conv("backwardData", g);
  const out = backend.makeOutput([...inputShape], "float32");
  prim.run(pointers(backend, [dy, filter, out]));
  return out;
};

/** `Conv2DBackpropFilter` in oneDNN. */
export const conv2DBackpropFilter: NativeKernel = (runtime, previous) => (args) => {
  const { x, dy } = args.inputs as Record<string, TensorInfo>;
  const attrs = args.attrs ?? {};
  const filterShape = attrs.filterShape as Shape4;
  const g = allFloat([x, dy]) ? geometry(x.shape as Shape4, filterShape, attrs, 1) : undefined;
  if (g === undefined) return previous(args);
  const backend = args.backend as unknown as WasmBackendLike;
  const prim = runtime.conv.conv("backwardWeights", g);
  const out = backend.makeOutput([...filterShape], "float32");
  prim.run(pointers(backend, [x, dy, out]));
  return out;
};

const RowMajor = 101;
const NoTrans = 111;
const Trans = 112;

/** C[M×N] = op(A)·op(B), row-major, through OpenBLAS (or oneDNN's sgemm without it). */
function sgemm(
  runtime: NativeRuntime,
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  a: Address,
  b: Address,
  c: Address,
): void {
  const lda = transA ? m : k;
  const ldb = transB ? k : n;
  if (runtime.blas !== undefined) {
    runtime.blas.cblas_sgemm(
      RowMajor,
      transA ? Trans : NoTrans,
      transB ? Trans : NoTrans,
      m,
      n,
      k,
      1,
      a,
      lda,
      b,
      ldb,
      0,
      c,
      n,
    );
    return;
  }
  const status = runtime.dnnl.dnnl_sgemm(
    transA ? 84 : 78, // 'T' : 'N'
    transB ? 84 : 78,
    BigInt(m),
    BigInt(n),
    BigInt(k),
    1,
    a,
    BigInt(lda),
    b,
    BigInt(ldb),
    0,
    c,
    BigInt(n),
  );
  if (status !== 0) throw new Error(`Cannot run native matMul as dnnl_sgemm returned ${status}`);
}

/** Runs a (batched) product; returns the output or undefined when not covered. */
function batchProduct(
  runtime: NativeRuntime,
  backend: WasmBackendLike,
  a: TensorInfo,
  b: TensorInfo,
  transA: boolean,
  transB: boolean,
): TensorInfo | undefined {
  if (a.shape.length !== 3 || b.shape.length !== 3 || !allFloat([a, b])) return undefined;
  const [ba, ra, ca] = a.shape;
  const [bb, rb, cb] = b.shape;
  if (ba !== bb && ba !== 1 && bb !== 1) return undefined;
  const m = transA ? ca : ra;
  const k = transA ? ra : ca;
  const n = transB ? rb : cb;
  if ((transB ? cb : rb) !== k) return undefined; // let the stock kernel word the error
  const batch = Math.max(ba, bb);
  const out = backend.makeOutput([batch, m, n], "float32");
  if (m * n === 0) return out;
  const [pa, pb, pc] = pointers(backend, [a, b, out]);
  for (let i = 0; i < batch; i++) {
    sgemm(
      runtime,
      transA,
      transB,
      m,
      n,
      k,
      pa + BigInt(4 * (ba === 1 ? 0 : i) * ra * ca),
      pb + BigInt(4 * (bb === 1 ? 0 : i) * rb * cb),
      pc + BigInt(4 * i * m * n),
    );
  }
  return out;
}

/** `BatchMatMul` in OpenBLAS (transposes passed to sgemm, never materialised). */
export const batchMatMul: NativeKernel = (runtime, previous) => (args) => {
  const { a, b } = args.inputs as Record<string, TensorInfo>;
  const attrs = args.attrs ?? {};
  const out = batchProduct(
    runtime,
    args.backend as unknown as WasmBackendLike,
    a,
    b,
    attrs.transposeA === true,
    attrs.transposeB === true,
  );
  return out ?? previous(args);
};

/** `_FusedMatMul` (bias, linear or ReLU) in OpenBLAS plus one pass over the output. */
export const fusedMatMul: NativeKernel = (runtime, previous) => (args) => {
  const inputs = args.inputs as Record<string, TensorInfo | undefined>;
  const attrs = args.attrs ?? {};
  const { a, b, bias, preluActivationWeights } = inputs;
  const activation = (attrs.activation as string | undefined) ?? "linear";
  const n = a === undefined || b === undefined ? 0 : attrs.transposeB ? b.shape[1] : b.shape[2];
  const biasSize = bias === undefined ? 0 : size(bias.shape);
  const covered = a !== undefined && b !== undefined && preluActivationWeights === undefined &&
    activation in activations &&
    (bias === undefined || (bias.dtype === "float32" && (biasSize === n || biasSize === 1)));
  if (!covered) return previous(args);
  const backend = args.backend as unknown as WasmBackendLike;
  const out = batchProduct(
    runtime,
    backend,
    a,
    b,
    attrs.transposeA === true,
    attrs.transposeB === true,
  );
  if (out === undefined) return previous(args);
  const total = size(out.shape);
  if (bias === undefined && activation === "linear") return out;
  const y = floatView(backend, out, total);
  const beta = bias === undefined ? new Float32Array(n) : floatView(backend, bias, biasSize);
  const f = activations[activation];
  const alpha = (attrs.leakyreluAlpha as number | undefined) ?? 0.2;
  for (let i = 0; i < total; i += n) {
    for (let j = 0; j < n; j++) y[i + j] = f(y[i + j] + beta[biasSize === 1 ? 0 : j], alpha);
  }
  return out;
};

/** The activations `_FusedMatMul` may fuse, as tfjs defines them (prelu: stock kernel). */
const activations: Readonly<Record<string, (v: number, alpha: number) => number>> = {
  linear: (v) => v,
  relu: (v) => (v < 0 ? 0 : v),
  relu6: (v) => (v < 0 ? 0 : v > 6 ? 6 : v),
  elu: (v) => (v < 0 ? Math.exp(v) - 1 : v),
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  leakyrelu: (v, alpha) => (v < 0 ? alpha * v : v),
};

let sumOnes = new Float32Array(0);

function onesPointer(length: number): Address {
  if (sumOnes.length < length) {
    sumOnes = new Float32Array(Math.max(length, 2 * sumOnes.length)).fill(1);
  }
  return addressOf(sumOnes);
}

let scratch = new Float32Array(0);

function scratchOf(length: number): Float32Array {
  if (scratch.length < length) scratch = new Float32Array(Math.max(length, 2 * scratch.length));
  return scratch;
}

function reduction(mean: boolean): NativeKernel {
  return (runtime, previous) => (args) => {
    const { x } = args.inputs as Record<string, TensorInfo>;
    const attrs = args.attrs ?? {};
    const blas = runtime.blas;
    const rank = x.shape.length;
    const raw = attrs.axis as number | number[] | undefined;
    // No axis (undefined or null) reduces every axis.
    const given = raw === undefined || raw === null ? [...x.shape.keys()] : [raw].flat();
    const axes = [...new Set(given.map((a) => (a + rank) % rank))]
      .sort((p, q) => p - q);
    const contiguous = axes.length > 0 && axes.every((a, i) => a === axes[0] + i);
    if (blas === undefined || !contiguous || !allFloat([x])) return previous(args);
    const lo = axes[0];
    const hi = axes[axes.length - 1];
    const outer = size(x.shape.slice(0, lo));
    const reduced = size(x.shape.slice(lo, hi + 1));
    const inner = size(x.shape.slice(hi + 1));
    if (inner > 1 && outer > 64) return previous(args); // too many calls: stock kernel
    const shape = attrs.keepDims
      ? x.shape.map((d, i) => (i >= lo && i <= hi ? 1 : d))
      : x.shape.filter((_, i) => i < lo || i > hi);
    const backend = args.backend as unknown as WasmBackendLike;
    const out = backend.makeOutput(shape, "float32");
    const alpha = mean ? 1 / reduced : 1;
    const one = onesPointer(reduced);
    const [px, py] = pointers(backend, [x, out]);
    if (inner === 1) {
      // y[outer] = X[outer × reduced] · 1
      blas.cblas_sgemv(RowMajor, NoTrans, outer, reduced, alpha, px, reduced, one, 1, 0, py, 1);
      return out;
    }
    const first = x.shape[lo];
    if (outer === 1 && axes.length > 1 && first > 1) {
      // Long rows are faster: t[(reduced/first)·inner] = X[first × …]ᵀ · 1, then fold t.
      const rest = (reduced / first) * inner;
      const t = scratchOf(rest);
      blas.cblas_sgemv(
        RowMajor,
        Trans,
        first,
        rest,
        alpha,
        px,
        rest,
        one,
        1,
        0,
        addressOf(t),
        1,
      );
      const y = floatView(backend, out, inner).fill(0);
      for (let i = 0; i < rest; i += inner) {
        for (let j = 0; j < inner; j++) y[j] += t[i + j];
      }
      return out;
    }
    for (let o = 0; o < outer; o++) {
      // y[inner] = X[reduced × inner]ᵀ · 1
      blas.cblas_sgemv(
        RowMajor,
        Trans,
        reduced,
        inner,
        alpha,
        px + BigInt(4 * o * reduced * inner),
        inner,
        one,
        1,
        0,
        py + BigInt(4 * o * inner),
        1,
      );
    }
    return out;
  };
}

/** `Sum` over one contiguous block of axes, as a matrix–vector product with ones. */
export const sum: NativeKernel = reduction(false);
/** `Mean` over one contiguous block of axes (sum scaled by 1/count). */
export const mean: NativeKernel = reduction(true);

/**
 * `MaxPoolGrad` (NHWC) in oneDNN: each output gradient goes to the first maximal input of
 * its window (row-major window order), as tfjs's cpu kernel does.
 */
export const maxPoolGrad: NativeKernel = (runtime, previous) => (args) => {
  const { dy, input } = args.inputs as Record<string, TensorInfo>;
  const g = allFloat([dy, input]) ? poolGeometry(input, args.attrs ?? {}) : undefined;
  if (g === undefined) return previous(args);
  const backend = args.backend as unknown as WasmBackendLike;
  const prim = runtime.conv.maxPoolGrad(g);
  const out = backend.makeOutput([...input.shape], "float32");
  prim.run(pointers(backend, [input, dy, out]));
  return out;
};

/** `MaxPool` (NHWC, float32) as oneDNN's max pooling; padding never wins a window. */
export const maxPool: NativeKernel = (runtime, previous) => (args) => {
  const { x } = args.inputs as Record<string, TensorInfo>;
  const g = allFloat([x]) ? poolGeometry(x, args.attrs ?? {}) : undefined;
  if (g === undefined) return previous(args);
  const backend = args.backend as unknown as WasmBackendLike;
  const prim = runtime.conv.maxPool(g);
  const out = backend.makeOutput([g.batch, g.outHeight, g.outWidth, g.channels], "float32");
  prim.run(pointers(backend, [x, out]));
  return out;
};

/** oneDNN's geometry of a tfjs 2-D pooling of `input` (NHWC), or undefined if it has none. */
function poolGeometry(input: TensorInfo, attrs: NamedAttrMap): PoolGeometry | undefined {
  if (input.shape.length !== 4) return undefined;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as Shape4,
    attrs.filterSize as [number, number],
    attrs.strides as [number, number],
    1,
    attrs.pad as Pad,
    attrs.dimRoundingMode as Rounding,
  );
  const { top, left } = info.padInfo;
  const bottom = (info.outHeight - 1) * info.strideHeight + info.filterHeight - info.inHeight - top;
  const right = (info.outWidth - 1) * info.strideWidth + info.filterWidth - info.inWidth - left;
  if (bottom < 0 || right < 0 || top < 0 || left < 0) return undefined;
  return {
    batch: info.batchSize,
    channels: info.inChannels,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strides: [info.strideHeight, info.strideWidth],
    pads: [top, left, bottom, right],
  };
}

let ones = new Float32Array(0);
let zeros = new Float32Array(0);

/** Pointers to `c` ones and `c` zeros (stand-ins for a missing scale or offset). */
function unitPointers(c: number): [Address, Address] {
  if (ones.length < c) ones = new Float32Array(c).fill(1);
  if (zeros.length < c) zeros = new Float32Array(c);
  return [addressOf(ones), addressOf(zeros)];
}

/** NHWC data as oneDNN's `[n, c, h, w]`; any other rank as `[rows, c, 1, 1]`. */
function bnShape(shape: readonly number[]): [number, number, number, number] {
  const c = shape[shape.length - 1];
  return shape.length === 4 ? [shape[0], c, shape[1], shape[2]] : [size(shape) / c, c, 1, 1];
}

function perChannel(t: TensorInfo | undefined, c: number): boolean {
  return t === undefined || (t.dtype === "float32" && t.shape.length === 1 && t.shape[0] === c);
}

/** `FusedBatchNorm` with per-channel (last axis) statistics, in oneDNN. */
export const fusedBatchNorm: NativeKernel = (runtime, previous) => (args) => {
  const { x, mean: m, variance, offset, scale } = args.inputs as Record<
    string,
    TensorInfo | undefined
  >;
  const epsilon = (args.attrs?.varianceEpsilon as number | undefined) ?? 0.001;
  if (x === undefined || m === undefined || variance === undefined || !allFloat([x])) {
    return previous(args);
  }
  const c = x.shape[x.shape.length - 1];
  if (m.shape.length !== 1 || ![m, variance, offset, scale].every((t) => perChannel(t, c))) {
    return previous(args);
  }
  const backend = args.backend as unknown as WasmBackendLike;
  const prim = runtime.conv.batchNorm("forward", bnShape(x.shape), epsilon);
  const out = backend.makeOutput([...x.shape], "float32");
  const [one, zero] = unitPointers(c);
  const [px, pm, pv, py] = pointers(backend, [x, m, variance, out]);
  const [ps] = scale === undefined ? [one] : pointers(backend, [scale]);
  const [po] = offset === undefined ? [zero] : pointers(backend, [offset]);
  prim.run([px, pm, pv, ps, po, py]);
  return out;
};

/** Name of the kernel computing every gradient of `FusedBatchNorm` at once (native only). */
export const batchNormGradName = "LikenessFusedBatchNormGrad";

/**
 * Gradients of `FusedBatchNorm` (per-channel statistics on the last axis) in one oneDNN
 * backward pass with the statistics held constant: outputs dx, dMean, dVariance, dScale,
 * dOffset, as tfjs-core's gradient defines them (`mean` and `variance` are inputs of their
 * own; their gradients flow on to whatever computed them).
 */
export const batchNormGrad: NativeKernel = (runtime) => (args) => {
  const { dy, x, mean: m, variance, scale } = args.inputs as Record<
    string,
    TensorInfo | undefined
  >;
  const epsilon = (args.attrs?.varianceEpsilon as number | undefined) ?? 0.001;
  if (dy === undefined || x === undefined || m === undefined || variance === undefined) {
    throw new Error("Cannot compute batch-norm gradients as dy, x, mean or variance is missing");
  }
  const backend = args.backend as unknown as WasmBackendLike;
  const c = m.shape[0];
  const dx = backend.makeOutput([...x.shape], "float32");
  const [dMean, dVariance, dScale, dOffset] = [0, 1, 2, 3].map(() =>
    backend.makeOutput([c], "float32")
  );
  if (size(x.shape) === 0) {
    // No elements: every sum over them is 0 (oneDNN is not called on an empty batch).
    for (const t of [dMean, dVariance, dScale, dOffset]) floatView(backend, t, c).fill(0);
    return [dx, dMean, dVariance, dScale, dOffset];
  }
  const prim = runtime.conv.batchNorm("backward", bnShape(x.shape), epsilon);
  const [one, zero] = unitPointers(c);
  const [px, pm, pv, pdy, pdx, pds, pdo] = pointers(backend, [
    x,
    m,
    variance,
    dy,
    dx,
    dScale,
    dOffset,
  ]);
  const [ps] = scale === undefined ? [one] : pointers(backend, [scale]);
  prim.run([px, pm, pv, pdy, ps, zero, pdx, pds, pdo]);
  const s2 = floatView(backend, variance, c);
  const gamma = scale === undefined ? ones : floatView(backend, scale, c);
  const sums = [floatView(backend, dScale, c), floatView(backend, dOffset, c)];
  const [dm, dv] = [floatView(backend, dMean, c), floatView(backend, dVariance, c)];
  for (let j = 0; j < c; j++) {
    const a = 1 / Math.sqrt(s2[j] + epsilon);
    dm[j] = -a * gamma[j] * sums[1][j]; // −a·γ·Σdy
    dv[j] = -0.5 * a * a * gamma[j] * sums[0][j]; // −½·a³·γ·Σdy(x−μ)
  }
  return [dx, dMean, dVariance, dScale, dOffset];
};

/** `LikenessBatchNormTrain` (batch statistics, per channel of the last axis) in oneDNN. */
export const batchNormTrain: NativeKernel = (runtime, previous) => (args) => {
  const { x, scale, offset } = args.inputs as Record<string, TensorInfo | undefined>;
  if (x === undefined || !allFloat([x])) return previous(args);
  const c = x.shape[x.shape.length - 1];
  if (
    scale === undefined || offset === undefined || ![scale, offset].every((t) => perChannel(t, c))
  ) {
    return previous(args);
  }
  const epsilon = (args.attrs?.epsilon as number | undefined) ?? 0.001;
  const backend = args.backend as unknown as WasmBackendLike;
  const prim = runtime.conv.batchNorm("forward", bnShape(x.shape), epsilon, "batch");
  const y = backend.makeOutput([...x.shape], "float32");
  const mean = backend.makeOutput([c], "float32");
  const variance = backend.makeOutput([c], "float32");
  prim.run(pointers(backend, [x, scale, offset, y, mean, variance]));
  return [y, mean, variance];
};

/** `LikenessBatchNormTrainGrad` in one oneDNN backward pass (dx through the statistics). */
export const batchNormTrainGrad: NativeKernel = (runtime, previous) => (args) => {
  const { dy, x, scale, mean: m, variance } = args.inputs as Record<
    string,
    TensorInfo | undefined
  >;
  if (x === undefined || dy === undefined || !allFloat([x, dy])) return previous(args);
  const c = x.shape[x.shape.length - 1];
  if (![scale, m, variance].every((t) => t !== undefined && perChannel(t, c))) {
    return previous(args);
  }
  const epsilon = (args.attrs?.epsilon as number | undefined) ?? 0.001;
  const backend = args.backend as unknown as WasmBackendLike;
  const prim = runtime.conv.batchNorm("backward", bnShape(x.shape), epsilon, "batch");
  const dx = backend.makeOutput([...x.shape], "float32");
  const dScale = backend.makeOutput([c], "float32");
  const dOffset = backend.makeOutput([c], "float32");
  const [px, pm, pv, pdy, ps, pdx, pds, pdo] = pointers(backend, [
    x,
    m!,
    variance!,
    dy,
    scale!,
    dx,
    dScale,
    dOffset,
  ]);
  prim.run([px, pm, pv, pdy, ps, unitPointers(c)[1], pdx, pds, pdo]);
  return [dx, dScale, dOffset];
};

/** `LikenessReluGrad` as oneDNN's ReLU backward (threaded, vectorised). */
export const reluGrad: NativeKernel = (runtime, previous) => (args) => {
  const { dy, x } = args.inputs as Record<string, TensorInfo | undefined>;
  if (x === undefined || dy === undefined || !allFloat([x, dy])) return previous(args);
  const backend = args.backend as unknown as WasmBackendLike;
  const prim = runtime.conv.relu("backward", size(x.shape));
  const dx = backend.makeOutput([...x.shape], "float32");
  prim.run(pointers(backend, [x, dy, dx]));
  return dx;
};

/** `Relu` as oneDNN's eltwise ReLU (threaded, vectorised). */
export const relu: NativeKernel = (runtime, previous) => (args) => {
  const { x } = args.inputs as Record<string, TensorInfo | undefined>;
  if (x === undefined || !allFloat([x])) return previous(args);
  const backend = args.backend as unknown as WasmBackendLike;
  const prim = runtime.conv.relu("forward", size(x.shape));
  const y = backend.makeOutput([...x.shape], "float32");
  prim.run(pointers(backend, [x, y]));
  return y;
};

/**
 * `Multiply` of `[N, …, C]` by `[N or 1, 1, …, 1, C]` (either order; spatial dropout's mask
 * and its gradient) as a oneDNN binary: wasm's broadcasting multiply runs ~5× slower than its
 * same-shape one. Other shapes run the wasm kernel.
 */
export const multiply: NativeKernel = (runtime, previous) => (args) => {
  const { a, b } = args.inputs as Record<string, TensorInfo | undefined>;
  if (a === undefined || b === undefined || !allFloat([a, b])) return previous(args);
  const [big, small] = size(a.shape) >= size(b.shape) ? [a, b] : [b, a];
  const r = big.shape.length;
  const n = big.shape[0];
  const c = big.shape[r - 1];
  const fits = r >= 3 && small.shape.length === r &&
    (small.shape[0] === n || small.shape[0] === 1) &&
    small.shape[r - 1] === c && small.shape.slice(1, r - 1).every((d) => d === 1) &&
    size(big.shape) > size(small.shape);
  if (!fits) return previous(args);
  const backend = args.backend as unknown as WasmBackendLike;
  const prim = runtime.conv.channelScale(n, size(big.shape) / (n * c), c, small.shape[0] === n);
  const y = backend.makeOutput([...big.shape], "float32");
  prim.run(pointers(backend, [big, small, y]));
  return y;
};

/** Every kernel the native backend replaces, by tfjs kernel name. */
export const nativeKernels: Readonly<Record<string, NativeKernel>> = {
  Conv2D: conv2D,
  FusedConv2D: fusedConv2D,
  Conv2DBackpropInput: conv2DBackpropInput,
  Conv2DBackpropFilter: conv2DBackpropFilter,
  BatchMatMul: batchMatMul,
  _FusedMatMul: fusedMatMul,
  Sum: sum,
  Mean: mean,
  MaxPoolGrad: maxPoolGrad,
  MaxPool: maxPool,
  FusedBatchNorm: fusedBatchNorm,
  [batchNormTrainName]: batchNormTrain,
  [batchNormTrainGradName]: batchNormTrainGrad,
  [reluGradName]: reluGrad,
  Relu: relu,
  Multiply: multiply,
};
