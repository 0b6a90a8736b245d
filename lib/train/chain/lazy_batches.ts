import { disposeBatch } from "../_batch.ts";
import { type AnyIterator, iteratorOf } from "./_util.ts";

/** Where a conversion is: the step about to run (0-based: steps done so far) and its epoch. */
export interface BatchAt {
  /** Steps done before the batch's step (0 for the first). */
  readonly step: number;
  /** 0-based epoch of the batch's step. */
  readonly epoch: number;
}

/**
 * Batches as cheap indices plus a conversion to tensors, made by {@linkcode lazyBatches}:
 * `fit` converts a batch only for the step that trains on it, so resuming at step N draws N
 * index batches (no tensors) and converts from step N on.
 *
 * Iterated directly (`for await`, or `for … of` when the indices and the conversion are
 * synchronous), it converts every batch and disposes each when the next is pulled or the loop
 * leaves (as `data.tensorBatches` does), so it can stand in for `tensorBatches`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { lazyBatches, type LazyBatches } from "./lazy_batches.ts";
 * await tf.setBackend("cpu");
 * const b: LazyBatches<number, tf.Tensor> = lazyBatches([1, 2], (n) => tf.scalar(n));
 * const seen: number[] = [];
 * for await (const t of b) seen.push(t.dataSync()[0]);
 * if (seen.join() !== "1,2" || !b.lazy) throw new Error(seen.join());
 * ```
 */
export interface LazyBatches<I, B> extends AsyncIterable<B>, Iterable<B> {
  /** Marks the lazy form (what `fit` looks for). */
  readonly lazy: true;
  /** The index batches: an iterable read across epochs, or a function of the 0-based epoch. */
  readonly indices:
    | Iterable<I>
    | AsyncIterable<I>
    | ((epoch: number) => Iterable<I> | AsyncIterable<I>);
  /**
   * Turns one index batch into the tensor batch of the step at `at`. Its tensors belong to
   * the caller (`fit` disposes them after the step). A random conversion (augmentation) that
   * takes its randomness from `at` (e.g. an rng seeded by seed and `at.step`) resumes exactly.
   */
  convert(indices: I, at: BatchAt): B | Promise<B>;
}

/**
 * Pairs a stream of index batches (e.g. a seeded sampler pipe) with the conversion of one index
 * batch to tensors (e.g. `data.toTensors(dataset)`), for `fit`: it owns every converted batch
 * (one owner: it frees each after its step), converts only the batches it trains on, and on
 * resume skips the index batches of the steps already done without building their tensors;
 * the seeded index stream replays the same draws, so the resumed run continues exactly.
 *
 * `indices` follows the rules of `fit`'s `Batches`: with `stepsPerEpoch` an iterable is read once
 * across all epochs; without, it is iterated afresh each epoch; a function of the epoch is
 * called once per epoch.
 *
 * @param indices The index batches.
 * @param convert Index batch (and where it is trained) to tensor batch.
 * @returns The lazy batches, for `fit`, `fitToEnd` or `steps`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { lazyBatches } from "./lazy_batches.ts";
 * import { fitToEnd } from "../fit_to_end.ts";
 * await tf.setBackend("cpu");
 * // A program whose loss is its batch's mean (it trains nothing).
 * const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });
 * const program = { embedder, optimizer: tf.train.sgd(0.1), setLearningRate: () => {}, trainStep: (x: tf.Tensor) => tf.mean(x) as tf.Scalar };
 * // Endless index batches 0, 1, 2, …; each becomes a [1, 1] tensor only when trained on.
 * function* counting() { for (let i = 0; ; i++) yield i; }
 * const converted: number[] = [];
 * const batches = lazyBatches(counting(), (i: number) => (converted.push(i), tf.fill([1, 1], i)));
 * const before = tf.memory().numTensors;
 * const history = await fitToEnd(program, batches, { steps: 3, stepsPerEpoch: 2, progress: "none" });
 * if (history.loss.join() !== "0,1,2" || converted.join() !== "0,1,2") throw new Error(`${converted}`);
 * if (tf.memory().numTensors !== before) throw new Error("leak");
 * ```
 */
export function lazyBatches<I, B>(
  indices: LazyBatches<I, B>["indices"],
  convert: (indices: I, at: BatchAt) => B | Promise<B>,
): LazyBatches<I, B> {
  if (typeof convert !== "function") {
    throw new Error(
      `Cannot make lazy batches as convert must be a function (index batch) => tensor batch: current value is ${typeof convert}`,
    );
  }
  const iterable = (v: unknown) =>
    v !== null && typeof v === "object" &&
    (Symbol.iterator in (v as object) || Symbol.asyncIterator in (v as object));
  if (typeof indices !== "function" && !iterable(indices)) {
    throw new Error(
      `Cannot make lazy batches as indices must be an iterable, an async iterable or a function of the epoch: current value is ${
        indices === null ? "null" : typeof indices
      }`,
    );
  }
  return {
    lazy: true,
    indices,
    convert,
    *[Symbol.iterator]() {
      if (typeof indices === "function" || !(Symbol.iterator in indices)) {
        throw new Error(
          "Cannot iterate lazy batches synchronously as their indices are a function of the epoch or an async iterable: use for await, or pass them to fit",
        );
      }
      let step = 0;
      for (const ix of indices as Iterable<I>) {
        const batch = convert(ix, { step, epoch: 0 });
        if (batch instanceof Promise) {
          batch.then(disposeBatch, () => {});
          throw new Error(
            "Cannot iterate lazy batches synchronously as convert returned a promise: use for await, or pass them to fit",
          );
        }
        step += 1;
        try {
          yield batch;
        } finally {
          disposeBatch(batch);
        }
      }
    },
    async *[Symbol.asyncIterator]() {
      if (typeof indices === "function") {
        throw new Error(
          "Cannot iterate lazy batches whose indices are a function of the epoch: pass them to fit, which calls it per epoch",
        );
      }
      const it: AnyIterator<I> = iteratorOf(indices, "indices");
      let step = 0;
      try {
        while (true) {
          const r = await it.next();
          if (r.done) return;
          const batch = await convert(r.value, { step, epoch: 0 });
          step += 1;
          try {
            yield batch;
          } finally {
            disposeBatch(batch);
          }
        }
      } finally {
        await it.return?.();
      }
    },
  };
}

/** Whether `batches` is the lazy form of {@linkcode lazyBatches}. */
export const isLazyBatches = (batches: unknown): batches is LazyBatches<unknown, unknown> =>
  batches !== null && typeof batches === "object" &&
  (batches as { lazy?: unknown }).lazy === true &&
  typeof (batches as { convert?: unknown }).convert === "function" &&
  "indices" in (batches as object);
