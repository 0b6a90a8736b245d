import type { Dataset, IndexTuple } from "../types.ts";
import { type TensorsOf, toTensors } from "./to_tensors.ts";
import { type LazyBatches, lazyBatches } from "../train/chain/lazy_batches.ts";

/**
 * Turns an iterable of index batches into an iterable of tensor batches, lazily and without
 * leaks (data-last, for `pipe`): a batch's tensors are created when the loop pulls it and
 * disposed when the loop pulls the next one, or leaves (end, `break`, `return` or `throw`).
 * So the step must use (or copy) a batch's tensors before asking for the next batch.
 *
 * The result is `train.lazyBatches(batches, toTensors(dataset))`: given to `fit`, a batch is
 * converted only for the step that trains on it and freed by `fit` alone, and a resumed run
 * skips the index batches of the steps already done without building their tensors.
 *
 * @param dataset The dataset the indices point into.
 * @returns A function from index batches to tensor batches.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { tensorBatches } from "./tensor_batches.ts";
 * import type { TripletIndex } from "../types.ts";
 * await tf.setBackend("cpu");
 * const d = { images: Float32Array.from([0, 0.5, 1, 0.25]), labels: Int32Array.from([0, 0, 1, 1]), shape: [1], size: 4, classNames: ["a", "b"] };
 * const batches: TripletIndex[][] = [
 *   [{ kind: "triplet", anchor: 0, positive: 1, negative: 2 }],
 *   [{ kind: "triplet", anchor: 3, positive: 2, negative: 1 }],
 * ];
 * const before = tf.memory().numTensors;
 * let sum = 0;
 * for (const t of tensorBatches(d)(batches)) sum += t.anchor.dataSync()[0];
 * if (sum !== 0.25) throw new Error(`sum ${sum}`);
 * if (tf.memory().numTensors !== before) throw new Error("leak");
 * ```
 */
export function tensorBatches(
  dataset: Dataset,
): <T extends IndexTuple>(
  batches: Iterable<readonly T[]>,
) => LazyBatches<readonly T[], TensorsOf<T>> {
  const convert = toTensors(dataset);
  return <T extends IndexTuple>(batches: Iterable<readonly T[]>) =>
    lazyBatches(batches, (indices: readonly T[]) => convert(indices));
}
