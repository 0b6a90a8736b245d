/**
 * Convolution gradients built from a backend's forward `Conv2D` (fast in wasm's XNNPACK).
 *
 * Notation (NHWC): forward `y[n,oh,ow,co] = Σ x[n, oh·s + kh·d − pt, ow·s + kw·d − pl, ci] ·
 * w[kh,kw,ci,co]` with stride `s`, dilation `d`, top/left padding `pt`/`pl`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { KernelFunc, NamedAttrMap, TensorInfo } from "@tensorflow/tfjs-core";
import { composite, type KernelRunner } from "./_composite.ts";
import { im2colWebgpu } from "./_webgpu_im2col.ts";

type Pad = Parameters<typeof tf.backend_util.computeConv2DInfo>[4];
type Rounding = "floor" | "round" | "ceil" | undefined;

function toNhwc(runner: KernelRunner, t: TensorInfo, dataFormat: unknown): TensorInfo {
  return dataFormat === "NCHW" ? runner.transpose(t, [0, 2, 3, 1]) : t;
}

/** Geometry of a filter gradient, NHWC. */
interface FilterGeometry {
  readonly filterShape: [number, number, number, number];
  readonly info: ReturnType<typeof tf.backend_util.computeConv2DInfo>;
}

function filterGeometry(x: TensorInfo, attrs: NamedAttrMap): FilterGeometry {
  const filterShape = attrs.filterShape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    attrs.strides as [number, number],
    1,
    attrs.pad as Pad,
    attrs.dimRoundingMode as Rounding,
    false,
    "channelsLast",
  );
  return { filterShape, info };
}

/**
 * `Conv2DBackpropFilter` as one forward convolution of transposed tensors: batch and
 * channels swap roles, the output gradient is the filter, and the forward stride becomes
 * the dilation. `x` and `dy` are NHWC.
 */
function transposedFilter(
  runner: KernelRunner,
  x: TensorInfo,
  dy: TensorInfo,
  { filterShape, info }: FilterGeometry,
): TensorInfo {
  const [, h, w, ci] = x.shape;
  const [, oh, ow, co] = dy.shape;
  const [kh, kw] = [filterShape[0], filterShape[1]];
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  const { top, left } = info.padInfo;
  // Rows needed: out = H + top + bottom − (OH − 1)·sh must reach KH.
  const bottom = Math.max(0, kh - 1 + (oh - 1) * sh + 1 - h - top);
  const right = Math.max(0, kw - 1 + (ow - 1) * sw + 1 - w - left);
  const xt = runner.transpose(x, [3, 1, 2, 0]); // [Ci, H, W, N]
  const dyt = runner.transpose(dy, [1, 2, 0, 3]); // [OH, OW, N, Co]
  const conv = runner.run("Conv2D", { x: xt, filter: dyt }, {
    strides: [1, 1],
    pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
    dataFormat: "NHWC",
    dilations: [sh, sw],
    dimRoundingMode: undefined,
  } as unknown as NamedAttrMap); // [Ci, ≥KH, ≥KW, Co]
  const cropped = conv.shape[1] === kh && conv.shape[2] === kw
    ? conv
    : runner.slice(conv, [0, 0, 0, 0], [ci, kh, kw, co]);
  return runner.transpose(cropped, [1, 2, 0, 3]);
}

function conv2DBackpropFilterBody(
  runner: KernelRunner,
  inputs: Record<string, TensorInfo>,
  attrs: NamedAttrMap,
): TensorInfo {
  const dataFormat = attrs.dataFormat as string | undefined;
  const x = toNhwc(runner, inputs.x, dataFormat);
  const dy = toNhwc(runner, inputs.dy, dataFormat);
  return transposedFilter(runner, x, dy, filterGeometry(x, attrs));
}

// ---------------------------------------------------------------------------------------
// webgpu filter-gradient variants. The transposed convolution puts the batch on the
// reduction axis of a tiny output ([KH,KW,Ci,Co]): few GPU threads, each looping over
// N·OH·OW products. The other variants split that reduction so that it runs in parallel.

/** Ways to compute `Conv2DBackpropFilter` on webgpu (see {@linkcode setWebgpuFilterGradient}). */
export type WebgpuFilterGradient =
  | "transposed"
  | "chunked"
  | "im2col"
  | "splitk"
  | "batched"
  | "stock";

/**
 * Every webgpu filter-gradient variant:
 * - `transposed`: one `Conv2D` of transposed tensors (the reduction, N·OH·OW long, is serial
 *   in each output thread);
 * - `chunked`: `transposed` on slices of the batch (about `chunkRows` positions each),
 *   partial gradients added;
 * - `im2col`: the KH·KW shifted slices of `x` concatenated into patches [N·OH·OW, KH·KW·Ci],
 *   then one `BatchMatMul` patchesᵀ·dy whose program tfjs-webgpu chooses;
 * - `splitk`: `im2col` with tfjs-webgpu's split-K matmul forced (atomic adds);
 * - `batched`: `im2col` with the rows cut into blocks of `chunkRows`, one batched
 *   `BatchMatMul` over the blocks, then `Sum` over the blocks;
 * - `stock`: tfjs-webgpu's own kernel (wrong for N·H·W ≥ ~75k).
 */
export const webgpuFilterGradients: readonly WebgpuFilterGradient[] = [
  "transposed",
  "chunked",
  "im2col",
  "splitk",
  "batched",
  "stock",
];

// Default from an H200 run (bench/results/h200_webgpu_profile.log, 512 triplets): `batched`
// took 182 ms of GPU time over the step's six filter gradients against 268 for `transposed`,
// and gave the fastest whole step (279 against 248 images/s). The step is bound by host-side
// work, not by these kernels (640 ms of GPU time in a 5.5–6.2 s step).
let webgpuVariant: WebgpuFilterGradient = "batched";
let webgpuChunkRows = 16384;
/** Largest patches matrix built at once (elements; 2²⁵ floats = 128 MiB, WebGPU's minimum limit). */
const maxPatchElements = 2 ** 25;

/**
 * Chooses the webgpu `Conv2DBackpropFilter` variant from then on (default `batched`), and
 * optionally the block size of `chunked` and `batched` in output positions (default 16384).
 * For benchmarks and tests; the choice is process-wide.
 */
export function setWebgpuFilterGradient(
  variant: WebgpuFilterGradient,
  options: { readonly chunkRows?: number } = {},
): void {
  if (!webgpuFilterGradients.includes(variant)) {
    throw new Error(
      `Cannot set webgpu filter gradient as variant must be one of ${
        webgpuFilterGradients.join(", ")
      }: current variant is '${variant}'`,
    );
  }
  const rows = options.chunkRows ?? webgpuChunkRows;
  if (!Number.isInteger(rows) || rows < 1) {
    throw new Error(
      `Cannot set webgpu filter gradient as chunkRows must be a positive integer: current value is ${rows}`,
    );
  }
  webgpuVariant = variant;
  webgpuChunkRows = rows;
}

/** The current webgpu `Conv2DBackpropFilter` variant and block size. */
export function getWebgpuFilterGradient(): {
  variant: WebgpuFilterGradient;
  chunkRows: number;
} {
  return { variant: webgpuVariant, chunkRows: webgpuChunkRows };
}

/** Sums same-shaped tensors pairwise with `Add` (AddN is limited by storage-buffer bindings). */
function addAll(runner: KernelRunner, parts: TensorInfo[]): TensorInfo {
  let level = parts;
  while (level.length > 1) {
    const next: TensorInfo[] = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(
        i + 1 < level.length ? runner.run("Add", { a: level[i], b: level[i + 1] }) : level[i],
      );
    }
    level = next;
  }
  return level[0];
}

/** Calls `part(start, count)` on consecutive batch slices of at most `per` images; adds. */
function overBatch(
  runner: KernelRunner,
  x: TensorInfo,
  dy: TensorInfo,
  per: number,
  part: (xs: TensorInfo, dys: TensorInfo) => TensorInfo,
): TensorInfo {
  const n = x.shape[0];
  if (per >= n) return part(x, dy);
  const parts: TensorInfo[] = [];
  for (let start = 0; start < n; start += per) {
    const count = Math.min(per, n - start);
    const xs = runner.slice(x, [start, 0, 0, 0], [count, ...x.shape.slice(1)]);
    const dys = runner.slice(dy, [start, 0, 0, 0], [count, ...dy.shape.slice(1)]);
    parts.push(part(xs, dys));
  }
  return addAll(runner, parts);
}

/**
 * Patches of `x` (NHWC): [`outRows` ≥ N·OH·OW, KH·KW·Ci], column (kh·KW + kw)·Ci + ci, rows
 * past N·OH·OW zero; one WGSL program (`_webgpu_im2col.ts`) in place of a pad, KH·KW slices
 * and a concat.
 */
function patches(
  runner: KernelRunner,
  x: TensorInfo,
  { filterShape, info }: FilterGeometry,
  outRows: number,
) {
  const out = im2colWebgpu(runner.backend, x, {
    kh: filterShape[0],
    kw: filterShape[1],
    oh: info.outHeight,
    ow: info.outWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    dh: info.dilationHeight,
    dw: info.dilationWidth,
    top: info.padInfo.top,
    left: info.padInfo.left,
  }, outRows);
  // The runner frees what it tracks: a reshape shares the data (one more reference), then
  // the program's own reference is dropped.
  const tracked = runner.reshape(out, out.shape);
  runner.backend.disposeData(out.dataId);
  return tracked;
}

/** patchesᵀ·dy over batch slices small enough for one buffer; `batched` cuts rows into blocks. */
function im2colFilter(
  runner: KernelRunner,
  x: TensorInfo,
  dy: TensorInfo,
  geometry: FilterGeometry,
  mode: "im2col" | "splitk" | "batched",
): TensorInfo {
  const [kh, kw, ci, co] = geometry.filterShape;
  const { outHeight: oh, outWidth: ow } = geometry.info;
  const k = kh * kw * ci;
  const perImage = oh * ow * Math.max(k, co);
  const per = Math.max(1, Math.floor(maxPatchElements / perImage));
  const product = runner.run(
    "Reshape",
    {
      x: overBatch(runner, x, dy, per, (xs, dys) => {
        const rows = xs.shape[0] * oh * ow;
        const d = runner.reshape(dys, [rows, co]);
        if (mode !== "batched") {
          const p = patches(runner, xs, geometry, rows); // [rows, K]
          const a = runner.reshape(p, [1, rows, k]);
          const b = runner.reshape(d, [1, rows, co]);
          const matmul = () =>
            runner.run("BatchMatMul", { a, b }, { transposeA: true, transposeB: false });
          return mode === "splitk" ? withSplitK(matmul) : matmul();
        }
        const blocks = Math.ceil(rows / webgpuChunkRows);
        const per = Math.ceil(rows / blocks);
        const extra = blocks * per - rows;
        const pp = patches(runner, xs, geometry, blocks * per); // zero rows past `rows`
        const dp = runner.pad(d, [[0, extra], [0, 0]]);
        const a = runner.reshape(pp, [blocks, per, k]);
        const b = runner.reshape(dp, [blocks, per, co]);
        const partial = runner.run("BatchMatMul", { a, b }, {
          transposeA: true,
          transposeB: false,
        }); // [blocks, K, Co]
        return blocks === 1
          ? partial
          : runner.run("Sum", { x: partial }, { axis: [0], keepDims: true });
      }),
    },
    { shape: [kh, kw, ci, co] },
  );
  return product;
}

/** Runs `f` with tfjs-webgpu's matmul program forced to split-K (batch 1, atomic adds). */
function withSplitK(f: () => TensorInfo): TensorInfo {
  const flag = "WEBGPU_MATMUL_PROGRAM_TYPE";
  const before = tf.env().get(flag);
  tf.env().set(flag, 1); // MatMulProgramType.MatMulSplitKProgram
  try {
    return f();
  } finally {
    tf.env().set(flag, before);
  }
}

function webgpuFilterBody(
  runner: KernelRunner,
  inputs: Record<string, TensorInfo>,
  attrs: NamedAttrMap,
): TensorInfo {
  const variant = webgpuVariant;
  if (variant === "stock") return runner.run("Conv2DBackpropFilter", inputs, attrs);
  const dataFormat = attrs.dataFormat as string | undefined;
  const x = toNhwc(runner, inputs.x, dataFormat);
  const dy = toNhwc(runner, inputs.dy, dataFormat);
  const geometry = filterGeometry(x, attrs);
  if (variant === "transposed") return transposedFilter(runner, x, dy, geometry);
  if (variant === "chunked") {
    const per = Math.max(1, Math.floor(webgpuChunkRows / (dy.shape[1] * dy.shape[2])));
    return overBatch(runner, x, dy, per, (xs, dys) => transposedFilter(runner, xs, dys, geometry));
  }
  return im2colFilter(runner, x, dy, geometry, variant);
}

/**
 * `Conv2DBackpropInput` as a stride-1 forward convolution of the zero-dilated output
 * gradient with the spatially flipped, in/out-swapped filter.
 */
function conv2DBackpropInputBody(
  runner: KernelRunner,
  inputs: Record<string, TensorInfo>,
  attrs: NamedAttrMap,
): TensorInfo {
  const dataFormat = attrs.dataFormat as string | undefined;
  const inputShape = attrs.inputShape as [number, number, number, number];
  const nhwcShape =
    (dataFormat === "NCHW"
      ? [inputShape[0], inputShape[2], inputShape[3], inputShape[1]]
      : inputShape) as [number, number, number, number];
  const dy = toNhwc(runner, inputs.dy, dataFormat);
  const filter = inputs.filter;
  const info = tf.backend_util.computeConv2DInfo(
    nhwcShape,
    filter.shape as [number, number, number, number],
    attrs.strides as [number, number],
    1, // the kernel has no dilations attribute (tfjs's conv2d gradient requires 1)
    attrs.pad as Pad,
    attrs.dimRoundingMode as Rounding,
    false,
    "channelsLast",
  );
  const [n, h, w, ci] = nhwcShape;
  const [, oh, ow, co] = dy.shape;
  const [kh, kw] = [filter.shape[0], filter.shape[1]];
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  const [dh, dw] = [info.dilationHeight, info.dilationWidth];
  const { top, left } = info.padInfo;
  // Zero-dilate dy by the stride: [N,OH,OW,Co] → [N,(OH−1)·sh+1,(OW−1)·sw+1,Co].
  let z = dy;
  if (sh > 1 || sw > 1) {
    const r = runner.reshape(dy, [n, oh, 1, ow, 1, co]);
    const p = runner.pad(r, [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
    const flat = runner.reshape(p, [n, oh * sh, ow * sw, co]);
    z = runner.slice(flat, [0, 0, 0, 0], [n, (oh - 1) * sh + 1, (ow - 1) * sw + 1, co]);
  }
  const zh = z.shape[1];
  const zw = z.shape[2];
  // Padding of z so that a stride-1 convolution gives H×W rows/cols; negative → crop.
  let padTop = (kh - 1) * dh - top;
  let padLeft = (kw - 1) * dw - left;
  let padBottom = h - zh + top;
  let padRight = w - zw + left;
  if (padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0) {
    const cropTop = Math.max(0, -padTop);
    const cropLeft = Math.max(0, -padLeft);
    const cropBottom = Math.max(0, -padBottom);
    const cropRight = Math.max(0, -padRight);
    z = runner.slice(z, [0, cropTop, cropLeft, 0], [
      n,
      zh - cropTop - cropBottom,
      zw - cropLeft - cropRight,
      co,
    ]);
    padTop = Math.max(0, padTop);
    padLeft = Math.max(0, padLeft);
    padBottom = Math.max(0, padBottom);
    padRight = Math.max(0, padRight);
  }
  const flipped = runner.run("Reverse", { x: filter }, { dims: [0, 1] });
  const swapped = runner.transpose(flipped, [0, 1, 3, 2]); // [KH, KW, Co, Ci]
  const dx = runner.run("Conv2D", { x: z, filter: swapped }, {
    strides: [1, 1],
    pad: [[0, 0], [padTop, padBottom], [padLeft, padRight], [0, 0]],
    dataFormat: "NHWC",
    dilations: [dh, dw],
    dimRoundingMode: undefined,
  } as unknown as NamedAttrMap);
  if (dx.shape[1] !== h || dx.shape[2] !== w || dx.shape[3] !== ci) {
    throw new Error(
      `Cannot compute Conv2DBackpropInput as the composite gave shape [${dx.shape}]: expected [${nhwcShape}]`,
    );
  }
  return dataFormat === "NCHW" ? runner.transpose(dx, [0, 3, 1, 2]) : dx;
}

/**
 * `Conv2DBackpropFilter` for `backendName`, built from its `Conv2D` and `Transpose`; on
 * webgpu, the variant chosen by {@linkcode setWebgpuFilterGradient} at each call.
 */
export function conv2DBackpropFilter(backendName: string): KernelFunc {
  return composite(
    backendName === "webgpu" ? webgpuFilterBody : conv2DBackpropFilterBody,
    backendName,
  );
}

/** `Conv2DBackpropInput` for `backendName`, built from its `Conv2D`, `Reverse`, `PadV2`. */
export function conv2DBackpropInput(backendName: string): KernelFunc {
  return composite(conv2DBackpropInputBody, backendName);
}
