/**
 * tfjs-layers' `BatchNormalization` with a fused training path, for backends that have
 * likeness's fused kernels (`wasm`, `native` after `useBackend`).
 *
 * In training mode the stock layer computes the batch's moments, normalises with them and
 * lets autodiff differentiate all of it: ~25 broadcasting elementwise kernels per layer
 * over the network's largest activations. Here one kernel computes the statistics and the
 * output, and one (its gradient) the whole backward pass. Inference, other axes, layers
 * without γ or β, and backends without the kernels run the stock code. Same weights, same
 * configuration and the stock class name in model.json (saved models load in plain tfjs as
 * the stock layer). The class is not registered with tfjs (the stock one stays registered,
 * so nobody else's model changes): a loaded model has the stock layer, identical at
 * inference.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Tensor } from "../types.ts";
import { fusedBatchNormTrain } from "../backend/mod.ts";
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
  /** The name tfjs serialises the class under (the stock layer's: saved models stay stock). */
  static className = "BatchNormalization";

  /** Normalises `inputs`; in training, with the batch's statistics through the fused kernel. */
  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] {
    const x = single(inputs);
    const self = this as unknown as StockFields;
    const axis = self.axis < 0 ? self.axis + x.rank : self.axis;
    // (fusedBatchNormTrain refuses ε < 1e-12, which overflows float32: the stock code runs.)
    const fits = kwargs.training === true && axis === x.rank - 1 && self.center && self.scale &&
      x.rank >= 2 && self.epsilon >= 1e-12;
    if (!fits) {
      return super.call(inputs, kwargs);
    }
    return tf.tidy(() => {
      const fused = fusedBatchNormTrain(
        x,
        self.gamma.read(),
        self.beta.read(),
        self.epsilon,
      );
      if (fused === undefined) return super.call(inputs, kwargs);
      movingAverage(self.movingMean, fused.mean, self.momentum);
      movingAverage(self.movingVariance, fused.variance, self.momentum);
      return fused.y;
    });
  }
}
