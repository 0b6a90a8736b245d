import * as tf from "@tensorflow/tfjs";
import type { Labelled, Loss, LossContext, Tensor1D } from "../types.ts";
import { itemsPerAnchor } from "./_anchors.ts";
import { labelChecks, labelPoison } from "./_device_labels.ts";

/**
 * Weights a labelled-batch loss by class, as pytorch-metric-learning's
 * `ClassWeightedReducer`: every per-item value is multiplied by `weights[c]`, where `c` is the
 * label of the row that anchors it, and the loss's own reducer is kept. For a loss reduced by
 * `mean` (one value per row, e.g. `multiSimilarity`), or by `sum` over per-anchor shares of a
 * mean (`ntXent`, `nPairs`, `angular`), this is pml's `mean(losses · weights[labels[anchor]])`.
 *
 * Labels must be integers in `[0, weights.length)`: on CPU-side backends (cpu, wasm, native)
 * each batch's labels are read and a bad one throws, naming it; on GPU backends (webgpu,
 * webgl) they are checked on the device with no read-back, and a bad one makes the values
 * NaN (which `fit` stops on). And the loss's per-item values anchor-major: one per row, per pair or per triplet in
 * row order, as the built-in labelled losses lay them out.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { classWeighted } from "./class_weighted.ts";
 * import { fromPerItem } from "./from_per_item.ts";
 * import type { Labelled } from "../types.ts";
 * await tf.setBackend("cpu");
 * // A loss of 1 per row, with class 1 weighted 3: rows of classes 0, 1, 1 give (1 + 3 + 3) / 3.
 * const ones = fromPerItem("ones", (x: Labelled) => tf.ones([x.embeddings.shape[0]]) as tf.Tensor1D);
 * const loss = classWeighted(ones, [1, 3]);
 * const input = { kind: "labelled" as const, embeddings: tf.zeros([3, 2]) as tf.Tensor2D, labels: tf.tensor1d([0, 1, 1], "int32") };
 * if (Math.abs(loss.reduce(loss.perItem(input)).dataSync()[0] - 7 / 3) > 1e-6) throw new Error("weights");
 * ```
 */
export function classWeighted(loss: Loss<Labelled>, weights: ArrayLike<number>): Loss<Labelled> {
  if (typeof loss !== "object" || loss === null || typeof loss.perItem !== "function") {
    throw new Error(`Cannot create classWeighted as loss must be a Loss: current value is ${loss}`);
  }
  const w = Array.from(weights ?? [], Number);
  if (w.length === 0 || w.some((v) => !Number.isFinite(v) || v < 0)) {
    throw new Error(
      `Cannot create classWeighted(${loss.name}) as weights must be a non-empty list of finite numbers ≥ 0: current value is [${w}]`,
    );
  }
  const what = `class-weighted ${loss.name}`;
  return {
    name: what,
    reduce: loss.reduce,
    ...(loss.distance ? { distance: loss.distance } : {}),
    ...(loss.head ? { head: loss.head } : {}),
    ...(loss.parameters ? { parameters: loss.parameters } : {}),
    ...(loss.buffers ? { buffers: loss.buffers } : {}),
    ...(loss.acceptsReference ? { acceptsReference: true } : {}),
    perItem: (input: Labelled, context?: LossContext): Tensor1D => {
      if (labelChecks.onDevice()) {
        // no read-back: weights gathered on the device, a bad label makes the values NaN
        return tf.tidy(() => {
          const values = loss.perItem(input, context);
          const k = itemsPerAnchor(what, input, values);
          if (k === 0) return values;
          const index = tf.clipByValue(tf.cast(input.labels, "int32"), 0, w.length - 1);
          const perRow = tf.add(
            tf.gather(tf.tensor1d(w), index),
            labelPoison(input.labels, w.length),
          );
          const scale = tf.reshape(tf.tile(tf.expandDims(perRow, 1), [1, k]), [-1]);
          return tf.mul(values, scale) as Tensor1D;
        });
      }
      const labels = input.labels.dataSync();
      const bad = labels.findIndex((l) => !Number.isInteger(l) || l < 0 || l >= w.length);
      if (bad >= 0) {
        throw new Error(
          `Cannot compute ${what} as labels must be integers in [0, ${w.length}) to index the weights: label ${
            labels[bad]
          } at row ${bad}`,
        );
      }
      return tf.tidy(() => {
        const values = loss.perItem(input, context);
        const k = itemsPerAnchor(what, input, values);
        if (k === 0) return values;
        const perRow = tf.tensor1d(Array.from(labels, (l) => w[l]));
        const scale = tf.reshape(tf.tile(tf.expandDims(perRow, 1), [1, k]), [-1]);
        return tf.mul(values, scale) as Tensor1D;
      });
    },
  };
}
