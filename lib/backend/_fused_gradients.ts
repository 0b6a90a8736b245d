/**
 * Gradients of likeness's own fused kernels, registered (once) by `useBackend` and
 * `registerNative` together with the kernels. Only likeness-named kernels get a gradient
 * here: tfjs's own gradients (`Relu`, `FusedBatchNorm`, …) are never replaced, so a user's
 * model computes exactly as it does without likeness.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { GradFunc, NamedAttrMap } from "@tensorflow/tfjs-core";
import {
  batchNormTrainGradName,
  batchNormTrainName,
  reluGradName,
  reluName,
} from "./_fused_kernels.ts";

const hasKernel = (name: string) => tf.getKernel(name, tf.getBackend()) !== undefined;

/**
 * The gradient of `LikenessBatchNormTrain` with respect to x, scale and offset. The batch
 * statistics it also outputs are treated as constants (they feed only the moving averages).
 */
const batchNormTrainGrad: GradFunc = (dys, saved, attrs) => {
  const dy = Array.isArray(dys) ? dys[0] : dys;
  const [x, scale, mean, variance] = saved;
  // Computed now, not in the per-input thunks: tfjs runs each thunk in its own tidy.
  const [dx, dScale, dOffset] = tf.engine().runKernel(
    batchNormTrainGradName,
    { dy, x, scale, mean, variance },
    attrs as NamedAttrMap,
  ) as tf.Tensor[];
  return { x: () => dx, scale: () => dScale, offset: () => dOffset };
};

/** `LikenessRelu`'s gradient: one `LikenessReluGrad` pass where the backend has it. */
const reluGrad: GradFunc = (dys, saved) => {
  const dy = (Array.isArray(dys) ? dys[0] : dys) as tf.Tensor;
  const [x] = saved;
  if (hasKernel(reluGradName) && x.dtype === "float32" && dy.dtype === "float32") {
    return { x: () => tf.engine().runKernel(reluGradName, { dy, x }) as tf.Tensor };
  }
  // tfjs's own gradient of Relu.
  return { x: () => tf.mul(dy, tf.step(tf.cast(x, "float32"))) };
};

/**
 * Registers the gradients of `LikenessBatchNormTrain` and `LikenessRelu` if not yet done
 * (idempotent: tfjs warns when a gradient is registered twice). Returns the kernel names
 * registered by this call.
 */
export function registerFusedGradients(): string[] {
  const done: string[] = [];
  if (tf.getGradient(batchNormTrainName) === undefined) {
    tf.registerGradient({
      kernelName: batchNormTrainName,
      inputsToSave: ["x", "scale"],
      outputsToSave: [false, true, true],
      gradFunc: batchNormTrainGrad,
    });
    done.push(batchNormTrainName);
  }
  if (tf.getGradient(reluName) === undefined) {
    tf.registerGradient({ kernelName: reluName, inputsToSave: ["x"], gradFunc: reluGrad });
    done.push(reluName);
  }
  return done;
}
