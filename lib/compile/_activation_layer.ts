/**
 * tfjs-layers' `Activation` whose ReLU runs as likeness's own `LikenessRelu` op: on backends
 * with likeness's fused kernels (`wasm`, `native` after `useBackend`) its gradient is one
 * kernel instead of `Step` and `Multiply`. Same values, same configuration and the stock
 * class name in model.json (saved models load in plain tfjs as the stock layer). Not
 * registered with tfjs: `tf.relu` and everyone else's `Activation` layers are unchanged.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Tensor } from "../types.ts";
import { fusedRelu } from "../backend/mod.ts";
import { single } from "./_dropout.ts";

type LayerArgs = Parameters<typeof tf.layers.activation>[0];
type LayerClass = new (args: LayerArgs) => tf.layers.Layer;

const registry = tf.serialization.SerializationMap.getMap().classNameMap as Record<
  string,
  [unknown, unknown]
>;
/** tfjs-layers' class, from the serialisation registry (it is not exported by name). */
const Stock = (registry.Activation?.[0] ?? undefined) as LayerClass | undefined;
if (Stock === undefined) {
  throw new Error("Cannot find tfjs-layers' Activation in the serialization registry");
}

interface StockFields {
  activation: { getClassName(): string };
  invokeCallHook(inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): void;
}

/** An `Activation` layer whose ReLU goes through `fusedRelu`; other activations are stock. */
export class Activation extends Stock {
  /** The name tfjs serialises the class under (the stock layer's: saved models stay stock). */
  static className = "Activation";

  /** Applies the activation; ReLU through likeness's own op. */
  override call(inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): Tensor | Tensor[] {
    const self = this as unknown as StockFields;
    if (self.activation.getClassName() !== "relu") return super.call(inputs, kwargs);
    return tf.tidy(() => {
      self.invokeCallHook(inputs, kwargs);
      return fusedRelu(single(inputs));
    });
  }
}
