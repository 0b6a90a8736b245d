/**
 * tfjs-layers' `BatchNormalization` with a fused training path, and ReLU's gradient in one
 * kernel, for backends that have likeness's fused kernels (`wasm`, `native`).
 *
 * In training mode the stock layer computes the batch's moments, normalises with them and
 * lets autodiff differentiate all of it: ~25 broadcasting elementwise kernels per layer
 * over the network's largest activations. Here one kernel computes the statistics and the
 * output, and one (registered as its gradient) the whole backward pass. Inference, other
 * axes, layers without γ or β, and backends without the kernels run the stock code. Same
 * weights, same configuration, same class name: saved models are unchanged, and loading
 * one gives this class (it is registered in place of the stock one).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { GradFunc, NamedAttrMap } from "@tensorflow/tfjs-core";
import type { Tensor } from "../types.ts";
import {
  batchNormTrainGradName,
  batchNormTrainName,
  reluGradName,
} from "../backend/_fused_kernels.ts";
import { single } from "./_dropout.ts";

/** The fields of tfjs-layers' BatchNormalization this class reads. */
interface StockFields {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: Weight;
  beta: Weight;
  movingMean: Weight;
  movingVariance: Weight;
}

interface Weight {
  read(): Tensor;
  write(value: Tensor): void;
}

type Kwargs = Record<string, unknown>;
type LayerArgs = NonNullable<Parameters<typeof tf.layers.batchNormalization>[0]>;
type LayerClass = new (args?: LayerArgs) => tf.layers.Layer;

const registry = tf.serialization.SerializationMap.getMap().classNameMap as Record<
  string,
  [unknown, unknown]
>;
/** tfjs-layers' class, from the serialisation registry (it is not exported by name). */
const Stock = (registry.BatchNormalization?.[0] ?? undefined) as LayerClass | undefined;
if (Stock === undefined) {
  throw new Error("Cannot find tfjs-layers' BatchNormalization in the serialization registry");
}

const hasKernel = (name: string) => tf.getKernel(name, tf.getBackend()) !== undefined;

/** Keras's moving average: `v ← v − (v − value)·(1 − momentum)`. */
function movingAverage(variable: Weight, value: Tensor, momentum: number): void {
  tf.tidy(() => {
    const current = variable.read();
    variable.write(tf.sub(current, tf.mul(tf.sub(current, value), 1 - momentum)));
  });
}

/**
 * Batch normalisation whose training step runs as one fused kernel (and one for its
 * gradient) where the backend has them; otherwise exactly tfjs-layers' layer.
 */
export class BatchNormalization extends Stock {
  /** The name tfjs serialises the class under (the stock layer's). */
  static className = "BatchNormalization";

  /** Normalises `inputs`; in training, with the batch's statistics through the fused kernel. */
  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] {
    const x = single(inputs);
    const self = this as unknown as StockFields;
    const axis = self.axis < 0 ? self.axis + x.rank : self.axis;
    const fused = kwargs.training === true && x.rank >= 2 && axis === x.rank - 1 &&
      x.dtype === "float32" && self.center && self.scale && hasKernel(batchNormTrainName) &&
      hasKernel(batchNormTrainGradName);
    if (!fused) return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const [y, mean, variance] = tf.engine().runKernel(
        batchNormTrainName,
        { x, scale: self.gamma.read(), offset: self.beta.read() },
        { epsilon: self.epsilon },
      ) as Tensor[];
      movingAverage(self.movingMean, mean, self.momentum);
      movingAverage(self.movingVariance, variance, self.momentum);
      return y;
    });
  }
}
tf.serialization.registerClass(
  BatchNormalization as unknown as Parameters<typeof tf.serialization.registerClass>[0],
);

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
  ) as Tensor[];
  return { x: () => dx, scale: () => dScale, offset: () => dOffset };
};
tf.registerGradient({
  kernelName: batchNormTrainName,
  inputsToSave: ["x", "scale"],
  outputsToSave: [false, true, true],
  gradFunc: batchNormTrainGrad,
});

const stockRelu = tf.getGradient("Relu");
if (stockRelu !== undefined) {
  const gradFunc: GradFunc = (dy, saved, attrs) => {
    const [x] = saved;
    const grad = dy as Tensor;
    if (!hasKernel(reluGradName) || x.dtype !== "float32" || grad.dtype !== "float32") {
      return stockRelu.gradFunc(dy, saved, attrs);
    }
    return { x: () => tf.engine().runKernel(reluGradName, { dy: grad, x }) as Tensor };
  };
  tf.registerGradient({ ...stockRelu, gradFunc });
}
