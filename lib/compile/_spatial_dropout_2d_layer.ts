import * as tf from "@tensorflow/tfjs";
import type { Tensor } from "../types.ts";
import { checkCalls, seededDropout, single } from "./_dropout.ts";
import { registerOnce } from "./_register_class.ts";

/** Configuration of {@linkcode SpatialDropout2D}. */
export interface SpatialDropout2DConfig {
  /** Probability of zeroing a channel. */
  readonly rate: number;
  /** Seed of the mask stream (default 0). */
  readonly seed?: number;
  /** Layer name. */
  readonly name?: string;
}

/**
 * 2-D spatial dropout as a tfjs layer (tfjs has none): in training it zeroes whole channels of
 * `[n, h, w, c]` maps with probability `rate` and scales the rest by `1 / (1 − rate)`; at
 * inference it is the identity. Registered with `tf.serialization` as `SpatialDropout2D` when the
 * first one is built (and by likeness's `loadModel`). Each training call draws a new mask from
 * `seed` and a call counter.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { SpatialDropout2D } from "./_spatial_dropout_2d_layer.ts";
 * await tf.setBackend("cpu");
 * const layer = new SpatialDropout2D({ rate: 0.5, seed: 1 });
 * const x = tf.ones([1, 2, 2, 8]);
 * const y = (layer.apply(x, { training: true }) as tf.Tensor).arraySync() as number[][][][];
 * // every channel is all 0 or all 2
 * for (let c = 0; c < 8; c++) {
 *   const values = new Set([y[0][0][0][c], y[0][0][1][c], y[0][1][0][c], y[0][1][1][c]]);
 *   if (values.size !== 1) throw new Error("SpatialDropout2D");
 * }
 * const firsts = Array.from({ length: 8 }, (_, c) => y[0][0][0][c]);
 * if (!firsts.every((v) => v === 0 || v === 2) || !firsts.includes(0) || !firsts.includes(2)) {
 *   throw new Error(`channels ${firsts}`);
 * }
 * // at inference the layer is the identity
 * const z = layer.apply(x, { training: false }) as tf.Tensor;
 * if (z.dataSync().some((v) => v !== 1)) throw new Error("identity at inference");
 * ```
 */
export class SpatialDropout2D extends tf.layers.Layer {
  /** The name tfjs serialises the class under. */
  static className = "SpatialDropout2D";
  /** Probability of zeroing a channel. */
  readonly rate: number;
  /** Seed of the mask stream. */
  readonly seed: number;
  #calls = 0;

  /** Creates the layer. */
  constructor(config: SpatialDropout2DConfig) {
    super(config.name === undefined ? {} : { name: config.name });
    registerOnce(SpatialDropout2D);
    if (!Number.isFinite(config.rate) || config.rate < 0 || config.rate >= 1) {
      throw new Error(
        `Cannot create SpatialDropout2D layer as rate must be in [0, 1): current value is ${config.rate}`,
      );
    }
    this.rate = config.rate;
    this.seed = config.seed ?? 0;
    this.supportsMasking = true;
  }

  /** Drops channels in training; identity otherwise. */
  override call(inputs: Tensor | Tensor[], kwargs: { training?: boolean }): Tensor {
    const x = single(inputs);
    if (x.rank !== 4) {
      throw new Error(
        `Cannot apply SpatialDropout2D as its input must be rank 4 [n, h, w, c]: current rank is ${x.rank}`,
      );
    }
    if (kwargs?.training !== true || this.rate === 0) return tf.clone(x);
    const call = this.#calls++;
    return seededDropout(x, this.rate, [x.shape[0], 1, 1, x.shape[3]] as number[], this.seed, call);
  }

  /**
   * Training calls made so far: the position in the mask stream. Checkpoints save it, so a
   * resumed run draws the masks an uninterrupted one would.
   */
  getRandomState(): number {
    return this.#calls;
  }

  /** Moves the mask stream to after `calls` training calls (a non-negative integer). */
  setRandomState(calls: number): void {
    this.#calls = checkCalls(`${this.getClassName()} layer ${this.name}`, calls);
  }

  /** Serialisable configuration. */
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}
