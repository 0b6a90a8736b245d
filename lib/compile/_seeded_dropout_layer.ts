import * as tf from "@tensorflow/tfjs";
import type { Tensor } from "../types.ts";
import { checkCalls, seededDropout, single } from "./_dropout.ts";
import { registerOnce } from "./_register_class.ts";

/** Configuration of {@linkcode SeededDropout}. */
export interface SeededDropoutConfig {
  /** Probability of zeroing a value. */
  readonly rate: number;
  /** Seed of the mask stream (default 0). */
  readonly seed?: number;
  /** Layer name. */
  readonly name?: string;
}

/**
 * Dropout whose masks are reproducible from `seed` yet differ at every training call (tfjs's
 * `tf.layers.dropout({ seed })` repeats the same mask at every step). Identity at inference.
 * Registered with `tf.serialization` as `SeededDropout` when the first one is built.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { SeededDropout } from "./_seeded_dropout_layer.ts";
 * await tf.setBackend("cpu");
 * const layer = new SeededDropout({ rate: 0.5, seed: 3 });
 * const x = tf.ones([1, 64]);
 * const a = (layer.apply(x, { training: true }) as tf.Tensor).dataSync().join();
 * const b = (layer.apply(x, { training: true }) as tf.Tensor).dataSync().join();
 * if (a === b) throw new Error("the mask should change between calls");
 * // a value is dropped (0) or kept and scaled by 1 / (1 − 0.5) = 2; about half are kept
 * const kept = a.split(",").map(Number);
 * if (!kept.every((v) => v === 0 || v === 2)) throw new Error(a);
 * const n = kept.filter((v) => v === 2).length;
 * if (n < 16 || n > 48) throw new Error(`${n} of 64 kept`);
 * // at inference the layer is the identity
 * if ((layer.apply(x) as tf.Tensor).dataSync().some((v) => v !== 1)) throw new Error("inference");
 * ```
 */
export class SeededDropout extends tf.layers.Layer {
  /** The name tfjs serialises the class under. */
  static className = "SeededDropout";
  /** Probability of zeroing a value. */
  readonly rate: number;
  /** Seed of the mask stream. */
  readonly seed: number;
  #calls = 0;

  /** Creates the layer. */
  constructor(config: SeededDropoutConfig) {
    super(config.name === undefined ? {} : { name: config.name });
    registerOnce(SeededDropout);
    if (!Number.isFinite(config.rate) || config.rate < 0 || config.rate >= 1) {
      throw new Error(
        `Cannot create SeededDropout layer as rate must be in [0, 1): current value is ${config.rate}`,
      );
    }
    this.rate = config.rate;
    this.seed = config.seed ?? 0;
    this.supportsMasking = true;
  }

  /** Drops values in training; identity otherwise. */
  override call(inputs: Tensor | Tensor[], kwargs: { training?: boolean }): Tensor {
    const x = single(inputs);
    if (kwargs?.training !== true || this.rate === 0) return tf.clone(x);
    const call = this.#calls++;
    return seededDropout(x, this.rate, x.shape, this.seed, call);
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
