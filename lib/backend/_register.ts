/**
 * Which composite kernels each backend receives, registered once per process.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { KernelFunc } from "@tensorflow/tfjs-core";
import { override } from "./_composite.ts";
import { conv2DBackpropFilter, conv2DBackpropInput } from "./_conv_kernels.ts";
import { batchMatMul, fusedMatMul, tile } from "./_matmul_kernels.ts";
import {
  adamHeap,
  adamName,
  batchNormTrainGradHeap,
  batchNormTrainGradName,
  batchNormTrainHeap,
  batchNormTrainName,
  identityShared,
  reluForward,
  reluGradHeap,
  reluGradName,
  reluName,
} from "./_fused_kernels.ts";
import { registerFusedGradients } from "./_fused_gradients.ts";
import { maxPoolGrad } from "./_pool_kernels.ts";
import { adamWebgpu } from "./_webgpu_adam.ts";
import { batchNormTrainGradWebgpu, batchNormTrainWebgpu } from "./_webgpu_batch_norm.ts";

/** A kernel likeness registers: filled (the backend lacks it) or overridden (too slow / wrong). */
export interface KernelPatch {
  readonly kernelName: string;
  readonly make: (backendName: string) => KernelFunc;
  /** `fill`: only when missing; `override`: always replaces the stock kernel. */
  readonly mode: "fill" | "override";
}

/** Kernels for wasm: the missing filter gradient, and faster versions of naive stock loops. */
export const wasmPatches: readonly KernelPatch[] = [
  { kernelName: "Conv2DBackpropFilter", make: conv2DBackpropFilter, mode: "fill" },
  { kernelName: "Conv2DBackpropInput", make: conv2DBackpropInput, mode: "override" },
  { kernelName: "BatchMatMul", make: batchMatMul, mode: "override" },
  { kernelName: "_FusedMatMul", make: fusedMatMul, mode: "override" },
  { kernelName: "Tile", make: tile, mode: "override" },
  { kernelName: "MaxPoolGrad", make: maxPoolGrad, mode: "override" },
  // Fused training kernels (likeness's own names; used by the batch-norm layer and ReLU's
  // gradient when the backend has them).
  { kernelName: batchNormTrainName, make: () => batchNormTrainHeap, mode: "fill" },
  { kernelName: batchNormTrainGradName, make: () => batchNormTrainGradHeap, mode: "fill" },
  { kernelName: reluGradName, make: () => reluGradHeap, mode: "fill" },
  { kernelName: reluName, make: () => reluForward, mode: "fill" },
  { kernelName: adamName, make: () => adamHeap, mode: "fill" },
  {
    kernelName: "Identity",
    make: identityShared,
    mode: "override",
  },
];

/** Kernels for webgpu: the stock filter gradient is wrong for large batch·height·width; Adam; batch norm. */
export const webgpuPatches: readonly KernelPatch[] = [
  { kernelName: "Conv2DBackpropFilter", make: conv2DBackpropFilter, mode: "override" },
  // Adam in 3 dispatches per weight instead of ~12 (webgpu is bound by host work per kernel).
  { kernelName: adamName, make: () => adamWebgpu, mode: "fill" },
  // Batch norm without tfjs's Mean gradient, whose ones(x.shape) is filled on the host.
  { kernelName: batchNormTrainName, make: () => batchNormTrainWebgpu, mode: "fill" },
  { kernelName: batchNormTrainGradName, make: () => batchNormTrainGradWebgpu, mode: "fill" },
];

const applied = new Map<string, readonly string[]>();

/**
 * Registers `patches` for `backendName` once, and the gradients of likeness's fused kernels
 * (once per process); later calls return the same list. Returns the names of the kernels
 * registered. Only kernels of that backend and likeness-named gradients change: tfjs's own
 * gradients are never replaced.
 */
export function applyPatches(
  backendName: string,
  patches: readonly KernelPatch[],
): readonly string[] {
  const done = applied.get(backendName);
  if (done !== undefined) return done;
  const names: string[] = [];
  for (const patch of patches) {
    const exists = tf.getKernel(patch.kernelName, backendName) !== undefined;
    if (patch.mode === "fill" && exists) continue;
    if (patch.mode === "override" && !exists) continue;
    override(patch.kernelName, backendName, patch.make(backendName));
    names.push(patch.kernelName);
  }
  registerFusedGradients();
  applied.set(backendName, names);
  return names;
}
