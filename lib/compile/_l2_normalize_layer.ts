import * as tf from "@tensorflow/tfjs";
import type { Tensor } from "../types.ts";
import { single } from "./_dropout.ts";
import { registerOnce } from "./_register_class.ts";

/** Configuration of {@linkcode L2Normalize}. */
export interface L2NormalizeConfig {
  /** Norms below this count as this (default 1e-12). */
  readonly epsilon?: number;
  /** Layer name. */
  readonly name?: string;
}

/**
 * L2 normalisation of the last axis as a tfjs layer: `x / max(‖x‖, epsilon)`, with a finite
 * gradient at `x = 0`. Registered with `tf.serialization` as `L2Normalize` when the first
 * one is built (and by likeness's `loadModel`).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { L2Normalize } from "./_l2_normalize_layer.ts";
 * await tf.setBackend("cpu");
 * const y = (new L2Normalize({}).apply(tf.tensor2d([[3, 4]])) as tf.Tensor).dataSync();
 * if (Math.abs(y[0] - 0.6) > 1e-6 || Math.abs(y[1] - 0.8) > 1e-6) throw new Error("L2Normalize");
 * ```
 */
export class L2Normalize extends tf.layers.Layer {
  /** The name tfjs serialises the class under. */
  static className = "L2Normalize";
  /** Norms below this count as this. */
  readonly epsilon: number;

  /** Creates the layer. */
  constructor(config: L2NormalizeConfig = {}) {
    super(config.name === undefined ? {} : { name: config.name });
    registerOnce(L2Normalize);
    this.epsilon = config.epsilon ?? 1e-12;
    if (!Number.isFinite(this.epsilon) || this.epsilon <= 0) {
      throw new Error(
        `Cannot create L2Normalize layer as epsilon must be > 0: current value is ${this.epsilon}`,
      );
    }
  }

  /** Divides each row by its norm. */
  override call(inputs: Tensor | Tensor[]): Tensor {
    return tf.tidy(() => {
      const x = single(inputs);
      const squared = tf.sum(tf.square(x), -1, true);
      return tf.mul(x, tf.rsqrt(tf.maximum(squared, this.epsilon * this.epsilon)));
    });
  }

  /** Serialisable configuration. */
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon };
  }
}
