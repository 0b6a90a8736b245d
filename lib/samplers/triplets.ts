import type { Dataset, Rng, Sampler, TripletIndex } from "../types.ts";
import { drawNegative, drawPositive, indexDataset, shuffleInPlace } from "./_dataset_index.ts";

/**
 * Random triplets of dataset indices: an anchor, a positive (another sample of the anchor's
 * class) and a negative (a sample of any other class).
 *
 * **One epoch** (one iteration of the returned sampler) uses every sample that can be an
 * anchor exactly once as the anchor, in a random order. A sample can be an anchor when its
 * class has at least two samples; samples of single-sample classes are never anchors (they
 * have no positive) but can still be negatives. The positive is uniform over the anchor's
 * class (never the anchor itself); the negative is uniform over all samples of other classes
 * (so other classes are drawn in proportion to their size). Iterate again, or use
 * {@linkcode repeat}, for more epochs: each epoch draws a new order from the same rng.
 *
 * Errors (thrown when `triplets` is called, never during iteration): an empty dataset, a
 * dataset with fewer than two classes, or no class with two samples.
 *
 * @param dataset The samples to draw from (only `labels` and `size` are read).
 * @returns A sampler yielding one epoch of {@linkcode TripletIndex}.
 *
 * @example
 * ```ts
 * import { triplets } from "./triplets.ts";
 * import { rng } from "./rng.ts";
 * const labels = Int32Array.from([0, 0, 1, 1, 2]);
 * const dataset = { images: new Float32Array(5), labels, shape: [1], size: 5, classNames: ["a", "b", "c"] };
 * const epoch = [...triplets(dataset)(rng(1))];
 * if (epoch.length !== 4) throw new Error("samples 0..3 are anchors, 4 is alone in its class");
 * for (const t of epoch) {
 *   if (labels[t.anchor] !== labels[t.positive] || t.anchor === t.positive) throw new Error("positive");
 *   if (labels[t.anchor] === labels[t.negative]) throw new Error("negative");
 * }
 * ```
 */
export function triplets(dataset: Dataset): Sampler<TripletIndex> {
  const ix = indexDataset(dataset, "triplets");
  if (ix.classes.length < 2) {
    throw new RangeError(
      `Cannot sample triplets as the dataset must hold at least 2 classes for negatives: current classes are [${ix.classes}]`,
    );
  }
  const anchors: number[] = [];
  for (let i = 0; i < ix.size; i++) if (ix.count.get(ix.labels[i])! >= 2) anchors.push(i);
  if (anchors.length === 0) {
    throw new RangeError(
      `Cannot sample triplets as no class has 2 samples for a positive: all ${ix.classes.length} classes have 1 sample`,
    );
  }
  return function* (rng: Rng): Iterable<TripletIndex> {
    const order = shuffleInPlace(Int32Array.from(anchors), rng);
    for (const anchor of order) {
      const positive = drawPositive(ix, anchor, rng);
      const negative = drawNegative(ix, anchor, rng);
      yield { kind: "triplet", anchor, positive, negative };
    }
  };
}
