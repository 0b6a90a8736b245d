import type { Layer } from "../types.ts";
import { SeededDropout } from "./_seeded_dropout_layer.ts";

/** Options of {@linkcode seededDropoutLayer}. */
export interface SeededDropoutLayerOptions {
  /** Seed of the mask stream (default 0). */
  readonly seed?: number;
  /** Layer name. */
  readonly name?: string;
}

/**
 * A dropout tfjs layer whose masks are reproducible from `seed` yet differ at every training
 * call (tfjs's `tf.layers.dropout({ seed })` repeats one mask at every step); identity at
 * inference. Class name `SeededDropout`, registered with `tf.serialization` when the first
 * one is built (not at import). `compile` uses it for `branches.dropout`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { seededDropoutLayer } from "./seeded_dropout_layer.ts";
 * await tf.setBackend("cpu");
 * const layer = seededDropoutLayer(0.5, { seed: 3 });
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
export function seededDropoutLayer(rate: number, options: SeededDropoutLayerOptions = {}): Layer {
  return new SeededDropout({ rate, ...options });
}
