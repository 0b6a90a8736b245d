import type { Dataset, NWayIndex, Rng, Sampler } from "../types.ts";
import {
  checkOptionsObject,
  drawPositive,
  indexDataset,
  shuffleInPlace,
} from "./_dataset_index.ts";

/** Options of {@linkcode nWay}. */
export interface NWayOptions<N extends number = number> {
  /** Items per tuple: anchor, positive and `n − 2` negatives; an integer from 2 to 1024
   * (4 gives quadruplets). */
  readonly n: N;
}

/**
 * Random N-way tuples of dataset indices, to feed an `nWay(n, branch)` model (the N-way
 * extension of triplets: `n = 3` draws triplets, `n = 4` quadruplets): `items[0]` the anchor,
 * `items[1]` a positive (another sample of the anchor's class) and `items[2…]` `n − 2`
 * negatives, **each from a different class**, none of them the anchor's.
 *
 * **One epoch** (one iteration of the returned sampler) uses every sample that can be an
 * anchor exactly once as the anchor, in a random order. A sample can be an anchor when its
 * class has at least two samples (samples of single-sample classes are never anchors but can be
 * negatives). The positive is uniform over the anchor's class mates; the negatives' classes
 * are a uniformly random set of `n − 2` distinct classes among the others (each class equally
 * likely, whatever its size), and each negative is uniform within its class. All indices of a
 * tuple are therefore distinct. Same rng seed, same stream.
 *
 * Errors (thrown when `nWay` is called, never during iteration) name the value seen: `n` not an
 * integer from 2 to 1024, an empty dataset, fewer than `n − 1` classes (the negatives need
 * `n − 2` classes besides the anchor's), or no class with two samples.
 *
 * @param dataset The samples to draw from (only `labels` and `size` are read).
 * @param options `n`, the number of items per tuple.
 * @returns A sampler yielding one epoch of {@linkcode NWayIndex}.
 *
 * @example
 * ```ts
 * import { nWay } from "./n_way.ts";
 * import { rng } from "./rng.ts";
 * const labels = Int32Array.from([0, 0, 1, 1, 2, 2, 3]);
 * const dataset = { images: new Float32Array(7), labels, shape: [1], size: 7, classNames: ["a", "b", "c", "d"] };
 * const epoch = [...nWay(dataset, { n: 4 })(rng(1))];
 * // samples 0..5 are anchors once each; 6 is alone in its class, so only ever a negative
 * if (epoch.length !== 6) throw new Error(`${epoch.length} tuples`);
 * for (const { items: [a, p, n1, n2] } of epoch) {
 *   if (labels[p] !== labels[a] || p === a) throw new Error("positive");
 *   const negatives = new Set([labels[a], labels[n1], labels[n2]]);
 *   if (negatives.size !== 3) throw new Error("negatives of two other, different classes");
 * }
 * ```
 */
export function nWay<N extends number>(
  dataset: Dataset,
  options: NWayOptions<N>,
): Sampler<NWayIndex<N>> {
  checkOptionsObject("sample nWay tuples", options);
  const n = (options as NWayOptions | undefined)?.n;
  if (!(Number.isInteger(n) && n! >= 2 && n! <= 1024)) {
    throw new RangeError(
      `Cannot sample nWay tuples as options.n must be an integer from 2 to 1024: current n is ${
        typeof n === "string" ? JSON.stringify(n) : n
      }`,
    );
  }
  const arity = n as number;
  const ix = indexDataset(dataset, "nWay tuples");
  if (ix.classes.length < arity - 1) {
    throw new RangeError(
      `Cannot sample nWay tuples with n = ${arity} as the dataset must hold at least n − 1 = ${
        arity - 1
      } classes (the anchor's and ${
        arity - 2
      } for the negatives): current classes are ${ix.classes.length}`,
    );
  }
  const anchors: number[] = [];
  for (let i = 0; i < ix.size; i++) if (ix.count.get(ix.labels[i])! >= 2) anchors.push(i);
  if (anchors.length === 0) {
    throw new RangeError(
      `Cannot sample nWay tuples as no class has 2 samples for a positive: all ${ix.classes.length} classes have 1 sample`,
    );
  }
  const classCount = ix.classes.length;
  return function* (rng: Rng): Iterable<NWayIndex<N>> {
    // `perm` is a permutation of class positions; `where[c]` is the slot of class position c.
    // Each tuple moves the anchor's class to the last slot, then partially shuffles the rest
    // (Fisher–Yates over the first n − 2 slots): a uniform set of distinct other classes.
    const perm = Int32Array.from({ length: classCount }, (_, c) => c);
    const where = Int32Array.from(perm);
    const position = new Map(ix.classes.map((label, c) => [label, c]));
    const swap = (i: number, j: number) => {
      const a = perm[i], b = perm[j];
      perm[i] = b;
      perm[j] = a;
      where[b] = i;
      where[a] = j;
    };
    const order = shuffleInPlace(Int32Array.from(anchors), rng);
    for (const anchor of order) {
      const items = new Array<number>(arity);
      items[0] = anchor;
      items[1] = drawPositive(ix, anchor, rng);
      swap(where[position.get(ix.labels[anchor])!], classCount - 1);
      for (let k = 0; k < arity - 2; k++) {
        swap(k, k + rng.int(classCount - 1 - k));
        const label = ix.classes[perm[k]];
        items[k + 2] = ix.order[ix.start.get(label)! + rng.int(ix.count.get(label)!)];
      }
      yield { kind: "nway", items } as unknown as NWayIndex<N>;
    }
  };
}
