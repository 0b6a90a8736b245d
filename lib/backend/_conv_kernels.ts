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

type Pad = Parameters<typeof tf.backend_util.computeConv2DInfo>[4];
type Rounding = "floor" | "round" | "ceil" | undefined;

function toNhwc(runner: KernelRunner, t: TensorInfo, dataFormat: unknown): TensorInfo {
  return dataFormat === "NCHW" ? runner.transpose(t, [0, 2, 3, 1]) : t;
}

/**
 * `Conv2DBackpropFilter` as one forward convolution of transposed tensors: batch and
 * channels swap roles, the output gradient is the filter, and the forward stride becomes
 * the dilation.
 */
function conv2DBackpropFilterBody(
  runner: KernelRunner,
  inputs: Record<string, TensorInfo>,
  attrs: NamedAttrMap,
): TensorInfo {
  const dataFormat = attrs.dataFormat as string | undefined;
  const filterShape = attrs.filterShape as [number, number, number, number];
  const x = toNhwc(runner, inputs.x, dataFormat);
  const dy = toNhwc(runner, inputs.dy, dataFormat);
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

/** `Conv2DBackpropFilter` for `backendName`, built from its `Conv2D` and `Transpose`. */
export function conv2DBackpropFilter(backendName: string): KernelFunc {
  return composite(conv2DBackpropFilterBody, backendName);
}

/** `Conv2DBackpropInput` for `backendName`, built from its `Conv2D`, `Reverse`, `PadV2`. */
export function conv2DBackpropInput(backendName: string): KernelFunc {
  return composite(conv2DBackpropInputBody, backendName);
}
