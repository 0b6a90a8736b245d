import type { Dataset, Rng } from "../types.ts";

/**
 * Samples grouped by class, for O(1) draws of "another sample of my class" and "a sample of
 * another class". Private to the samplers.
 */
export interface DatasetIndex {
  /** Number of samples. */
  readonly size: number;
  /** Labels, as in the dataset. */
  readonly labels: Int32Array;
  /** Sample indices sorted by class (stable). */
  readonly order: Int32Array;
  /** `rank[i]`: position of sample i inside `order`. */
  readonly rank: Int32Array;
  /** Class labels present, ascending. */
  readonly classes: readonly number[];
  /** Start of each present class's run in `order`, keyed by label. */
  readonly start: ReadonlyMap<number, number>;
  /** Count of each present class, keyed by label. */
  readonly count: ReadonlyMap<number, number>;
}

/** Builds the index, validating labels. `what` names the caller for error messages. */
export function indexDataset(dataset: Dataset, what: string): DatasetIndex {
  if (dataset === null || typeof dataset !== "object" || !(dataset.labels instanceof Int32Array)) {
    throw new TypeError(
      `Cannot sample ${what} as dataset must be a Dataset with Int32Array labels`,
    );
  }
  const size = dataset.labels.length;
  if (dataset.size !== size) {
    throw new RangeError(
      `Cannot sample ${what} as dataset.size must equal labels.length: current size is ${dataset.size}, labels.length is ${size}`,
    );
  }
  if (size === 0) throw new RangeError(`Cannot sample ${what} from an empty dataset: size is 0`);
  const labels = dataset.labels;
  const count = new Map<number, number>();
  for (let i = 0; i < size; i++) {
    const l = labels[i];
    if (l < 0) {
      throw new RangeError(
        `Cannot sample ${what} as labels must be non-negative: current labels[${i}] is ${l}`,
      );
    }
    count.set(l, (count.get(l) ?? 0) + 1);
  }
  const classes = [...count.keys()].sort((a, b) => a - b);
  const start = new Map<number, number>();
  let offset = 0;
  for (const c of classes) {
    start.set(c, offset);
    offset += count.get(c)!;
  }
  const fill = new Map(start);
  const order = new Int32Array(size);
  const rank = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const at = fill.get(labels[i])!;
    order[at] = i;
    rank[i] = at;
    fill.set(labels[i], at + 1);
  }
  return { size, labels, order, rank, classes, start, count };
}

/** A uniformly random other sample of the same class as `i` (its class has ≥ 2 samples). */
export function drawPositive(ix: DatasetIndex, i: number, rng: Rng): number {
  const label = ix.labels[i];
  const start = ix.start.get(label)!;
  const r = rng.int(ix.count.get(label)! - 1);
  const own = ix.rank[i] - start;
  return ix.order[start + (r >= own ? r + 1 : r)];
}

/** A uniformly random sample whose class differs from that of `i` (one exists). */
export function drawNegative(ix: DatasetIndex, i: number, rng: Rng): number {
  const label = ix.labels[i];
  const start = ix.start.get(label)!;
  const n = ix.count.get(label)!;
  const r = rng.int(ix.size - n);
  return ix.order[r < start ? r : r + n];
}

/** Shuffles `a` in place (Fisher–Yates) and returns it. */
export function shuffleInPlace<T extends { length: number; [i: number]: number }>(
  a: T,
  rng: Rng,
): T {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

/** Checks that `value` is an integer ≥ `min`; `name` is the option's name. */
export function checkInteger(what: string, name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(
      `Cannot ${what} as ${name} must be an integer ≥ ${min}: current ${name} is ${value}`,
    );
  }
}

/** Checks that `options` is an object (or undefined, for defaults); `what` names the caller. */
export function checkOptionsObject(what: string, options: unknown): void {
  if (options !== undefined && (options === null || typeof options !== "object")) {
    throw new TypeError(
      `Cannot ${what} as options must be an object: current value is ${
        typeof options === "string" ? JSON.stringify(options) : options
      }`,
    );
  }
}
