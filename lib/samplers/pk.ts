import type { Dataset, LabelledIndex, Rng, Sampler } from "../types.ts";
import {
  checkInteger,
  checkOptionsObject,
  indexDataset,
  shuffleInPlace,
} from "./_dataset_index.ts";

/**
 * Options of {@linkcode pk}.
 *
 * @example
 * ```ts
 * import { pk, type PkOptions } from "./pk.ts";
 * import { rng } from "./rng.ts";
 * const labels = Int32Array.from([0, 0, 1, 1, 2, 2]);
 * const dataset = { images: new Float32Array(6), labels, shape: [1], size: 6, classNames: ["a", "b", "c"] };
 * const options: PkOptions = { p: 3, k: 2 };
 * // one batch: 3 classes × 2 samples, i.e. all six samples
 * const batches = [...pk(dataset, options)(rng(1))];
 * if (batches.length !== 1) throw new Error(`${batches.length} batches`);
 * if (batches[0].map((x) => x.index).sort().join() !== "0,1,2,3,4,5") throw new Error("every sample once");
 * ```
 */
export interface PkOptions {
  /** Classes per batch (an integer ≥ 1). */
  readonly p: number;
  /** Samples per class per batch (an integer ≥ 1). */
  readonly k: number;
}

/**
 * Class-balanced batches for in-batch mining: each batch holds exactly `p` distinct classes ×
 * `k` distinct samples of each (`p × k` items, grouped by class, `k` consecutive items per
 * class).
 *
 * **One epoch** (one iteration of the returned sampler) covers every sample at least once:
 * each class's samples are shuffled and cut into groups of `k`; a last, incomplete group is
 * topped up with other random samples of the same class. Each batch then takes the `p` classes
 * with the most groups left (ties broken at random); when fewer than `p` classes have groups
 * left, the batch is completed with fresh random groups of other classes. So an epoch has
 * `max(most groups of one class, ceil(groups / p))` batches, the fewest possible, and only
 * the top-ups and completions repeat samples (none when every class size is a multiple of `k`
 * and the group counts divide evenly).
 *
 * Errors (thrown when `pk` is called, never during iteration): an empty dataset, `p` or `k` not
 * an integer ≥ 1, fewer than `p` classes, or a class with fewer than `k` samples (filter such
 * classes out first, or lower `k`).
 *
 * @param dataset The samples to draw from (only `labels` and `size` are read).
 * @param options `p` classes × `k` samples.
 * @returns A sampler yielding one epoch of batches of {@linkcode LabelledIndex}.
 *
 * @example
 * ```ts
 * import { pk } from "./pk.ts";
 * import { rng } from "./rng.ts";
 * const labels = Int32Array.from([0, 0, 1, 1, 2, 2, 3, 3]);
 * const dataset = { images: new Float32Array(8), labels, shape: [1], size: 8, classNames: ["a", "b", "c", "d"] };
 * const batches = [...pk(dataset, { p: 2, k: 2 })(rng(3))];
 * if (batches.length !== 2) throw new Error("8 samples = 4 groups of 2 = 2 batches of 2 groups");
 * for (const b of batches) {
 *   if (b.length !== 4 || new Set(b.map((x) => x.label)).size !== 2) throw new Error("p × k");
 * }
 * ```
 */
export function pk(dataset: Dataset, options: PkOptions): Sampler<readonly LabelledIndex[]> {
  checkOptionsObject("sample pk batches", options);
  const { p, k } = options ?? ({} as PkOptions);
  checkInteger("sample pk batches", "p", p, 1);
  checkInteger("sample pk batches", "k", k, 1);
  const ix = indexDataset(dataset, "pk batches");
  if (ix.classes.length < p) {
    throw new RangeError(
      `Cannot sample pk batches with p = ${p} as the dataset holds only ${ix.classes.length} classes: current classes are [${ix.classes}]`,
    );
  }
  for (const c of ix.classes) {
    const n = ix.count.get(c)!;
    if (n < k) {
      const name = dataset.classNames?.[c];
      throw new RangeError(
        `Cannot sample pk batches with k = ${k} as class ${c}${
          name === undefined ? "" : ` ("${name}")`
        } has only ${n} samples: filter it out or lower k`,
      );
    }
  }
  const members = (c: number): Int32Array => {
    const s = ix.start.get(c)!;
    return ix.order.slice(s, s + ix.count.get(c)!);
  };
  const label = (i: number): LabelledIndex => ({ kind: "labelled", index: i, label: ix.labels[i] });
  /** k distinct random samples of class c. */
  const freshGroup = (c: number, rng: Rng): number[] => {
    const pool = members(c);
    for (let i = 0; i < k; i++) {
      const j = i + rng.int(pool.length - i);
      const t = pool[i];
      pool[i] = pool[j];
      pool[j] = t;
    }
    return [...pool.subarray(0, k)];
  };
  return function* (rng: Rng): Iterable<readonly LabelledIndex[]> {
    const groups = new Map<number, number[][]>();
    for (const c of ix.classes) {
      const shuffled = shuffleInPlace(members(c), rng);
      const list: number[][] = [];
      for (let s = 0; s < shuffled.length; s += k) {
        const g = [...shuffled.subarray(s, s + k)];
        // Top up the last group with samples of its class not already in it: the shuffled
        // prefix before it is a uniform random choice of those.
        for (let t = 0; g.length < k; t++) g.push(shuffled[t]);
        list.push(g);
      }
      groups.set(c, list);
    }
    let left = 0;
    for (const list of groups.values()) left += list.length;
    while (left > 0) {
      const chosen: number[] = [];
      const batch: LabelledIndex[] = [];
      // The p classes with the most groups left, ties broken at random: this keeps the epoch
      // as short as possible (max(most groups of a class, ceil(groups / p)) batches).
      const key = new Map(ix.classes.map((c) => [c, rng.float()]));
      const ranked = ix.classes
        .filter((c) => groups.get(c)!.length > 0)
        .sort((a, b) => groups.get(b)!.length - groups.get(a)!.length || key.get(a)! - key.get(b)!);
      for (const c of ranked.slice(0, p)) {
        chosen.push(c);
        for (const i of groups.get(c)!.pop()!) batch.push(label(i));
        left--;
      }
      // Fewer than p classes had groups left: complete with fresh groups of other classes.
      while (chosen.length < p) {
        const others = ix.classes.filter((c) => !chosen.includes(c));
        const c = others[rng.int(others.length)];
        chosen.push(c);
        for (const i of freshGroup(c, rng)) batch.push(label(i));
      }
      yield batch;
    }
  };
}
