import * as tf from "@tensorflow/tfjs";
import type { Dataset, Tensor2D } from "../types.ts";
import type { EmbeddingSet } from "../metrics/embedding_set.ts";
import { isImageDataset } from "../data/image_dataset.ts";
import type { Embedder } from "./embedder.ts";

/**
 * Options of {@linkcode embed}.
 *
 * @example
 * ```ts
 * import type { EmbedOptions } from "./embed.ts";
 * const options: EmbedOptions = { batchSize: 256 };
 * if (options.batchSize !== 256) throw new Error("batch size");
 * ```
 */
export interface EmbedOptions {
  /** Items per forward pass (default 500): bounds memory. */
  readonly batchSize?: number;
}

const shapeText = (shape: readonly unknown[]) => `[${shape.join(", ")}]`;

/**
 * Embeds every item of `dataset` with `embedder`'s network (inference mode), `batchSize`
 * items at a time, and returns the rows with the dataset's labels: the
 * {@linkcode EmbeddingSet} the metrics and galleries take. The one chunked embedding loop:
 * in-memory datasets are sliced, image datasets (`data.imageFolder`, …) decoded chunk by
 * chunk through their cache. Frees every tensor it makes. Errors name the argument: a
 * dataset whose item shape is not the embedder's input shape, an empty dataset, a batch
 * size that is not a positive integer, and a network that outputs NaN or ±Infinity (with
 * the item's index).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { embed } from "./embed.ts";
 * import { makeDataset } from "../data/make_dataset.ts";
 * import { euclidean } from "../distances/mod.ts";
 * import { fingerprintWeights } from "../gallery/mod.ts";
 * await tf.setBackend("cpu");
 * // a "network" that doubles its two inputs
 * const network = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 2, useBias: false, weights: [tf.tensor2d([[2, 0], [0, 2]])] })] });
 * const embedder = {
 *   network, inputShape: [2], embeddingSize: 2, normalisation: "none", distance: euclidean,
 *   fingerprint: fingerprintWeights([]), provenance: { kind: null, loss: null, seed: null, steps: null, spec: null },
 * };
 * const data = makeDataset({ images: Uint8Array.from([255, 0, 0, 255, 255, 255]), labels: [0, 1, 1], shape: [2], classNames: ["a", "b"] });
 * const set = await embed(embedder, data, { batchSize: 2 });
 * if (set.dim !== 2 || set.embeddings.join() !== "2,0,0,2,2,2" || set.labels.join() !== "0,1,1") throw new Error(`${set.embeddings}`);
 * network.dispose();
 * ```
 */
export async function embed(
  embedder: Embedder,
  dataset: Dataset,
  options: EmbedOptions = {},
): Promise<EmbeddingSet & { readonly embeddings: Float32Array }> {
  const what = "embed dataset";
  if (embedder === null || typeof embedder !== "object" || !embedder.network) {
    throw new TypeError(
      `Cannot ${what} as embedder must be an Embedder (embedderOf(program) or loadEmbedder(dir)): current value is ${
        String(embedder)
      }`,
    );
  }
  if (dataset === null || typeof dataset !== "object" || !Array.isArray(dataset.shape)) {
    throw new TypeError(`Cannot ${what} as dataset must be a Dataset: current value is ${dataset}`);
  }
  const batchSize = options.batchSize ?? 500;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new RangeError(
      `Cannot ${what} as options.batchSize must be a positive integer: current value is ${batchSize}`,
    );
  }
  const shape = embedder.inputShape;
  if (dataset.shape.length !== shape.length || dataset.shape.some((d, i) => d !== shape[i])) {
    throw new Error(
      `Cannot ${what} as dataset items have shape ${
        shapeText(dataset.shape)
      } but the embedder takes ${shapeText(shape)}`,
    );
  }
  const n = dataset.size;
  if (!Number.isSafeInteger(n) || n < 1 || dataset.labels?.length !== n) {
    throw new RangeError(
      `Cannot ${what} as dataset must hold at least one item with one label each: current size is ${n}, labels ${dataset.labels?.length}`,
    );
  }
  const per = shape.reduce((a, b) => a * b, 1);
  const dim = embedder.embeddingSize;
  const embeddings = new Float32Array(n * dim);
  const lazy = isImageDataset(dataset) ? dataset : undefined;
  const images = lazy === undefined ? dataset.images : undefined;
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    let pixels: Float32Array;
    if (lazy !== undefined) {
      const indices = Array.from({ length: size }, (_, k) => start + k);
      pixels = new Float32Array(size * per);
      (await lazy.load(indices)).forEach((p, k) => pixels.set(p, k * per));
    } else {
      pixels = (images as Float32Array).subarray(start * per, (start + size) * per);
    }
    const y = tf.tidy(() => {
      const x = tf.tensor(pixels, [size, ...shape]);
      return embedder.network.predict(x, { batchSize: size }) as Tensor2D;
    });
    try {
      if (y.rank !== 2 || y.shape[0] !== size || y.shape[1] !== dim) {
        throw new Error(
          `Cannot ${what} as the network outputs shape ${
            shapeText(y.shape)
          }: expected [${size}, ${dim}] (the embedder's embeddingSize)`,
        );
      }
      embeddings.set(await y.data() as Float32Array, start * dim);
    } finally {
      y.dispose();
    }
  }
  for (let i = 0; i < embeddings.length; i++) {
    if (!Number.isFinite(embeddings[i])) {
      throw new Error(
        `Cannot ${what} as the network gives ${embeddings[i]} for item ${
          Math.floor(i / dim)
        } of the dataset: a model with non-finite embeddings cannot be evaluated or searched`,
      );
    }
  }
  return { embeddings, labels: dataset.labels, dim };
}
