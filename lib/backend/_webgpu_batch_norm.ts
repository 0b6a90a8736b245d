/**
 * `LikenessBatchNormTrain` and `LikenessBatchNormTrainGrad` for tfjs-webgpu: per-channel
 * sums by the stock `Sum` kernel, every elementwise pass one WGSL program.
 *
 * Why: without them the batch-norm layer falls back to `tf.moments` + `tf.batchNorm`, and
 * tfjs's gradient of `Mean` multiplies by `ones(x.shape)` — an array of the activation's size
 * filled in JavaScript and uploaded to the GPU, twice per layer and step. That host work grows
 * with the batch and was the largest host cost of a webgpu training step after the driver's
 * `submit` (see `bench/webgpu_host.ts`).
 *
 * Same contracts as the heap kernels in `_fused_kernels.ts` (statistics per channel of the
 * last axis, biased variance, the full gradient through the batch statistics).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { KernelBackend, KernelFunc, TensorInfo } from "@tensorflow/tfjs-core";
import { batchNormTrainGradName, batchNormTrainName } from "./_fused_kernels.ts";
import { webgpuUtil } from "./_webgpu_adam.ts";

/** The part of tfjs-webgpu's backend these kernels use. */
interface WebgpuBackendLike {
  runWebGPUProgram(
    program: unknown,
    inputs: TensorInfo[],
    dtype: "float32",
    uniforms: { type: "float32" | "int32"; data: number[] }[],
  ): TensorInfo;
  makeTensorInfo(shape: number[], dtype: "float32", values: Float32Array): TensorInfo;
  disposeData(dataId: object): void;
}

/** What each elementwise program computes, from the inputs it names. */
const bodies = {
  /** (x − μ)² */
  centeredSquare: {
    inputs: ["X", "Mean"],
    code: "let d = getXByOutputIndex(index) - getMeanByOutputIndex(index); let r = d * d;",
  },
  /** dy·(x − μ) */
  centeredProduct: {
    inputs: ["X", "Mean", "Dy"],
    code: "let r = getDyByOutputIndex(index) * " +
      "(getXByOutputIndex(index) - getMeanByOutputIndex(index));",
  },
  /** s·k (k a uniform) */
  scaled: { inputs: ["S"], code: "let r = getSByOutputIndex(index) * uniforms.k;" },
  /** γ(x − μ)/√(σ²+ε) + β */
  normalise: {
    inputs: ["X", "Mean", "Variance", "Scale", "Offset"],
    code: "let r = (getXByOutputIndex(index) - getMeanByOutputIndex(index)) * " +
      "getScaleByOutputIndex(index) * inverseSqrt(getVarianceByOutputIndex(index) + uniforms.eps)" +
      " + getOffsetByOutputIndex(index);",
  },
  /** Σdy·(x−μ)/√(σ²+ε) */
  dScale: {
    inputs: ["Sgx", "Variance"],
    code: "let r = getSgxByOutputIndex(index) * " +
      "inverseSqrt(getVarianceByOutputIndex(index) + uniforms.eps);",
  },
  /** γa·(dy − Σdy/N − (x−μ)·a·Σdy(x−μ)·a/N), a = 1/√(σ²+ε) */
  dx: {
    inputs: ["Dy", "X", "Mean", "Variance", "Scale", "Sg", "Sgx"],
    code: `let a = inverseSqrt(getVarianceByOutputIndex(index) + uniforms.eps);
          let xh = (getXByOutputIndex(index) - getMeanByOutputIndex(index)) * a;
          let r = getScaleByOutputIndex(index) * a * (getDyByOutputIndex(index)
            - getSgByOutputIndex(index) * uniforms.k
            - xh * getSgxByOutputIndex(index) * a * uniforms.k);`,
  },
} as const;

type Body = keyof typeof bodies;

/** One elementwise WGSL program over `shape` (uniforms: `k`, `eps`). */
class ElementwiseProgram {
  readonly variableNames: string[];
  readonly uniforms = "k : f32, eps : f32,";
  readonly workgroupSize: [number, number, number] = [64, 1, 1];
  readonly size = true;
  readonly outputShape: number[];
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  readonly shaderKey: string;

  constructor(shape: readonly number[], readonly body: Body) {
    const util = webgpuUtil(batchNormTrainName);
    this.variableNames = [...bodies[body].inputs];
    this.outputShape = [...shape];
    this.dispatchLayout = util.flatDispatchLayout(this.outputShape);
    this.dispatch = util.computeDispatch(
      this.dispatchLayout,
      this.outputShape,
      this.workgroupSize,
    );
    this.shaderKey = `likeness_bn_${body}`;
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          ${bodies[this.body].code}
          setOutputAtIndex(index, r);
        }
      }
    `;
  }
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

const elements = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Runs programs and stock kernels, freeing every intermediate at the end. */
class Scope {
  private readonly temporaries: TensorInfo[] = [];
  constructor(readonly backend: WebgpuBackendLike, readonly eps: number) {}

  program(body: Body, shape: readonly number[], inputs: TensorInfo[], k = 0, keep = false) {
    const out = this.backend.runWebGPUProgram(
      new ElementwiseProgram(shape, body),
      inputs,
      "float32",
      [{ type: "float32", data: [k] }, { type: "float32", data: [this.eps] }],
    );
    if (!keep) this.temporaries.push(out);
    return out;
  }

  /** Per-channel sums of `t` (any rank, channels last) → [c]. */
  channelSums(t: TensorInfo): TensorInfo {
    const c = t.shape[t.shape.length - 1];
    const reshape = tf.getKernel("Reshape", "webgpu")!.kernelFunc;
    const sum = tf.getKernel("Sum", "webgpu")!.kernelFunc;
    const backend = this.backend as unknown as KernelBackend;
    const flat = reshape({
      inputs: { x: t },
      attrs: { shape: [elements(t.shape) / c, c] },
      backend,
    }) as TensorInfo;
    this.temporaries.push(flat);
    const s = sum({ inputs: { x: flat }, attrs: { axis: [0], keepDims: false }, backend });
    this.temporaries.push(s as TensorInfo);
    return s as TensorInfo;
  }

  zeros(shape: number[], keep = false): TensorInfo {
    const out = this.backend.makeTensorInfo(shape, "float32", new Float32Array(elements(shape)));
    if (!keep) this.temporaries.push(out);
    return out;
  }

  dispose(): void {
    for (const t of this.temporaries) this.backend.disposeData(t.dataId);
    this.temporaries.length = 0;
  }
}

/** `LikenessBatchNormTrain` on webgpu: `[y, mean, variance]`, two passes for the variance. */
export const batchNormTrainWebgpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, scale, offset } = inputs as Record<string, TensorInfo>;
  checkFloat(batchNormTrainName, { x, scale, offset });
  const epsilon = (attrs?.epsilon as number | undefined) ?? 1e-3;
  const scope = new Scope(backend as unknown as WebgpuBackendLike, epsilon);
  const c = x.shape[x.shape.length - 1];
  const rows = elements(x.shape) / c;
  try {
    if (rows === 0) {
      // An empty batch: mean and variance 0, as tf.moments on the cpu backend gives.
      return [scope.zeros([...x.shape], true), scope.zeros([c], true), scope.zeros([c], true)];
    }
    const mean = scope.program("scaled", [c], [scope.channelSums(x)], 1 / rows, true);
    const squares = scope.program("centeredSquare", x.shape, [x, mean]);
    const variance = scope.program("scaled", [c], [scope.channelSums(squares)], 1 / rows, true);
    const y = scope.program("normalise", x.shape, [x, mean, variance, scale, offset], 0, true);
    return [y, mean, variance];
  } finally {
    scope.dispose();
  }
};

/**
 * `LikenessBatchNormTrainGrad` on webgpu. With `a = 1/√(σ²+ε)`, `x̂ = (x−μ)·a`:
 * `dOffset = Σdy`, `dScale = Σdy·x̂`, `dx = γ·a·(dy − dOffset/N − x̂·dScale/N)`.
 */
export const batchNormTrainGradWebgpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, x, scale, mean, variance } = inputs as Record<string, TensorInfo>;
  checkFloat(batchNormTrainGradName, { dy, x, scale, mean, variance });
  const epsilon = (attrs?.epsilon as number | undefined) ?? 1e-3;
  const scope = new Scope(backend as unknown as WebgpuBackendLike, epsilon);
  const c = x.shape[x.shape.length - 1];
  const rows = elements(x.shape) / c;
  try {
    if (rows === 0) {
      return [scope.zeros([...x.shape], true), scope.zeros([c], true), scope.zeros([c], true)];
    }
    const sg = scope.channelSums(dy);
    const sgx = scope.channelSums(scope.program("centeredProduct", x.shape, [x, mean, dy]));
    const dx = scope.program(
      "dx",
      x.shape,
      [dy, x, mean, variance, scale, sg, sgx],
      1 / rows,
      true,
    );
    const dScale = scope.program("dScale", [c], [sgx, variance], 0, true);
    const dOffset = scope.program("scaled", [c], [sg], 1, true);
    return [dx, dScale, dOffset];
  } finally {
    scope.dispose();
  }
};
