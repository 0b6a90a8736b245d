/**
 * Writes a {@linkcode Graph} as a TensorFlow.js layers model made only of stock tfjs layers:
 * what `tf.loadLayersModel` reads with no likeness code.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Graph, Op } from "./_graph.ts";

/** A model.json object and its weights.bin bytes. */
export interface TfjsArtifacts {
  /** The parsed model.json (topology, weights manifest naming `weights.bin`, metadata). */
  readonly modelJson: Record<string, unknown>;
  /** The bytes of weights.bin. */
  readonly weights: Uint8Array;
}

/**
 * L2 normalisation of the last axis with stock layers only (tfjs has no such layer):
 * `z = [x, −x]` has mean 0 and variance ‖x‖²/d, so a LayerNormalization without centre and
 * scale gives `z / √(‖x‖²/d + ε')`, and a dense layer keeps the first half times 1/√d:
 * `x / √(‖x‖² + d·ε')`. With `ε' = ε²/d` that is likeness's `x / max(‖x‖, ε)` (to float
 * rounding; exactly 0 at `x = 0`).
 */
function l2Layers(
  name: string,
  d: number,
  epsilon: number,
  keep: (t: tf.Tensor) => tf.Tensor,
): tf.layers.Layer[] {
  const mirror = new Float32Array(d * 2 * d);
  const take = new Float32Array(2 * d * d);
  for (let i = 0; i < d; i++) {
    mirror[i * 2 * d + i] = 1;
    mirror[i * 2 * d + d + i] = -1;
    take[i * d + i] = 1 / Math.sqrt(d);
  }
  return [
    tf.layers.dense({
      name: `${name}_mirror`,
      units: 2 * d,
      useBias: false,
      weights: [keep(tf.tensor2d(mirror, [d, 2 * d]))],
    }),
    tf.layers.layerNormalization({
      name: `${name}_norm`,
      axis: -1,
      epsilon: (epsilon * epsilon) / d,
      center: false,
      scale: false,
    }),
    tf.layers.dense({
      name: `${name}_take`,
      units: d,
      useBias: false,
      weights: [keep(tf.tensor2d(take, [2 * d, d]))],
    }),
  ];
}

function layersFor(
  op: Op,
  shape: readonly number[],
  keep: (t: tf.Tensor) => tf.Tensor,
): tf.layers.Layer[] {
  const name = op.name;
  switch (op.op) {
    case "conv2d":
      return [tf.layers.conv2d({
        name,
        filters: op.kernelShape[3],
        kernelSize: [op.kernelShape[0], op.kernelShape[1]],
        strides: [...op.strides],
        dilationRate: [...op.dilations],
        padding: op.padding,
        activation: op.activation,
        useBias: op.bias !== undefined,
        weights: [
          keep(tf.tensor4d(op.kernel, [...op.kernelShape])),
          ...(op.bias ? [keep(tf.tensor1d(op.bias))] : []),
        ],
      })];
    case "dense":
      return [tf.layers.dense({
        name,
        units: op.kernelShape[1],
        activation: op.activation,
        useBias: op.bias !== undefined,
        weights: [
          keep(tf.tensor2d(op.kernel, [...op.kernelShape])),
          ...(op.bias ? [keep(tf.tensor1d(op.bias))] : []),
        ],
      })];
    case "batchNorm":
      return [tf.layers.batchNormalization({
        name,
        axis: -1,
        epsilon: op.epsilon,
        weights: [op.gamma, op.beta, op.mean, op.variance].map((v) => keep(tf.tensor1d(v))),
      })];
    case "activation":
      return [tf.layers.activation({ name, activation: op.activation })];
    case "pool2d": {
      const args = {
        name,
        poolSize: [...op.poolSize] as [number, number],
        strides: [...op.strides] as [number, number],
        padding: op.padding,
      };
      return [op.kind === "max" ? tf.layers.maxPooling2d(args) : tf.layers.averagePooling2d(args)];
    }
    case "globalPool2d":
      return [
        op.kind === "max"
          ? tf.layers.globalMaxPooling2d({ name })
          : tf.layers.globalAveragePooling2d({ name }),
      ];
    case "flatten":
      return [tf.layers.flatten({ name })];
    case "add":
      return [tf.layers.add({ name })];
    case "l2Normalize":
      return l2Layers(name, shape[shape.length - 1], op.epsilon, keep);
  }
}

/**
 * Builds `graph` as a tfjs model of stock layers (weights copied in). The caller disposes it.
 */
export function buildTfjsModel(graph: Graph): tf.LayersModel {
  const kept: tf.Tensor[] = [];
  const keep = (t: tf.Tensor) => {
    kept.push(t);
    return t;
  };
  const created: tf.layers.Layer[] = [];
  try {
    const inputShape = graph.values.get(graph.input)?.shape ?? [];
    const input = tf.input({ shape: [...inputShape], name: "input" });
    const symbols = new Map<string, tf.SymbolicTensor>([[graph.input, input]]);
    for (const op of graph.ops) {
      const inputs = op.inputs.map((id) => symbols.get(id) as tf.SymbolicTensor);
      const shape = graph.values.get(op.inputs[0])?.shape ?? [];
      let y: tf.SymbolicTensor | tf.SymbolicTensor[] = inputs.length === 1 ? inputs[0] : inputs;
      for (const layer of layersFor(op, shape, keep)) {
        created.push(layer);
        y = layer.apply(y) as tf.SymbolicTensor;
      }
      symbols.set(op.output, y as tf.SymbolicTensor);
    }
    return tf.model({
      inputs: input,
      outputs: symbols.get(graph.output) as tf.SymbolicTensor,
      name: "embedder",
    });
  } catch (error) {
    for (const layer of created) {
      try {
        layer.dispose();
      } catch {
        // Never built: holds no weights.
      }
    }
    throw error;
  } finally {
    tf.dispose(kept);
  }
}

/** Serialises a stock tfjs model as model.json (naming weights.bin) and the weights' bytes. */
export async function tfjsArtifacts(
  model: tf.LayersModel,
  metadata: Record<string, unknown>,
): Promise<TfjsArtifacts> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler((a) => {
    artifacts = a;
    return Promise.resolve({ modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) });
  }));
  if (artifacts === undefined) throw new Error("Cannot export embedder as tfjs gave no artifacts");
  const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? []));
  return {
    modelJson: {
      format: "layers-model",
      generatedBy: artifacts.generatedBy,
      convertedBy: "likeness exportEmbedder",
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths: ["weights.bin"], weights: artifacts.weightSpecs ?? [] }],
      userDefinedMetadata: { likeness: metadata },
    },
    weights,
  };
}
