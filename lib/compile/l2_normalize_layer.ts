import type { Layer } from "../types.ts";
import { L2Normalize } from "./_l2_normalize_layer.ts";

/** Options of {@linkcode l2NormalizeLayer}. */
export interface L2NormalizeLayerOptions {
  /** Norms below this count as this (default 1e-12). */
  readonly epsilon?: number;
  /** Layer name. */
  readonly name?: string;
}

/**
 * An L2-normalisation tfjs layer over the last axis, `x / max(‖x‖, epsilon)`, with a finite
 * gradient at `x = 0`. Class name `L2Normalize`, registered with `tf.serialization` when the
 * first one is built (not at import), so saved models load with `tf.loadLayersModel` too. `compile` uses it for `branches.l2Normalize`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { l2NormalizeLayer } from "./l2_normalize_layer.ts";
 * await tf.setBackend("cpu");
 * const y = (l2NormalizeLayer().apply(tf.tensor2d([[3, 4]])) as tf.Tensor).dataSync();
 * if (Math.abs(y[0] - 0.6) > 1e-6 || Math.abs(y[1] - 0.8) > 1e-6) throw new Error("l2NormalizeLayer");
 * ```
 */
export function l2NormalizeLayer(options: L2NormalizeLayerOptions = {}): Layer {
  return new L2Normalize(options);
}
