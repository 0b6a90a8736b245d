/**
 * `LikenessAdam` for tfjs-webgpu: three elementwise WGSL programs (new m, new v, new value)
 * per weight instead of tfjs's ~12 kernels. tfjs-webgpu under Deno is bound by host work per
 * kernel, not by the GPU (see BENCHMARKS.md), so fewer dispatches is what counts.
 *
 * @module
 */
import type { KernelFunc, TensorInfo } from "@tensorflow/tfjs-core";
import { adamName } from "./_fused_kernels.ts";

type Output = "m" | "v" | "value";

/** tfjs-webgpu's dispatch helpers (`webgpu_util`), given once the package is loaded. */
export interface WebgpuUtil {
  flatDispatchLayout(shape: number[]): { x: number[] };
  computeDispatch(
    layout: { x: number[] },
    outputShape: number[],
    workgroupSize: [number, number, number],
  ): [number, number, number];
}

let util: WebgpuUtil | undefined;

/** Hands over tfjs-webgpu's `webgpu_util` (loaded on demand, only when webgpu is used). */
export function setWebgpuUtil(webgpuUtil: unknown): void {
  util = webgpuUtil as WebgpuUtil;
}

/** tfjs-webgpu's `webgpu_util`, or an error naming `kernel` when webgpu is not loaded yet. */
export function webgpuUtil(kernel: string): WebgpuUtil {
  if (util === undefined) throw new Error(`Cannot run ${kernel} before webgpu is loaded`);
  return util;
}

/** The part of tfjs-webgpu's backend this kernel uses. */
interface WebgpuBackendLike {
  runWebGPUProgram(
    program: unknown,
    inputs: TensorInfo[],
    dtype: "float32",
    uniforms: { type: "float32"; data: number[] }[],
  ): TensorInfo;
}

/**
 * m' = β₁m + (1−β₁)g, v' = β₂v + (1−β₂)g², value' = value − a·m'/(√v'·s + ε). Each program
 * binds only the inputs its shader reads (WebGPU's automatic layout drops unused bindings).
 */
const programs: Record<Output, { inputs: string[]; code: string }> = {
  m: {
    inputs: ["M", "G"],
    code: "uniforms.b1 * getMByOutputIndex(index) + (1.0 - uniforms.b1) * getGByOutputIndex(index)",
  },
  v: {
    inputs: ["V", "G"],
    code: "uniforms.b2 * getVByOutputIndex(index) + (1.0 - uniforms.b2) * g * g",
  },
  value: {
    inputs: ["P", "M", "V", "G"],
    code: "getPByOutputIndex(index) - (uniforms.a * m1) / (sqrt(v1) * uniforms.s + uniforms.eps)",
  },
};

class AdamProgram {
  readonly variableNames: string[];
  readonly uniforms = "b1 : f32, b2 : f32, a : f32, s : f32, eps : f32,";
  readonly workgroupSize: [number, number, number] = [64, 1, 1];
  readonly size = true;
  readonly outputShape: number[];
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  readonly shaderKey: string;

  constructor(shape: readonly number[], readonly output: Output) {
    if (util === undefined) throw new Error(`Cannot run ${adamName} before webgpu is loaded`);
    this.variableNames = programs[output].inputs;
    this.outputShape = [...shape];
    this.dispatchLayout = util.flatDispatchLayout(this.outputShape);
    this.dispatch = util.computeDispatch(
      this.dispatchLayout,
      this.outputShape,
      this.workgroupSize,
    );
    this.shaderKey = `likeness_adam_${output}`;
  }

  getUserCode(): string {
    const value = this.output === "value"
      ? `let g = getGByOutputIndex(index);
          let m1 = uniforms.b1 * getMByOutputIndex(index) + (1.0 - uniforms.b1) * g;
          let v1 = uniforms.b2 * getVByOutputIndex(index) + (1.0 - uniforms.b2) * g * g;`
      : this.output === "v"
      ? "let g = getGByOutputIndex(index);"
      : "";
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          ${value}
          setOutputAtIndex(index, ${programs[this.output].code});
        }
      }
    `;
  }
}

/** `LikenessAdam` on webgpu (same contract as the heap kernel in `_fused_kernels.ts`). */
export const adamWebgpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const { value, m, v, gradient } = inputs as Record<string, TensorInfo>;
  for (const [name, t] of Object.entries({ value, m, v, gradient })) {
    if (t === undefined || t.dtype !== "float32") {
      throw new Error(
        `Cannot run ${adamName} as ${name} must be a float32 tensor: current dtype is ${t?.dtype}`,
      );
    }
  }
  const { learningRate, beta1, beta2, epsilon, step } = attrs as Record<string, number>;
  const uniforms = [
    beta1,
    beta2,
    learningRate / (1 - beta1 ** step),
    1 / Math.sqrt(1 - beta2 ** step),
    epsilon,
  ].map((x) => ({ type: "float32" as const, data: [x] }));
  const gpu = backend as unknown as WebgpuBackendLike;
  const byName: Record<string, TensorInfo> = { P: value, M: m, V: v, G: gradient };
  return (["value", "m", "v"] as const).map((output) => {
    const program = new AdamProgram(value.shape, output);
    const bound = program.variableNames.map((name) => byName[name]);
    return gpu.runWebGPUProgram(program, bound, "float32", uniforms);
  });
};
