/**
 * The classic network of the benchmark, built directly with tf.layers (not the DSL), and
 * its triplet training step. Mirrored layer for layer by `bench/pytorch_triplet.py`.
 *
 * Three blocks of [conv3×3 same, conv3×3 same, batchNorm, relu, spatial dropout, maxPool 2×2]
 * with 8, 16, 32 filters (no pool after the third), then flatten, dense 256, batchNorm, relu,
 * dense 32: 429,176 parameters (428,552 trainable) for a 28×28×1 input. Batch norm and ReLU
 * are the layers `compile` builds (tfjs-layers' own, with likeness's fused training kernels).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { makeOptimizer } from "../lib/compile/_optimizer.ts";
import { BatchNormalization } from "../lib/compile/_batch_norm_layer.ts";
import { Activation } from "../lib/compile/_activation_layer.ts";

/** Spatial dropout rate of each block (same in the PyTorch twin). */
export const dropoutRate = 0.1;
/** Triplet margin (euclidean distance of L2-normalised embeddings). */
export const margin = 1;
/** Adam learning rate (same in the PyTorch twin). */
export const learningRate = 1e-3;

/** Builds the classic network for `inputShape` (default 28×28×1), seeded. */
export function classicNetwork(
  inputShape: [number, number, number] = [28, 28, 1],
  options: { seed?: number; embedding?: number; dropout?: number } = {},
): tf.LayersModel {
  let seed = options.seed ?? 1;
  const init = () => tf.initializers.glorotUniform({ seed: seed++ });
  const input = tf.input({ shape: inputShape });
  let x: tf.SymbolicTensor = input;
  [8, 16, 32].forEach((filters, block) => {
    for (let i = 0; i < 2; i++) {
      x = tf.layers.conv2d({
        filters,
        kernelSize: 3,
        padding: "same",
        kernelInitializer: init(),
      }).apply(x) as tf.SymbolicTensor;
    }
    x = new BatchNormalization().apply(x) as tf.SymbolicTensor;
    x = new Activation({ activation: "relu" }).apply(x) as tf.SymbolicTensor;
    // Spatial dropout: one draw per image and channel. No `seed`: tfjs-layers' seeded
    // dropout draws the SAME mask at every step. `null` (batch) is read at run time but
    // not allowed by the type.
    x = tf.layers.dropout({
      rate: options.dropout ?? dropoutRate,
      noiseShape: [null, 1, 1, filters] as unknown as number[],
    })
      .apply(x) as tf.SymbolicTensor;
    if (block < 2) x = tf.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  });
  x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 256, kernelInitializer: init() }).apply(x) as tf.SymbolicTensor;
  x = new BatchNormalization().apply(x) as tf.SymbolicTensor;
  x = new Activation({ activation: "relu" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: options.embedding ?? 32, kernelInitializer: init() })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x });
}

/** Parameter counts: all weights and trainable ones. */
export function countParams(model: tf.LayersModel): { total: number; trainable: number } {
  const size = (ws: tf.LayerVariable[]) =>
    ws.reduce((s, w) => s + w.shape.reduce((a, b) => a! * b!, 1)!, 0);
  return { total: size(model.weights), trainable: size(model.trainableWeights) };
}

/** Mean triplet loss, margin 1, euclidean on L2-normalised embeddings. */
export function tripletLoss(
  anchor: tf.Tensor2D,
  positive: tf.Tensor2D,
  negative: tf.Tensor2D,
): tf.Scalar {
  return tf.tidy(() => {
    const dist = (a: tf.Tensor2D, b: tf.Tensor2D) =>
      tf.sqrt(tf.add(tf.sum(tf.square(tf.sub(a, b)), 1), 1e-12));
    const [a, p, n] = [anchor, positive, negative].map((t) =>
      tf.div(t, tf.norm(t, 2, 1, true)) as tf.Tensor2D
    );
    return tf.mean(tf.relu(tf.add(tf.sub(dist(a, p), dist(a, n)), margin)));
  });
}

/**
 * One Adam step on a batch of triplets: the three branches run in ONE batched call
 * (concatenate, run, split). Returns the loss (caller disposes).
 */
export function makeTripletStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer = makeOptimizer("adam", learningRate),
): (anchor: tf.Tensor4D, positive: tf.Tensor4D, negative: tf.Tensor4D) => tf.Scalar {
  return (anchor, positive, negative) =>
    tf.tidy(() => {
      const batch = anchor.shape[0];
      const images = tf.concat([anchor, positive, negative], 0);
      const loss = optimizer.minimize(() => {
        const out = model.apply(images, { training: true }) as tf.Tensor2D;
        const [a, p, n] = tf.split(out, [batch, batch, batch], 0) as tf.Tensor2D[];
        return tripletLoss(a, p, n);
      }, true) as tf.Scalar;
      return loss;
    });
}
