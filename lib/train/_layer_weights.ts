/**
 * A model's weight variables in a fixed order — layer by layer, nested models inlined — that
 * does not depend on which layers are trainable. tfjs's `getWeights`/`setWeights` list every
 * trainable weight first, so freezing or unfreezing a layer reorders them: a snapshot or
 * checkpoint restored in another frozen state would put values into the wrong variables
 * (same shapes, no error). Snapshots and checkpoints go through these functions instead.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { LayersModel, Tensor } from "../types.ts";

type Layer = { readonly weights: tf.LayerVariable[]; readonly name: string };

/** The variables of `model` in the fixed order (each once). */
export function variablesInLayerOrder(model: LayersModel): tf.LayerVariable[] {
  const out: tf.LayerVariable[] = [];
  const seen = new Set<tf.LayerVariable>();
  const walk = (layers: readonly Layer[]) => {
    for (const layer of layers) {
      if (layer instanceof tf.LayersModel) walk(layer.layers as unknown as Layer[]);
      else {
        for (const w of layer.weights) {
          if (!seen.has(w)) {
            seen.add(w);
            out.push(w);
          }
        }
      }
    }
  };
  walk(model.layers as unknown as Layer[]);
  const all = model.weights;
  if (out.length !== all.length || all.some((w) => !seen.has(w))) {
    throw new Error(
      `Cannot list the weights of model ${model.name} layer by layer: found ${out.length} of its ${all.length}`,
    );
  }
  return out;
}

/** The current values of the variables, in the fixed order (the variables' own tensors). */
export function readInLayerOrder(model: LayersModel): Tensor[] {
  return variablesInLayerOrder(model).map((v) => v.read());
}

/** Writes `values` (in the fixed order) into the model's variables; shapes are checked. */
export function writeInLayerOrder(model: LayersModel, values: readonly Tensor[]): void {
  const variables = variablesInLayerOrder(model);
  if (values.length !== variables.length) {
    throw new Error(
      `Cannot restore the weights of model ${model.name}: ${values.length} values for ${variables.length} variables`,
    );
  }
  variables.forEach((v, i) => v.write(values[i]));
}
