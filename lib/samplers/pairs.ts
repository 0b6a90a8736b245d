import type { Dataset, PairIndex, Rng, Sampler } from "../types.ts";
import {
  checkOptionsObject,
  drawNegative,
  drawPositive,
  indexDataset,
  shuffleInPlace,
} from "./_dataset_index.ts";

/**
 * Options of {@linkcode pairs}.
 *
 * @example
 * ```ts
 * import { pairs, type PairsOptions } from "./pairs.ts";
 * import { rng } from "./rng.ts";
 * const options: PairsOptions = { positiveFraction: 1 };
 * const d = { images: new Float32Array(4), labels: Int32Array.from([0, 0, 1, 1]), shape: [1], size: 4, classNames: ["a", "b"] };
 * if (![...pairs(d, options)(rng(0))].every((p) => p.same)) throw new Error("all positive");
 * ```
 */
export interface PairsOptions {
  /** Fraction of positive (same-class) pairs per epoch, in [0, 1]. Default 0.5. */
  readonly positiveFraction?: number;
}

/**
 * Random pairs of dataset indices labelled same-class or not.
 *
 * **One epoch** (one iteration of the returned sampler) uses every sample exactly once as the
 * `left` item, in a random order, and holds exactly `round(positiveFraction × size)` positive
 * pairs. Which lefts get a positive is drawn anew each epoch, uniformly among the samples
 * whose class has at least two samples (a sample alone in its class is always a negative
 * left). A positive's `right` is uniform over the other samples of the left's class (never the
 * left itself); a negative's `right` is uniform over the samples of other classes.
 *
 * Errors (thrown when `pairs` is called, never during iteration): an empty dataset, a
 * `positiveFraction` outside [0, 1], more positives wanted than samples able to have one, or
 * negatives wanted from a dataset of one class.
 *
 * @param dataset The samples to draw from (only `labels` and `size` are read).
 * @param options The positive fraction.
 * @returns A sampler yielding one epoch of {@linkcode PairIndex}.
 *
 * @example
 * ```ts
 * import { pairs } from "./pairs.ts";
 * import { rng } from "./rng.ts";
 * const labels = Int32Array.from([0, 0, 0, 1, 1, 1]);
 * const dataset = { images: new Float32Array(6), labels, shape: [1], size: 6, classNames: ["a", "b"] };
 * const epoch = [...pairs(dataset, { positiveFraction: 0.5 })(rng(7))];
 * if (epoch.length !== 6) throw new Error("one pair per sample");
 * if (epoch.filter((p) => p.same).length !== 3) throw new Error("half positive");
 * for (const p of epoch) {
 *   if (p.left === p.right) throw new Error("self pair");
 *   if (p.same !== (labels[p.left] === labels[p.right])) throw new Error("label");
 * }
 * ```
 */
export function pairs(dataset: Dataset, options: PairsOptions = {}): Sampler<PairIndex> {
  checkOptionsObject("sample pairs", options);
  const fraction = options.positiveFraction ?? 0.5;
  if (!(fraction >= 0 && fraction <= 1)) {
    throw new RangeError(
      `Cannot sample pairs as positiveFraction must be in [0, 1]: current positiveFraction is ${fraction}`,
    );
  }
  const ix = indexDataset(dataset, "pairs");
  const positives = Math.round(fraction * ix.size);
  const negatives = ix.size - positives;
  const eligible: number[] = [];
  for (let i = 0; i < ix.size; i++) if (ix.count.get(ix.labels[i])! >= 2) eligible.push(i);
  if (positives > eligible.length) {
    throw new RangeError(
      `Cannot sample pairs with positiveFraction ${fraction} as an epoch needs ${positives} positive pairs: only ${eligible.length} of ${ix.size} samples have another sample of their class`,
    );
  }
  if (negatives > 0 && ix.classes.length < 2) {
    throw new RangeError(
      `Cannot sample pairs with positiveFraction ${fraction} as negative pairs need at least 2 classes: current classes are [${ix.classes}]`,
    );
  }
  return function* (rng: Rng): Iterable<PairIndex> {
    const isPositive = new Uint8Array(ix.size);
    const pool = Int32Array.from(eligible);
    // Partial Fisher–Yates: the first `positives` entries become a uniform random subset.
    for (let i = 0; i < positives; i++) {
      const j = i + rng.int(pool.length - i);
      const t = pool[i];
      pool[i] = pool[j];
      pool[j] = t;
      isPositive[pool[i]] = 1;
    }
    const order = new Int32Array(ix.size);
    for (let i = 0; i < ix.size; i++) order[i] = i;
    shuffleInPlace(order, rng);
    for (const left of order) {
      const same = isPositive[left] === 1;
      const right = same ? drawPositive(ix, left, rng) : drawNegative(ix, left, rng);
      yield { kind: "pair", left, right, same };
    }
  };
}
