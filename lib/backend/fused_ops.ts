/**
 * Ops on likeness's fused training kernels, for likeness's own layers and optimiser. The
 * kernels exist only where {@linkcode useBackend} (or `registerNative`) registered them
 * (`wasm`, `native`; batch norm and Adam also on `webgpu`): elsewhere `fusedRelu` is exactly `tf.relu` and
 * the others return `undefined` so that the caller runs the stock code. They run under
 * likeness's own kernel names, so their gradients never change `tf.relu`'s or
 * `tf.batchNorm`'s for anyone else.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Tensor, Tensor1D } from "../types.ts";
import {
  adamName,
  batchNormTrainGradName,
  batchNormTrainName,
  reluName,
} from "./_fused_kernels.ts";

const hasKernel = (name: string) => tf.getKernel(name, tf.getBackend()) !== undefined;

const shown = (t: unknown) =>
  t instanceof tf.Tensor ? `a ${t.dtype} tensor of shape [${t.shape}]` : String(t);

function checkTensor(op: string, name: string, t: unknown): asserts t is Tensor {
  if (!(t instanceof tf.Tensor) || t.isDisposed) {
    throw new Error(
      `Cannot run ${op} as ${name} must be a tensor that is not disposed: current value is ${
        t instanceof tf.Tensor ? "a disposed tensor" : shown(t)
      }`,
    );
  }
}

/**
 * The smallest `epsilon` of {@linkcode fusedBatchNormTrain}: below it, a constant channel's
 * `1/√(0 + ε)` overflows float32 and the result would be NaN.
 */
const MIN_EPSILON = 1e-12;

function checkNumber(op: string, name: string, v: unknown, ok: (v: number) => boolean): void {
  if (typeof v !== "number" || !Number.isFinite(v) || !ok(v)) {
    throw new Error(`Cannot run ${op} as ${name} is out of range: current value is ${String(v)}`);
  }
}

/**
 * ReLU whose gradient is one fused kernel on backends that have it (`wasm`, `native` after
 * {@linkcode useBackend}); elsewhere exactly `tf.relu`. Same forward values as `tf.relu`
 * (the backend's own `Relu` kernel); the gradient is `dy` where `x > 0`, else 0.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fusedRelu, useBackend } from "./mod.ts";
 * for (const backend of ["cpu", "wasm"] as const) {
 *   await useBackend(backend);
 *   const x = tf.tensor1d([-2, 0, 3]);
 *   const y = fusedRelu(x);
 *   const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(fusedRelu(a), 2)))(x);
 *   if (y.dataSync().join() !== "0,0,3") throw new Error(`${backend}: ${y.dataSync()}`);
 *   if (dx.dataSync().join() !== "0,0,2") throw new Error(`${backend}: ${dx.dataSync()}`);
 *   tf.dispose([x, y, dx]);
 * }
 * ```
 */
export function fusedRelu<T extends Tensor>(x: T): T {
  checkTensor("fusedRelu", "x", x);
  if (!hasKernel(reluName)) return tf.relu(x);
  return tf.engine().runKernel(reluName, { x }) as T;
}

/** What {@linkcode fusedBatchNormTrain} returns. */
export interface BatchNormTrainResult {
  /** The normalised `x`: `(x − mean)/√(variance + ε)·scale + offset`. */
  readonly y: Tensor;
  /** The batch's mean per channel (last axis). */
  readonly mean: Tensor1D;
  /** The batch's biased variance per channel (÷ N, as `tf.moments`). */
  readonly variance: Tensor1D;
}

/**
 * Batch normalisation with the batch's own statistics per channel of the last axis, forward
 * and backward each in one kernel, where the backend has them (`wasm`, `native`, `webgpu`
 * after {@linkcode useBackend}) and `x`, `scale`, `offset` are float32; otherwise `undefined`
 * (compute with `tf.moments` and `tf.batchNorm` instead). Throws, naming the argument, when
 * `x` has rank < 2, `scale` or `offset` is not of shape `[channels]`, or `epsilon` is not a
 * finite number ≥ 1e-12 (smaller ones overflow float32 on a constant channel). Gradients
 * flow to `x`, `scale` and `offset`; `mean` and `variance` are constants for autodiff.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fusedBatchNormTrain, useBackend } from "./mod.ts";
 * await useBackend("cpu");
 * const x = tf.tensor2d([[1, 10], [3, 30]]);
 * const [scale, offset] = [tf.ones([2]), tf.zeros([2])];
 * if (fusedBatchNormTrain(x, scale, offset, 1e-3) !== undefined) throw new Error("cpu has none");
 * await useBackend("wasm");
 * const r = fusedBatchNormTrain(x, scale, offset, 1e-12)!;
 * // each column normalised by its own mean and variance: ±1
 * if (r.y.dataSync().join() !== "-1,-1,1,1") throw new Error(`${r.y.dataSync()}`);
 * if (r.mean.dataSync().join() !== "2,20" || r.variance.dataSync().join() !== "1,100") {
 *   throw new Error(`${r.mean.dataSync()} ${r.variance.dataSync()}`);
 * }
 * tf.dispose([x, scale, offset, r.y, r.mean, r.variance]);
 * ```
 */
export function fusedBatchNormTrain(
  x: Tensor,
  scale: Tensor,
  offset: Tensor,
  epsilon: number,
): BatchNormTrainResult | undefined {
  const op = "fusedBatchNormTrain";
  checkTensor(op, "x", x);
  checkTensor(op, "scale", scale);
  checkTensor(op, "offset", offset);
  checkNumber(op, "epsilon", epsilon, (e) => e >= MIN_EPSILON);
  if (x.rank < 2) {
    throw new Error(`Cannot run ${op} as x must have rank 2 or more: current value is ${shown(x)}`);
  }
  const c = x.shape[x.rank - 1];
  for (const [name, t] of [["scale", scale], ["offset", offset]] as const) {
    if (t.rank !== 1 || t.shape[0] !== c) {
      throw new Error(
        `Cannot run ${op} as ${name} must have shape [${c}] (x's channels): current value is ${
          shown(t)
        }`,
      );
    }
  }
  const fits = [x, scale, offset].every((t) => t.dtype === "float32") &&
    hasKernel(batchNormTrainName) && hasKernel(batchNormTrainGradName);
  if (!fits) return undefined;
  const [y, mean, variance] = tf.engine().runKernel(
    batchNormTrainName,
    { x, scale, offset },
    { epsilon },
  ) as Tensor[];
  return { y, mean: mean as Tensor1D, variance: variance as Tensor1D };
}

/** Adam's hyperparameters and step for {@linkcode fusedAdamUpdate}. */
export interface AdamStep {
  /** The learning rate. */
  readonly learningRate: number;
  /** Decay of the first moment (tfjs's default 0.9). */
  readonly beta1: number;
  /** Decay of the second moment (tfjs's default 0.999). */
  readonly beta2: number;
  /** Added to the second moment's root. */
  readonly epsilon: number;
  /** The update's number, 1 for the first. */
  readonly step: number;
}

/**
 * One Adam update of a weight in one kernel where the backend has it (`wasm`, `native`,
 * `webgpu` after {@linkcode useBackend}): returns the new `[value, m, v]` (as tfjs's
 * `AdamOptimizer` computes them), or `undefined` where the kernel is missing. Throws, naming
 * the argument, when `m`, `v` or `gradient` is not float32 of `value`'s shape, or a field of
 * `step` is out of range (β in [0, 1), ε ≥ 0, `step` an integer ≥ 1, all finite).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fusedAdamUpdate, useBackend } from "./mod.ts";
 * await useBackend("wasm");
 * const [value, m, v, g] = [tf.tensor1d([1]), tf.zeros([1]), tf.zeros([1]), tf.tensor1d([2])];
 * const step = { learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, step: 1 };
 * const out = fusedAdamUpdate(value, m, v, g, step)!;
 * // the first Adam step moves by the learning rate, against the gradient's sign
 * if (Math.abs(out[0].dataSync()[0] - 0.9) > 1e-6) throw new Error(`${out[0].dataSync()}`);
 * tf.dispose([value, m, v, g, ...out]);
 * ```
 */
export function fusedAdamUpdate(
  value: Tensor,
  m: Tensor,
  v: Tensor,
  gradient: Tensor,
  step: AdamStep,
): [Tensor, Tensor, Tensor] | undefined {
  const op = "fusedAdamUpdate";
  const tensors = { value, m, v, gradient };
  for (const [name, t] of Object.entries(tensors)) {
    checkTensor(op, name, t);
    if (t.dtype !== "float32" || t.shape.join() !== value.shape.join()) {
      throw new Error(
        `Cannot run ${op} as ${name} must be float32 of value's shape [${value.shape}]: current value is ${
          shown(t)
        }`,
      );
    }
  }
  checkNumber(op, "step.learningRate", step?.learningRate, () => true);
  checkNumber(op, "step.beta1", step?.beta1, (b) => b >= 0 && b < 1);
  checkNumber(op, "step.beta2", step?.beta2, (b) => b >= 0 && b < 1);
  checkNumber(op, "step.epsilon", step?.epsilon, (e) => e >= 0);
  checkNumber(op, "step.step", step?.step, (t) => Number.isSafeInteger(t) && t >= 1);
  if (!hasKernel(adamName)) return undefined;
  return tf.engine().runKernel(adamName, { value, m, v, gradient }, { ...step }) as [
    Tensor,
    Tensor,
    Tensor,
  ];
}

/**
 * Whether the active backend has likeness's fused Adam kernel (see {@linkcode fusedAdamUpdate}).
 *
 * @example
 * ```ts
 * import { hasFusedAdam, useBackend } from "./mod.ts";
 * await useBackend("cpu");
 * if (hasFusedAdam()) throw new Error("cpu has no fused Adam");
 * await useBackend("wasm");
 * if (!hasFusedAdam()) throw new Error("wasm has it");
 * ```
 */
export function hasFusedAdam(): boolean {
  return hasKernel(adamName);
}
