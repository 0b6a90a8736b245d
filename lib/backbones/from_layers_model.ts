import * as tf from "@tensorflow/tfjs";
import type { Branch, LayersModel } from "../types.ts";
import { readLayersModel } from "../train/load_model.ts";

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
  /** `true` freezes every layer (the same as `freeze: true`); unfreeze later with `setFrozen`. */
  readonly frozen?: boolean;
  /**
   * Cut the model at this layer: the backbone ends at the named layer's output and the layers
   * after it are dropped (a classifier's head, say). Default: the whole model.
   */
  readonly cutAt?: string;
  /**
   * The backbone's learning rate as a multiple of the program's (default 1): a pretrained
   * backbone is usually fine-tuned at 0.1 or less. Needs a named optimizer in `compile`.
   */
  readonly learningRateMultiplier?: number;
}

const WHERE = "Cannot create backbone from layers model";

/** Checks the options; returns the multiplier (undefined when 1 or not given). */
function checkOptions(options: FromLayersModelOptions): number | undefined {
  if (options === null || typeof options !== "object") {
    throw new Error(`${WHERE} as options must be an object: current value is ${String(options)}`);
  }
  if (options.frozen !== undefined && typeof options.frozen !== "boolean") {
    throw new Error(
      `${WHERE} as frozen must be a boolean: current value is ${String(options.frozen)}`,
    );
  }
  if (options.frozen !== undefined && options.freeze !== undefined) {
    throw new Error(
      `${WHERE} as frozen and freeze must not both be given: current values are frozen ${options.frozen} and freeze ${options.freeze}`,
    );
  }
  if (options.cutAt !== undefined && (typeof options.cutAt !== "string" || options.cutAt === "")) {
    throw new Error(
      `${WHERE} as cutAt must be a layer name: current value is ${JSON.stringify(options.cutAt)}`,
    );
  }
  const m = options.learningRateMultiplier;
  if (m === undefined) return undefined;
  if (typeof m !== "number" || !Number.isFinite(m) || m <= 0) {
    throw new Error(
      `${WHERE} as learningRateMultiplier must be a finite number > 0: current value is ${
        String(m)
      }`,
    );
  }
  return m === 1 ? undefined : m;
}

/**
 * The model up to and including layer `name`, sharing its layers (and weights). With `owned`
 * (a model loaded here) the weights of the layers left out are freed.
 */
function cut(model: LayersModel, name: string, owned: boolean, source: string): LayersModel {
  const names = model.layers.map((l) => l.name);
  const at = names.indexOf(name);
  if (at < 0) {
    throw new Error(
      `${WHERE} ${source} as cutAt must name one of its layers: current value is '${name}'; its layers are ${
        names.join(", ")
      }`,
    );
  }
  if (at === names.length - 1) return model;
  const layer = model.layers[at];
  const output = layer.inboundNodes.length === 1
    ? layer.output as tf.SymbolicTensor | tf.SymbolicTensor[]
    : layer.getOutputAt(0);
  if (Array.isArray(output)) {
    throw new Error(
      `${WHERE} ${source} as cutAt must name a layer with one output: layer '${name}' has ${output.length}`,
    );
  }
  const kept = tf.model({ inputs: model.inputs, outputs: output, name: `${model.name}_cut` });
  if (owned) {
    const inside = new Set(kept.layers);
    for (const l of model.layers) {
      if (!inside.has(l)) { for (const w of l.weights) w.dispose(); }
    }
  }
  return kept;
}

const PATCHED = Symbol.for("likeness.frozenBatchNorm");

/**
 * Makes every batch-norm layer of `model` (nested models included) run in inference mode
 * while it is frozen (its moving statistics are then used and left unchanged, as in Keras);
 * a trainable one behaves as before. Done once per layer; the layer's config is untouched.
 */
function frozenBatchNormInInference(model: LayersModel): void {
  const visit = (layer: tf.layers.Layer): void => {
    const inner = (layer as unknown as { layers?: tf.layers.Layer[] }).layers;
    if (Array.isArray(inner)) inner.forEach(visit);
    const tagged = layer as unknown as Record<symbol, boolean>;
    if (layer.getClassName() !== "BatchNormalization" || tagged[PATCHED]) return;
    tagged[PATCHED] = true;
    const call = layer.call.bind(layer);
    layer.call = (inputs, kwargs) =>
      call(inputs, layer.trainable ? kwargs : { ...kwargs, training: false });
  };
  model.layers.forEach(visit);
}

function wrap(
  model: LayersModel,
  options: FromLayersModelOptions,
  multiplier: number | undefined,
  owned: boolean,
  source: string,
): Branch {
  if (model === null || typeof model !== "object" || !Array.isArray(model.layers)) {
    throw new Error(
      `${WHERE} as model must be a tfjs LayersModel, a path or a URL: current value is ${
        String(model)
      }`,
    );
  }
  const net = options.cutAt === undefined ? model : cut(model, options.cutAt, owned, source);
  frozenBatchNormInInference(net);
  const count = net.layers.length;
  const f = options.frozen ?? options.freeze ?? 0;
  const freeze = f === true ? count : f === false ? 0 : f;
  if (!Number.isInteger(freeze) || freeze < 0 || freeze > count) {
    throw new Error(
      `${WHERE} as freeze must be a boolean or an integer in [0, ${count}]: current value is ${f}`,
    );
  }
  return {
    kind: "branch",
    stages: [{
      kind: "layersModel",
      model: net,
      freeze,
      ...(multiplier === undefined ? {} : { learningRateMultiplier: multiplier }),
    }],
  };
}

/** A local path from a path string or a `file:` URL; undefined for http(s). */
function localPath(source: string | URL): string | undefined {
  const text = source instanceof URL ? source.href : source;
  if (/^https?:\/\//i.test(text)) return undefined;
  if (/^file:/i.test(text)) return decodeURIComponent(new URL(text).pathname);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    throw new Error(
      `${WHERE} as its source must be a path, a file: URL or an http(s) URL: current value is ${text}`,
    );
  }
  return text;
}

async function load(source: string | URL): Promise<LayersModel> {
  const text = source instanceof URL ? source.href : source;
  const path = localPath(source);
  if (path === undefined) {
    try {
      return await tf.loadLayersModel(text);
    } catch (error) {
      throw new Error(`${WHERE} as loading ${text} failed: ${(error as Error).message}`);
    }
  }
  if (path === "") throw new Error(`${WHERE} as its path must not be empty: current value is ''`);
  let dir = path;
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    throw new Error(
      `${WHERE} as ${path} cannot be read (a model folder or its model.json): ${
        (error as Error).message
      }`,
    );
  }
  if (info.isFile) {
    const slash = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
    if (path.slice(slash + 1) !== "model.json") {
      throw new Error(
        `${WHERE} as ${path} must be a model folder or its model.json: current file is ${
          path.slice(slash + 1)
        }`,
      );
    }
    dir = slash < 0 ? "." : path.slice(0, slash) || "/";
  }
  return await readLayersModel(dir);
}

/**
 * Wraps a tfjs layers model (a pretrained one, say) as a backbone, optionally cut at a named
 * layer, frozen (wholly or its first layers) and fine-tuned at a smaller learning rate. Pipe
 * more stages after it (`branches.embedding`, `branches.l2Normalize`, …) for the embedding,
 * and unfreeze it later with `setFrozen` (the freeze → unfreeze schedule of transfer learning).
 *
 * Given a model it returns the branch at once; given a path (a model folder with
 * `model.json` and its weights, or the `model.json` itself), a `file:` URL or an http(s) URL
 * (`tf.loadLayersModel`) it loads the model and resolves to the branch. Local models are read
 * with `loadModel`'s checks (weights files inside the folder, sizes, finite values).
 *
 * A frozen batch-norm layer runs in inference mode (its moving statistics are used and kept,
 * as in Keras), so a frozen backbone's weights stay exactly as loaded.
 *
 * Unlike the other specs this one holds a tf object: its weights are the model's own, not
 * seeded by `compile`, and every program compiled from it shares (and trains) them.
 *
 * @param source A tfjs `LayersModel`, a path, or a URL.
 * @param options Freezing, cutting and the backbone's learning-rate multiplier.
 * @returns A branch of one `layersModel` stage (a promise of it for a path or URL).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fromLayersModel } from "./from_layers_model.ts";
 * await tf.setBackend("cpu");
 * const net = tf.sequential({
 *   layers: [
 *     tf.layers.dense({ units: 4, inputShape: [3], name: "features" }),
 *     tf.layers.dense({ units: 2, name: "classes" }),
 *   ],
 * });
 * // cut at "features" and frozen: one stage wrapping the first layer, not trainable
 * const spec = fromLayersModel(net, { cutAt: "features", frozen: true, learningRateMultiplier: 0.1 });
 * const stage = spec.stages[0];
 * if (spec.stages.length !== 1 || stage.kind !== "layersModel") throw new Error("one stage");
 * if (stage.model.layers.at(-1)?.name !== "features" || stage.freeze !== stage.model.layers.length) {
 *   throw new Error("cut and frozen");
 * }
 * if (stage.learningRateMultiplier !== 0.1) throw new Error("multiplier");
 * // a layer that does not exist is named, with the ones that do
 * try {
 *   fromLayersModel(net, { cutAt: "pool" });
 *   throw new Error("no error");
 * } catch (e) {
 *   if (!(e as Error).message.includes("'pool'; its layers are features, classes")) throw e;
 * }
 * net.dispose();
 * ```
 */
export function fromLayersModel(model: LayersModel, options?: FromLayersModelOptions): Branch;
/**
 * Loads a tfjs layers model from a path or URL and wraps it as a backbone.
 *
 * @param source A model folder or its `model.json`, a `file:` URL, or an http(s) URL.
 * @param options Freezing, cutting and the backbone's learning-rate multiplier.
 * @returns A promise of a branch of one `layersModel` stage.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fromLayersModel } from "./from_layers_model.ts";
 * await tf.setBackend("cpu");
 * const net = tf.sequential({
 *   layers: [
 *     tf.layers.dense({ units: 4, inputShape: [3], name: "features" }),
 *     tf.layers.dense({ units: 2, name: "classes" }),
 *   ],
 * });
 * const dir = await Deno.makeTempDir();
 * await net.save(tf.io.withSaveHandler(async (a) => {
 *   const { modelTopology, weightSpecs, weightData } = a;
 *   await Deno.writeTextFile(`${dir}/model.json`, JSON.stringify({
 *     modelTopology,
 *     weightsManifest: [{ paths: ["weights.bin"], weights: weightSpecs }],
 *   }));
 *   await Deno.writeFile(`${dir}/weights.bin`, new Uint8Array(weightData as ArrayBuffer));
 *   return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
 * }));
 * const spec = await fromLayersModel(dir, { cutAt: "features", frozen: true });
 * const stage = spec.stages[0];
 * if (stage.kind !== "layersModel") throw new Error("stage");
 * // the loaded layer holds the saved weights
 * const same = stage.model.getLayer("features").getWeights()[0].dataSync().join() ===
 *   net.getLayer("features").getWeights()[0].dataSync().join();
 * if (!same) throw new Error("weights");
 * stage.model.dispose();
 * net.dispose();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function fromLayersModel(
  source: string | URL,
  options?: FromLayersModelOptions,
): Promise<Branch>;
export function fromLayersModel(
  source: LayersModel | string | URL,
  options: FromLayersModelOptions = {},
): Branch | Promise<Branch> {
  if (typeof source === "string" || source instanceof URL) {
    return (async () => {
      const multiplier = checkOptions(options);
      const model = await load(source);
      try {
        return wrap(model, options, multiplier, true, `${source}`);
      } catch (error) {
        // The cut may have freed some weights already: free the rest.
        for (const layer of model.layers) {
          for (const w of layer.weights) {
            try {
              w.dispose();
            } catch { /* freed by the cut already */ }
          }
        }
        throw error;
      }
    })();
  }
  const multiplier = checkOptions(options);
  return wrap(source, options, multiplier, false, "");
}
