import * as tf from "@tensorflow/tfjs";
import type { Branch } from "../types.ts";

const WHERE = "Cannot create backbone from graph model";

/**
 * A layer that runs a tfjs graph model (a frozen TensorFlow SavedModel or TF-Hub module
 * converted with tfjs-converter) as a fixed feature extractor: no weights of its own, and no
 * gradient flows through it (its output is a constant to the layers after it).
 */
class GraphFeatures extends tf.layers.Layer {
  /** The class name (not registered: a model holding this layer is not saved as a file). */
  static className = "LikenessGraphFeatures";
  readonly #graph: tf.GraphModel;
  readonly #output: string | undefined;

  constructor(graph: tf.GraphModel, output: string | undefined) {
    super({ trainable: false, name: "graph_features" });
    this.#graph = graph;
    this.#output = output;
  }

  #run(x: tf.Tensor): tf.Tensor {
    const y = this.#graph.execute(x, this.#output);
    if (Array.isArray(y)) {
      tf.dispose(y);
      throw new Error(`${WHERE} as it has ${y.length} outputs: name one with options.output`);
    }
    return y;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    // Run the graph once on zeros to learn its output shape (graphs often do not declare it).
    const probe = tf.tidy(() => this.#run(tf.zeros([1, ...shape.slice(1) as number[]])).shape);
    return [null, ...probe.slice(1)];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    // customGrad keeps the graph's ops off the gradient tape: the extractor is frozen.
    const frozen = tf.customGrad(
      ((input: tf.Tensor) => ({
        value: this.#run(input),
        gradFunc: () => tf.zerosLike(input),
      })) as unknown as Parameters<typeof tf.customGrad>[0],
    );
    return frozen(x);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), output: this.#output ?? null };
  }
}

/** Options of {@linkcode fromGraphModel}. */
export interface FromGraphModelOptions {
  /** The graph node whose value is the features (default: the graph's only output). */
  readonly output?: string;
}

/** Resolves `path` inside `dir`, refusing absolute paths and `..`. */
function inside(dir: string, path: unknown, modelPath: string): string {
  if (
    typeof path !== "string" || path === "" || /^[\\/]/.test(path) || /^[A-Za-z]:/.test(path) ||
    /^[a-z][a-z0-9+.-]*:\/\//i.test(path) || path.split(/[\\/]/).includes("..")
  ) {
    throw new Error(
      `${WHERE} as weightsManifest path ${
        JSON.stringify(path)
      } in ${modelPath} is not a file name inside the model folder`,
    );
  }
  return `${dir}/${path}`;
}

/** Reads a graph model from a local folder (or its model.json). */
async function readGraphModel(path: string): Promise<tf.GraphModel> {
  const isJson = path.endsWith(".json");
  const modelPath = isJson ? path : `${path}/model.json`;
  const dir = isJson ? (path.slice(0, Math.max(0, path.lastIndexOf("/"))) || ".") : path;
  let json: {
    modelTopology?: unknown;
    weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
    format?: string;
  };
  try {
    json = JSON.parse(await Deno.readTextFile(modelPath));
  } catch (error) {
    throw new Error(`${WHERE} as ${modelPath} cannot be read: ${(error as Error).message}`);
  }
  if (
    json === null || typeof json !== "object" || typeof json.modelTopology !== "object" ||
    !Array.isArray(json.weightsManifest)
  ) {
    throw new Error(
      `${WHERE} as ${modelPath} is not a tfjs graph model (no modelTopology object or weightsManifest array)`,
    );
  }
  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    if (!Array.isArray(group?.paths) || !Array.isArray(group?.weights)) {
      throw new Error(`${WHERE} as a weightsManifest entry of ${modelPath} is malformed`);
    }
    specs.push(...group.weights);
    for (const p of group.paths) parts.push(await Deno.readFile(inside(dir, p, modelPath)));
  }
  const all = new Uint8Array(parts.reduce((n, b) => n + b.byteLength, 0));
  parts.reduce((at, b) => (all.set(b, at), at + b.byteLength), 0);
  try {
    return await tf.loadGraphModel(tf.io.fromMemory({
      modelTopology: json.modelTopology as tf.io.ModelJSON["modelTopology"],
      weightSpecs: specs,
      weightData: all.buffer,
      format: json.format,
    }));
  } catch (error) {
    throw new Error(`${WHERE} as ${modelPath} cannot be loaded: ${(error as Error).message}`);
  }
}

/**
 * Wraps a tfjs graph model — a TensorFlow SavedModel or TF-Hub feature-vector module converted
 * with tfjs-converter — as a frozen feature extractor: a branch of one `layersModel` stage
 * whose model runs the graph and has no trainable weights (graph models cannot be trained in
 * tfjs). Pipe `branches.embedding(size)` after it and train only that.
 *
 * Given a `tf.GraphModel` it returns the branch at once; given a local model folder, its
 * `model.json`, a `file:` URL or an http(s) URL it loads the graph and resolves to the branch.
 * The graph runs in the program, so the program's embedder cannot be saved as a layers model
 * file (its graph is not part of it): keep the graph and the trained layers side by side.
 *
 * @param source A `tf.GraphModel`, a path or a URL.
 * @param options The output node, when the graph has several.
 * @returns A branch of one frozen `layersModel` stage (a promise of it for a path or URL).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fromGraphModel } from "./from_graph_model.ts";
 * await tf.setBackend("cpu");
 * // a graph model with one output: y = relu(x · w), held in memory
 * const modelTopology = { node: [
 *   { name: "x", op: "Placeholder", attr: { dtype: { type: "DT_FLOAT" }, shape: { shape: { dim: [{ size: "-1" }, { size: "2" }] } } } },
 *   { name: "w", op: "Const", attr: { dtype: { type: "DT_FLOAT" }, value: { tensor: { dtype: "DT_FLOAT", tensorShape: { dim: [{ size: "2" }, { size: "3" }] } } } } },
 *   { name: "y", op: "MatMul", input: ["x", "w"], attr: { T: { type: "DT_FLOAT" } } },
 *   { name: "out", op: "Relu", input: ["y"], attr: { T: { type: "DT_FLOAT" } } },
 * ], library: {}, versions: {} };
 * const weightData = new Float32Array([1, 0, 1, 0, 1, -1]).buffer;
 * const graph = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology, weightSpecs: [{ name: "w", shape: [2, 3], dtype: "float32" }], weightData }));
 * const stage = fromGraphModel(graph).stages[0];
 * if (stage.kind !== "layersModel" || stage.model.trainableWeights.length !== 0) throw new Error("frozen");
 * const y = stage.model.predict(tf.tensor2d([[1, 2]])) as tf.Tensor;
 * if (y.dataSync().join() !== "1,2,0") throw new Error(`${y.dataSync()}`);
 * ```
 */
export function fromGraphModel(graph: tf.GraphModel, options?: FromGraphModelOptions): Branch;
/**
 * Loads a tfjs graph model from a path or URL and wraps it as a frozen feature extractor.
 *
 * @param source A model folder or its `model.json`, a `file:` URL, or an http(s) URL.
 * @param options The output node, when the graph has several.
 * @returns A promise of a branch of one frozen `layersModel` stage.
 *
 * @example
 * ```ts
 * import { fromGraphModel } from "./from_graph_model.ts";
 * // a folder without a model.json is refused, naming the file
 * const dir = await Deno.makeTempDir();
 * const error = await fromGraphModel(dir).catch((e: Error) => e);
 * if (!(error instanceof Error) || !error.message.includes(`${dir}/model.json cannot be read`)) throw error;
 * await Deno.remove(dir);
 * ```
 */
export function fromGraphModel(
  source: string | URL,
  options?: FromGraphModelOptions,
): Promise<Branch>;
export function fromGraphModel(
  source: tf.GraphModel | string | URL,
  options: FromGraphModelOptions = {},
): Branch | Promise<Branch> {
  if (typeof source === "string" || source instanceof URL) {
    const text = source instanceof URL ? source.href : source;
    return (async () => {
      const graph = /^https?:\/\//i.test(text)
        ? await tf.loadGraphModel(text)
        : await readGraphModel(
          /^file:/i.test(text) ? decodeURIComponent(new URL(text).pathname) : text,
        );
      return wrapGraph(graph, options);
    })();
  }
  return wrapGraph(source, options);
}

function wrapGraph(graph: tf.GraphModel, options: FromGraphModelOptions): Branch {
  if (graph === null || typeof graph !== "object" || typeof graph.execute !== "function") {
    throw new Error(
      `${WHERE} as graph must be a tf.GraphModel, a path or a URL: current value is ${
        String(graph)
      }`,
    );
  }
  if (options.output !== undefined && typeof options.output !== "string") {
    throw new Error(
      `${WHERE} as output must be a node name: current value is ${String(options.output)}`,
    );
  }
  const shape = graph.inputs[0]?.shape;
  if (graph.inputs.length !== 1 || shape === undefined || shape.length < 2) {
    throw new Error(
      `${WHERE} as it must have one input with a known shape [batch, …]: current inputs are ${
        JSON.stringify(graph.inputs.map((i) => i.shape ?? null))
      }`,
    );
  }
  const input = tf.input({ shape: shape.slice(1).map((d) => (d < 0 ? null : d)) as number[] });
  const output = new GraphFeatures(graph, options.output).apply(input) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output, name: "graph_model" });
  return {
    kind: "branch",
    stages: [{ kind: "layersModel", model, freeze: model.layers.length }],
  };
}
