import type { Branch, LayersModel } from "../types.ts";

/**
 * Options of {@linkcode fromLayersModel}.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fromLayersModel, type FromLayersModelOptions } from "./from_layers_model.ts";
 * await tf.setBackend("cpu");
 * const net = tf.sequential({
 *   layers: [tf.layers.dense({ units: 4, inputShape: [3] }), tf.layers.dense({ units: 2 })],
 * });
 * // fine-tune: keep the first layer as it is, train the second
 * const options: FromLayersModelOptions = { freeze: 1 };
 * const stage = fromLayersModel(net, options).stages[0];
 * if (stage.kind !== "layersModel" || stage.freeze !== 1) throw new Error("freeze 1");
 * const all = fromLayersModel(net, { freeze: true }).stages[0];
 * if (all.kind !== "layersModel" || all.freeze !== 2) throw new Error("true freezes both layers");
 * net.dispose();
 * ```
 */
export interface FromLayersModelOptions {
  /**
   * Freeze (mark non-trainable) the first `freeze` layers of the model for fine-tuning;
   * `true` freezes all of them (default 0: train everything).
   */
  readonly freeze?: number | boolean;
}

/**
 * Wraps any tfjs model (a pretrained one, say) as a backbone, optionally freezing its first
 * layers. Unlike the other specs this one holds a tf object: its weights are the model's own,
 * not seeded by `compile`, and every program compiled from it shares (and trains) them. Pipe
 * more stages after it (`branches.embedding`, `branches.l2Normalize`, …) for the embedding.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fromLayersModel } from "./from_layers_model.ts";
 * await tf.setBackend("cpu");
 * const net = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [3] })] });
 * const spec = fromLayersModel(net, { freeze: true });
 * // one stage wrapping the model itself; freeze: true freezes all its (1) layers
 * const stage = spec.stages[0];
 * if (spec.stages.length !== 1 || stage.kind !== "layersModel") throw new Error("one stage");
 * if (stage.model !== net || stage.freeze !== 1) throw new Error("fromLayersModel");
 * net.dispose();
 * ```
 */
export function fromLayersModel(model: LayersModel, options: FromLayersModelOptions = {}): Branch {
  if (model === null || typeof model !== "object" || !Array.isArray(model.layers)) {
    throw new Error(
      `Cannot create backbone from layers model as model must be a tfjs LayersModel: current value is ${
        String(model)
      }`,
    );
  }
  const count = model.layers.length;
  const f = options.freeze ?? 0;
  const freeze = f === true ? count : f === false ? 0 : f;
  if (!Number.isInteger(freeze) || freeze < 0 || freeze > count) {
    throw new Error(
      `Cannot create backbone from layers model as freeze must be a boolean or an integer in [0, ${count}]: current value is ${f}`,
    );
  }
  return { kind: "branch", stages: [{ kind: "layersModel", model, freeze }] };
}
