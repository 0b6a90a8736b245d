/**
 * The patches matrix of a convolution's input in one WGSL program, for the webgpu filter
 * gradient (`im2col`, `splitk`, `batched`): replaces a `PadV2`, KH·KW `Slice`s and a `Concat`
 * (11 dispatches for a 3×3 filter) per convolution and step, and can add zero rows at the end
 * (the `batched` variant's block padding, one `PadV2` fewer). tfjs-webgpu's host cost is per
 * dispatch, so fewer dispatches is what counts.
 *
 * @module
 */
import type { TensorInfo } from "@tensorflow/tfjs-core";
import { webgpuUtil } from "./_webgpu_adam.ts";

/** Where the patches come from: the convolution's geometry. */
export interface Im2colGeometry {
  readonly kh: number;
  readonly kw: number;
  readonly oh: number;
  readonly ow: number;
  readonly sh: number;
  readonly sw: number;
  readonly dh: number;
  readonly dw: number;
  readonly top: number;
  readonly left: number;
}

/** The part of tfjs-webgpu's backend this program needs. */
interface WebgpuBackendLike {
  runWebGPUProgram(
    program: unknown,
    inputs: TensorInfo[],
    dtype: "float32",
    uniforms: { type: "int32"; data: number[] }[],
  ): TensorInfo;
}

const fields = ["ci", "kw", "oh", "ow", "sh", "sw", "dh", "dw", "top", "left", "h", "w", "rows"];

class Im2colProgram {
  readonly variableNames = ["X"];
  readonly uniforms = fields.map((f) => `${f} : i32,`).join(" ");
  readonly workgroupSize: [number, number, number] = [64, 1, 1];
  readonly size = true;
  readonly outputShape: number[];
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  readonly shaderKey = "likeness_im2col";

  constructor(rows: number, k: number) {
    const util = webgpuUtil("the webgpu im2col program");
    this.outputShape = [rows, k];
    this.dispatchLayout = util.flatDispatchLayout(this.outputShape);
    this.dispatch = util.computeDispatch(
      this.dispatchLayout,
      this.outputShape,
      this.workgroupSize,
    );
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let k = uniforms.outShape[1];
          let row = index / k;
          let col = index - row * k;
          var value = 0.0;
          if (row < uniforms.rows) {
            let tap = col / uniforms.ci;
            let c = col - tap * uniforms.ci;
            let i = tap / uniforms.kw;
            let j = tap - i * uniforms.kw;
            let perImage = uniforms.oh * uniforms.ow;
            let b = row / perImage;
            let r = row - b * perImage;
            let y = r / uniforms.ow;
            let x = r - y * uniforms.ow;
            let iy = y * uniforms.sh + i * uniforms.dh - uniforms.top;
            let ix = x * uniforms.sw + j * uniforms.dw - uniforms.left;
            if (iy >= 0 && iy < uniforms.h && ix >= 0 && ix < uniforms.w) {
              value = getX(b, iy, ix, c);
            }
          }
          setOutputAtIndex(index, value);
        }
      }
    `;
  }
}

/**
 * Patches of `x` (NHWC) as [`outRows`, KH·KW·Ci]: row (n·OH + oy)·OW + ox, column
 * (kh·KW + kw)·Ci + ci, zero outside `x` (the convolution's padding) and in rows past
 * N·OH·OW (`outRows` may exceed it).
 */
export function im2colWebgpu(
  backend: unknown,
  x: TensorInfo,
  g: Im2colGeometry,
  outRows: number,
): TensorInfo {
  const [n, h, w, ci] = x.shape;
  const rows = n * g.oh * g.ow;
  if (outRows < rows) {
    throw new Error(`Cannot build patches as outRows must be at least ${rows}: got ${outRows}`);
  }
  const values: Record<string, number> = { ...g, ci, h, w, rows };
  return (backend as WebgpuBackendLike).runWebGPUProgram(
    new Im2colProgram(outRows, g.kh * g.kw * ci),
    [x],
    "float32",
    fields.map((f) => ({ type: "int32" as const, data: [values[f]] })),
  );
}
