import { L2Normalize } from "./_l2_normalize_layer.ts";
import { SeededDropout } from "./_seeded_dropout_layer.ts";
import { SpatialDropout2D } from "./_spatial_dropout_2d_layer.ts";
import { registerOnce } from "./_register_class.ts";

/**
 * Registers likeness's custom layer classes (`L2Normalize`, `SeededDropout`,
 * `SpatialDropout2D`) with `tf.serialization`, so that `tf.loadLayersModel` can read models
 * that use them. Importing likeness registers nothing: the classes register when the first
 * layer of each is built (by `compile` or the layer functions), when likeness's `loadModel`
 * reads a model, or when this is called. Idempotent; a name already registered (by anyone)
 * is left as it is. likeness's batch-norm and activation layers are saved under the stock
 * names `BatchNormalization` and `Activation` and load as tfjs's own layers (same values).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { registerLayers } from "./register_layers.ts";
 * registerLayers();
 * const map = tf.serialization.SerializationMap.getMap().classNameMap;
 * for (const name of ["L2Normalize", "SeededDropout", "SpatialDropout2D"]) {
 *   if (!(name in map)) throw new Error(`${name} is not registered`);
 * }
 * ```
 */
export function registerLayers(): void {
  for (const cls of [L2Normalize, SeededDropout, SpatialDropout2D]) registerOnce(cls);
}
