import type { Layer } from "../types.ts";
import { SpatialDropout2D } from "./_spatial_dropout_2d_layer.ts";

/** Options of {@linkcode spatialDropout2dLayer}. */
export interface SpatialDropout2dLayerOptions {
  /** Seed of the mask stream (default 0). */
  readonly seed?: number;
  /** Layer name. */
  readonly name?: string;
}

/**
 * A 2-D spatial dropout tfjs layer (tfjs has none), class name `SpatialDropout2D`, registered
 * with `tf.serialization` when the first one is built (not at import) so saved models load. In training it zeroes
 * whole channels of `[n, h, w, c]` maps with probability `rate` and scales the rest by
 * `1 / (1 − rate)`; at inference it is the identity. Each training call draws a new mask from
 * `seed` and a call counter. `compile` uses it for `branches.spatialDropout2d`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { spatialDropout2dLayer } from "./spatial_dropout_2d_layer.ts";
 * await tf.setBackend("cpu");
 * const layer = spatialDropout2dLayer(0.5, { seed: 1 });
 * const y = (layer.apply(tf.ones([1, 2, 2, 8]), { training: true }) as tf.Tensor).arraySync() as number[][][][];
 * for (let c = 0; c < 8; c++) {
 *   const values = new Set([y[0][0][0][c], y[0][0][1][c], y[0][1][0][c], y[0][1][1][c]]);
 *   if (values.size !== 1) throw new Error("a channel is dropped whole or kept whole");
 * }
 * // Kept channels are scaled by 1 / (1 − rate) = 2; with seed 1 some are dropped, some kept.
 * const firsts = Array.from({ length: 8 }, (_, c) => y[0][0][0][c]);
 * if (!firsts.every((v) => v === 0 || v === 2) || !firsts.includes(0) || !firsts.includes(2)) {
 *   throw new Error(`channels ${firsts}`);
 * }
 * if (layer.getClassName() !== "SpatialDropout2D") throw new Error("class name");
 * ```
 */
export function spatialDropout2dLayer(
  rate: number,
  options: SpatialDropout2dLayerOptions = {},
): Layer {
  return new SpatialDropout2D({ rate, ...options });
}
