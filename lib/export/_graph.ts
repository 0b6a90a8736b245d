/**
 * An embedder's inference graph as plain data: the tfjs model is walked from its output back
 * to its input (nested models inlined), every layer becomes one inference op with its weights
 * copied out, training-only layers (dropout of every kind, Gaussian noise) are dropped, and
 * batch-norm is folded into the convolution or dense layer before it where that is exact.
 * Both writers (stock tfjs, ONNX) read this graph.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** An activation the writers know. */
export type ExportActivation =
  | "linear"
  | "relu"
  | "relu6"
  | "elu"
  | "selu"
  | "tanh"
  | "sigmoid"
  | "hardSigmoid"
  | "softplus"
  | "softsign"
  | "swish"
  | "softmax";

const ACTIVATIONS: ReadonlySet<string> = new Set<ExportActivation>([
  "linear",
  "relu",
  "relu6",
  "elu",
  "selu",
  "tanh",
  "sigmoid",
  "hardSigmoid",
  "softplus",
  "softsign",
  "swish",
  "softmax",
]);

/** Layer classes that only act in training: dropped from the inference graph. */
const TRAINING_ONLY: ReadonlySet<string> = new Set([
  "Dropout",
  "SeededDropout",
  "SpatialDropout1D",
  "SpatialDropout2D",
  "GaussianNoise",
  "GaussianDropout",
  "AlphaDropout",
]);

/** The layer classes {@linkcode traceGraph} reads, for error messages. */
export const SUPPORTED_LAYERS: readonly string[] = [
  "InputLayer",
  "Conv2D",
  "Dense",
  "BatchNormalization",
  "Activation",
  "MaxPooling2D",
  "AveragePooling2D",
  "GlobalAveragePooling2D",
  "GlobalMaxPooling2D",
  "Flatten",
  "Add",
  "L2Normalize",
  ...TRAINING_ONLY,
  "nested LayersModel / Sequential",
];

/** One value of the graph: its tfjs shape without the batch axis (channels last). */
export interface Value {
  readonly shape: readonly number[];
}

interface OpBase {
  /** The tfjs layer this op came from. */
  readonly name: string;
  readonly inputs: readonly string[];
  readonly output: string;
}

/** A 2-D convolution; kernel `[kh, kw, in, out]` as in tfjs. */
export interface Conv2dOp extends OpBase {
  readonly op: "conv2d";
  readonly kernel: Float32Array;
  readonly kernelShape: readonly [number, number, number, number];
  readonly bias?: Float32Array;
  readonly strides: readonly [number, number];
  readonly dilations: readonly [number, number];
  readonly padding: "same" | "valid";
  readonly activation: ExportActivation;
}

/** A dense layer on the last axis; kernel `[in, out]` as in tfjs. */
export interface DenseOp extends OpBase {
  readonly op: "dense";
  readonly kernel: Float32Array;
  readonly kernelShape: readonly [number, number];
  readonly bias?: Float32Array;
  readonly activation: ExportActivation;
}

/** Inference batch-norm on the last axis: `(x − mean)·γ/√(var + ε) + β`. */
export interface BatchNormOp extends OpBase {
  readonly op: "batchNorm";
  readonly gamma: Float32Array;
  readonly beta: Float32Array;
  readonly mean: Float32Array;
  readonly variance: Float32Array;
  readonly epsilon: number;
}

/** An activation function. */
export interface ActivationOp extends OpBase {
  readonly op: "activation";
  readonly activation: ExportActivation;
}

/** 2-D max or average pooling. */
export interface Pool2dOp extends OpBase {
  readonly op: "pool2d";
  readonly kind: "max" | "avg";
  readonly poolSize: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly padding: "same" | "valid";
}

/** Global max or average pooling over height and width. */
export interface GlobalPool2dOp extends OpBase {
  readonly op: "globalPool2d";
  readonly kind: "max" | "avg";
}

/** Flattening to `[n, features]` in tfjs's (channels-last) order. */
export interface FlattenOp extends OpBase {
  readonly op: "flatten";
}

/** Elementwise sum of its inputs (a residual connection). */
export interface AddOp extends OpBase {
  readonly op: "add";
}

/** `x / max(‖x‖₂, ε)` over the last axis. */
export interface L2NormalizeOp extends OpBase {
  readonly op: "l2Normalize";
  readonly epsilon: number;
}

/** One inference op. */
export type Op =
  | Conv2dOp
  | DenseOp
  | BatchNormOp
  | ActivationOp
  | Pool2dOp
  | GlobalPool2dOp
  | FlattenOp
  | AddOp
  | L2NormalizeOp;

/** An embedder's inference graph: one input, ops in an order that computes them, one output. */
export interface Graph {
  /** The input's id (always `"input"`). */
  readonly input: string;
  /** The output's id. */
  readonly output: string;
  /** Shapes by value id. */
  readonly values: ReadonlyMap<string, Value>;
  /** Ops in topological order. */
  readonly ops: readonly Op[];
  /** Training-only layers left out, as `name (Class)`. */
  readonly removed: readonly string[];
  /** Batch-norm layers folded into the layer before them, as `bn into conv`. */
  readonly folded: readonly string[];
}

interface Node {
  inputTensors: tf.SymbolicTensor[];
  outputTensors: tf.SymbolicTensor[];
}

type Config = Record<string, unknown>;

const pair = (
  v: unknown,
): [
  number,
  number,
] => (Array.isArray(v) ? [Number(v[0]), Number(v[1] ?? v[0])] : [Number(v), Number(v)]);

/** The error for a layer that cannot be exported, naming it and its class. */
function refuse(layer: tf.layers.Layer, why: string): Error {
  return new Error(
    `Cannot export layer ${layer.name} (class ${layer.getClassName()}) as ${why}`,
  );
}

/** Copies a layer's weights out by their short names (`kernel`, `gamma`, …). */
function weightsOf(layer: tf.layers.Layer): Map<string, { data: Float32Array; shape: number[] }> {
  const found = new Map<string, { data: Float32Array; shape: number[] }>();
  for (const w of layer.weights) {
    const short = w.originalName.slice(w.originalName.lastIndexOf("/") + 1);
    const value = w.read();
    if (value.dtype !== "float32") throw refuse(layer, `its weight ${short} is ${value.dtype}`);
    const data = Float32Array.from(value.dataSync() as Float32Array);
    const bad = data.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) {
      throw refuse(
        layer,
        `its weight ${w.originalName} holds ${
          data[bad]
        } at index ${bad}: train it to finite weights first`,
      );
    }
    found.set(short, { data, shape: [...value.shape] });
  }
  return found;
}

function activationOf(layer: tf.layers.Layer, config: Config): ExportActivation {
  const a = config.activation ?? "linear";
  if (typeof a !== "string" || !ACTIVATIONS.has(a)) {
    throw refuse(
      layer,
      `its activation ${JSON.stringify(a)} is not supported (supported: ${
        [...ACTIVATIONS].join(", ")
      })`,
    );
  }
  return a as ExportActivation;
}

function channelsLast(layer: tf.layers.Layer, config: Config): void {
  if (config.dataFormat !== undefined && config.dataFormat !== "channelsLast") {
    throw refuse(
      layer,
      `its dataFormat is ${String(config.dataFormat)}: only channelsLast is supported`,
    );
  }
}

function paddingOf(layer: tf.layers.Layer, config: Config): "same" | "valid" {
  const p = config.padding ?? "valid";
  if (p !== "same" && p !== "valid") {
    throw refuse(layer, `its padding is ${String(p)}: only "same" and "valid" are supported`);
  }
  return p;
}

/**
 * Walks `model` (one input, one output) into a {@linkcode Graph}, then folds batch-norm.
 * Throws, naming the layer and its class, on anything it cannot export.
 */
export function traceGraph(model: tf.LayersModel): Graph {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new Error(
      `Cannot export embedder as it must have one input and one output: current counts are ${model.inputs.length} and ${model.outputs.length}`,
    );
  }
  const values = new Map<string, Value>();
  const ops: Op[] = [];
  const removed: string[] = [];
  const used = new Set<string>();
  const shapeOf = (t: tf.SymbolicTensor, what: string): number[] => {
    const shape = t.shape.slice(1);
    if (shape.some((d) => typeof d !== "number" || d < 1)) {
      throw new Error(
        `Cannot export embedder as ${what} has a shape that is not fixed: current shape is [${
          t.shape.map((d) => d ?? "null")
        }]`,
      );
    }
    if (t.dtype !== "float32") {
      throw new Error(`Cannot export embedder as ${what} is ${t.dtype}: expected float32`);
    }
    return shape as number[];
  };
  const newId = (base: string): string => {
    let id = base;
    for (let i = 2; used.has(id); i++) id = `${base}_${i}`;
    used.add(id);
    return id;
  };
  const input = newId("input");
  values.set(input, { shape: shapeOf(model.inputs[0], "the embedder's input") });

  const convert = (
    layer: tf.layers.Layer,
    inputs: string[],
    outTensor: tf.SymbolicTensor,
  ): string => {
    const cls = layer.getClassName();
    const config = layer.getConfig() as Config;
    if (TRAINING_ONLY.has(cls)) {
      removed.push(`${layer.name} (${cls})`);
      return inputs[0];
    }
    const inShape = values.get(inputs[0])?.shape ?? [];
    const outShape = shapeOf(outTensor, `the output of layer ${layer.name} (class ${cls})`);
    if (cls === "Flatten" && inShape.length === 1) return inputs[0];
    const output = newId(layer.name);
    values.set(output, { shape: outShape });
    const base = { name: layer.name, inputs, output };
    const w = () => weightsOf(layer);
    switch (cls) {
      case "Conv2D": {
        channelsLast(layer, config);
        const weights = w();
        const kernel = weights.get("kernel");
        if (!kernel || kernel.shape.length !== 4) throw refuse(layer, "it has no rank-4 kernel");
        ops.push({
          op: "conv2d",
          ...base,
          kernel: kernel.data,
          kernelShape: kernel.shape as [number, number, number, number],
          ...(weights.has("bias") ? { bias: weights.get("bias")?.data } : {}),
          strides: pair(config.strides ?? 1),
          dilations: pair(config.dilationRate ?? 1),
          padding: paddingOf(layer, config),
          activation: activationOf(layer, config),
        });
        break;
      }
      case "Dense": {
        const weights = w();
        const kernel = weights.get("kernel");
        if (!kernel || kernel.shape.length !== 2) throw refuse(layer, "it has no rank-2 kernel");
        ops.push({
          op: "dense",
          ...base,
          kernel: kernel.data,
          kernelShape: kernel.shape as [number, number],
          ...(weights.has("bias") ? { bias: weights.get("bias")?.data } : {}),
          activation: activationOf(layer, config),
        });
        break;
      }
      case "BatchNormalization": {
        const axis = Number(config.axis ?? -1);
        if (axis !== -1 && axis !== inShape.length) {
          throw refuse(
            layer,
            `it normalises axis ${axis}: only the last (channels) axis is supported`,
          );
        }
        const weights = w();
        const channels = inShape[inShape.length - 1];
        const mean = weights.get("moving_mean")?.data;
        const variance = weights.get("moving_variance")?.data;
        if (!mean || !variance) throw refuse(layer, "it has no moving statistics");
        ops.push({
          op: "batchNorm",
          ...base,
          gamma: weights.get("gamma")?.data ?? new Float32Array(channels).fill(1),
          beta: weights.get("beta")?.data ?? new Float32Array(channels),
          mean,
          variance,
          epsilon: Number(config.epsilon ?? 1e-3),
        });
        break;
      }
      case "Activation":
        ops.push({ op: "activation", ...base, activation: activationOf(layer, config) });
        break;
      case "MaxPooling2D":
      case "AveragePooling2D": {
        channelsLast(layer, config);
        const poolSize = pair(config.poolSize ?? 2);
        ops.push({
          op: "pool2d",
          ...base,
          kind: cls === "MaxPooling2D" ? "max" : "avg",
          poolSize,
          strides: config.strides == null ? poolSize : pair(config.strides),
          padding: paddingOf(layer, config),
        });
        break;
      }
      case "GlobalAveragePooling2D":
      case "GlobalMaxPooling2D":
        channelsLast(layer, config);
        ops.push({
          op: "globalPool2d",
          ...base,
          kind: cls === "GlobalMaxPooling2D" ? "max" : "avg",
        });
        break;
      case "Flatten":
        ops.push({ op: "flatten", ...base });
        break;
      case "Add":
        ops.push({ op: "add", ...base });
        break;
      case "L2Normalize":
        ops.push({ op: "l2Normalize", ...base, epsilon: Number(config.epsilon ?? 1e-12) });
        break;
      default:
        throw refuse(
          layer,
          `export does not support that class (supported: ${SUPPORTED_LAYERS.join(", ")})`,
        );
    }
    return output;
  };

  const resolve = (t: tf.SymbolicTensor, scope: Map<number, string>): string => {
    const known = scope.get(t.id);
    if (known !== undefined) return known;
    const layer = t.sourceLayer;
    const node = (layer as unknown as { inboundNodes: Node[] }).inboundNodes[t.nodeIndex];
    if (node === undefined || layer.getClassName() === "InputLayer") {
      throw new Error(
        `Cannot export embedder as its graph reaches ${layer.name} (class ${layer.getClassName()}) that is not connected to its input`,
      );
    }
    const inputs = node.inputTensors.map((x) => resolve(x, scope));
    if (layer instanceof tf.LayersModel) {
      // A nested model (a fromLayersModel backbone): inline its graph.
      if (layer.inputs.length !== inputs.length) {
        throw refuse(layer, `it takes ${layer.inputs.length} inputs but is given ${inputs.length}`);
      }
      const inner = new Map<number, string>();
      layer.inputs.forEach((x, i) => inner.set(x.id, inputs[i]));
      layer.outputs.forEach((o, i) => scope.set(node.outputTensors[i].id, resolve(o, inner)));
    } else {
      if (node.outputTensors.length !== 1) {
        throw refuse(layer, `it has ${node.outputTensors.length} outputs: expected 1`);
      }
      scope.set(node.outputTensors[0].id, convert(layer, inputs, node.outputTensors[0]));
    }
    const id = scope.get(t.id);
    if (id === undefined) throw refuse(layer, "its output could not be traced");
    return id;
  };

  const scope = new Map<number, string>([[model.inputs[0].id, input]]);
  const output = resolve(model.outputs[0], scope);
  if (output === input) {
    throw new Error("Cannot export embedder as it computes nothing: its output is its input");
  }
  shapeOf(model.outputs[0], "the embedder's output");
  return foldBatchNorm({ input, output, values, ops, removed, folded: [] });
}

/**
 * Folds each batch-norm into the convolution or dense layer before it, when that layer is
 * linear (no activation) and feeds only the batch-norm: `w' = w·a`, `b' = b·a + β − μ·a` with
 * `a = γ/√(σ² + ε)` per output channel (computed in float64). Other batch-norms stay.
 */
export function foldBatchNorm(graph: Graph): Graph {
  const consumers = new Map<string, number>();
  for (const op of graph.ops) {
    for (const i of op.inputs) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  }
  const producer = new Map<string, number>();
  const ops: (Op | undefined)[] = [...graph.ops];
  ops.forEach((op, i) => producer.set((op as Op).output, i));
  const folded: string[] = [];
  ops.forEach((op, i) => {
    if (op?.op !== "batchNorm") return;
    const at = producer.get(op.inputs[0]);
    const prev = at === undefined ? undefined : ops[at];
    if (
      prev === undefined || at === undefined || (prev.op !== "conv2d" && prev.op !== "dense") ||
      prev.activation !== "linear" || consumers.get(prev.output) !== 1 ||
      prev.output === graph.output
    ) {
      return;
    }
    const out = prev.kernelShape[prev.kernelShape.length - 1];
    const kernel = Float32Array.from(prev.kernel);
    const bias = new Float32Array(out);
    for (let c = 0; c < out; c++) {
      const a = op.gamma[c] / Math.sqrt(op.variance[c] + op.epsilon);
      bias[c] = ((prev.bias?.[c] ?? 0) - op.mean[c]) * a + op.beta[c];
      for (let k = c; k < kernel.length; k += out) kernel[k] = prev.kernel[k] * a;
    }
    // The folded layer takes the batch-norm's place and output.
    ops[at] = undefined;
    ops[i] = { ...prev, kernel, bias, output: op.output };
    folded.push(`${op.name} into ${prev.name}`);
  });
  const kept = ops.filter((op): op is Op => op !== undefined);
  return { ...graph, ops: kept, folded: [...graph.folded, ...folded] };
}
