/**
 * `MaxPoolGrad` for non-overlapping windows, built from `ArgMax`, `OneHot` and a
 * broadcasting `Multiply`. wasm's stock kernel is a naive loop, and wrong when "same"
 * padding adds a bottom/right row (e.g. 2×2 pooling of 7×7: max abs error 1.36 vs cpu).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { KernelFunc, NamedAttrMap, TensorInfo } from "@tensorflow/tfjs-core";
import { composite, type KernelRunner } from "./_composite.ts";

type Pad = Parameters<typeof tf.backend_util.computePool2DInfo>[4];

/**
 * The gradient goes to the first maximum of each window in row-major order, as in the
 * `cpu` backend, so ties (common after relu) are resolved identically.
 */
function maxPoolGradBody(
  runner: KernelRunner,
  inputs: Record<string, TensorInfo>,
  attrs: NamedAttrMap,
): TensorInfo {
  const { dy, input } = inputs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize as [number, number],
    attrs.strides as [number, number],
    1,
    attrs.pad as Pad,
    attrs.dimRoundingMode as "floor" | "round" | "ceil" | undefined,
  );
  const [n, h, w, c] = input.shape;
  const { outHeight: oh, outWidth: ow, filterHeight: ph, filterWidth: pw } = info;
  const { top, left } = info.padInfo;
  // The windows cover rows [−top, OH·ph − top): crop what none reaches, pad with −∞ what
  // lies outside the input (padding never wins a window).
  const keepH = Math.min(h, oh * ph - top);
  const keepW = Math.min(w, ow * pw - left);
  const kept = keepH === h && keepW === w
    ? input
    : runner.slice(input, [0, 0, 0, 0], [n, keepH, keepW, c]);
  const cropped = top === 0 && left === 0 && keepH + top === oh * ph && keepW + left === ow * pw
    ? kept
    : runner.run("PadV2", { x: kept }, {
      paddings: [[0, 0], [top, oh * ph - top - keepH], [left, ow * pw - left - keepW], [0, 0]],
      constantValue: -Infinity,
    });
  const windows = runner.transpose(
    runner.reshape(cropped, [n, oh, ph, ow, pw, c]),
    [0, 1, 3, 5, 2, 4],
  ); // [N, OH, OW, C, ph, pw]
  const m = n * oh * ow * c;
  const first = runner.run("ArgMax", { x: runner.reshape(windows, [m, ph * pw]) }, { axis: [1] });
  // wasm's OneHot writes int32 whatever dtype is asked for: ask for int32, then cast.
  const hot = runner.run("OneHot", { indices: first }, {
    depth: ph * pw,
    onValue: 1,
    offValue: 0,
    dtype: "int32",
  });
  const mask = runner.run("Cast", { x: hot }, { dtype: "float32" }); // [M, ph·pw]
  const spread = runner.run("Multiply", { a: mask, b: runner.reshape(dy, [m, 1]) });
  const back = runner.transpose(
    runner.reshape(spread, [n, oh, ow, c, ph, pw]),
    [0, 1, 4, 2, 5, 3],
  ); // [N, OH, ph, OW, pw, C]
  const grid = runner.reshape(back, [n, oh * ph, ow * pw, c]);
  const dx = top === 0 && left === 0 && keepH === oh * ph && keepW === ow * pw
    ? grid
    : runner.slice(grid, [0, top, left, 0], [n, keepH, keepW, c]);
  return runner.pad(dx, [[0, 0], [0, h - keepH], [0, w - keepW], [0, 0]]);
}

/**
 * Any window/stride: the K = ph·pw strided views of the −∞-padded input are stacked,
 * the first maximum of each window picked, and each view's share of the gradient is
 * placed back by zero-dilation and padding, then summed. Slower than the non-overlapping
 * path, but correct where wasm's stock kernel is not (overlapping windows with "same"
 * padding below/right: max abs error 0.99 vs cpu for 2×2, stride 1 on 4×4).
 */
function maxPoolGradGeneralBody(
  runner: KernelRunner,
  inputs: Record<string, TensorInfo>,
  attrs: NamedAttrMap,
): TensorInfo {
  const { dy, input } = inputs;
  const info = poolInfo(input, attrs);
  const [n, h, w, c] = input.shape;
  const { outHeight: oh, outWidth: ow, filterHeight: ph, filterWidth: pw } = info;
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  const { top, left } = info.padInfo;
  const hp = (oh - 1) * sh + ph;
  const wp = (ow - 1) * sw + pw;
  const keepH = Math.min(h, hp - top);
  const keepW = Math.min(w, wp - left);
  const kept = keepH === h && keepW === w
    ? input
    : runner.slice(input, [0, 0, 0, 0], [n, keepH, keepW, c]);
  const padded = runner.run("PadV2", { x: kept }, {
    paddings: [[0, 0], [top, hp - top - keepH], [left, wp - left - keepW], [0, 0]],
    constantValue: -Infinity,
  });
  const m = n * oh * ow * c;
  const views: TensorInfo[] = [];
  for (let i = 0; i < ph; i++) {
    for (let j = 0; j < pw; j++) {
      const view = sh === 1 && sw === 1
        ? runner.slice(padded, [0, i, j, 0], [n, oh, ow, c])
        : runner.run("StridedSlice", { x: padded }, {
          begin: [0, i, j, 0],
          end: [n, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1, c],
          strides: [1, sh, sw, 1],
          beginMask: 0,
          endMask: 0,
          ellipsisMask: 0,
          newAxisMask: 0,
          shrinkAxisMask: 0,
        });
      views.push(runner.reshape(view, [m, 1]));
    }
  }
  const k = ph * pw;
  const stacked = k === 1
    ? views[0]
    : runner.run("Concat", views as unknown as Record<string, TensorInfo>, { axis: 1 });
  const first = runner.run("ArgMax", { x: stacked }, { axis: [1] });
  const hot = runner.run("OneHot", { indices: first }, {
    depth: k,
    onValue: 1,
    offValue: 0,
    dtype: "int32",
  });
  const mask = runner.run("Cast", { x: hot }, { dtype: "float32" });
  const shares = runner.transpose(
    runner.run("Multiply", { a: mask, b: runner.reshape(dy, [m, 1]) }),
    [1, 0],
  );
  const placed: TensorInfo[] = [];
  const zh = (oh - 1) * sh + 1;
  const zw = (ow - 1) * sw + 1;
  for (let i = 0; i < ph; i++) {
    for (let j = 0; j < pw; j++) {
      const share = runner.reshape(runner.slice(shares, [i * pw + j, 0], [1, m]), [n, oh, ow, c]);
      let z = share;
      if (sh > 1 || sw > 1) {
        const r = runner.reshape(share, [n, oh, 1, ow, 1, c]);
        const p = runner.pad(r, [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
        z = runner.slice(runner.reshape(p, [n, oh * sh, ow * sw, c]), [0, 0, 0, 0], [n, zh, zw, c]);
      }
      placed.push(runner.pad(z, [[0, 0], [i, hp - i - zh], [j, wp - j - zw], [0, 0]]));
    }
  }
  const grid = placed.length === 1
    ? placed[0]
    : runner.run("AddN", placed as unknown as Record<string, TensorInfo>);
  const dx = runner.slice(grid, [0, top, left, 0], [n, keepH, keepW, c]);
  return runner.pad(dx, [[0, 0], [0, h - keepH], [0, w - keepW], [0, 0]]);
}

function poolInfo(input: TensorInfo, attrs: NamedAttrMap) {
  return tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize as [number, number],
    attrs.strides as [number, number],
    1,
    attrs.pad as Pad,
    attrs.dimRoundingMode as "floor" | "round" | "ceil" | undefined,
  );
}

/** Whether the fast composite applies: windows do not overlap (window size equals stride). */
function nonOverlapping(input: TensorInfo, attrs: NamedAttrMap): boolean {
  const info = poolInfo(input, attrs);
  return info.filterHeight === info.strideHeight && info.filterWidth === info.strideWidth;
}

/**
 * `MaxPoolGrad` for `backendName`: a fast composite for non-overlapping windows, a general
 * one otherwise (float32 NHWC; the stock kernel for anything else).
 */
export function maxPoolGrad(backendName: string): KernelFunc {
  const fast = composite(maxPoolGradBody, backendName);
  const general = composite(maxPoolGradGeneralBody, backendName);
  const stock = composite((r, i, a) => r.run("MaxPoolGrad", i, a), backendName);
  return (args) => {
    const input = (args.inputs as Record<string, TensorInfo>).input;
    if (input.dtype !== "float32" || input.shape.length !== 4) return stock(args);
    return nonOverlapping(input, args.attrs ?? {}) ? fast(args) : general(args);
  };
}
