import * as tf from "@tensorflow/tfjs";
import type { Distance } from "../types.ts";
import type { EmbeddingSet } from "./embedding_set.ts";
import { rowDistance } from "./_chunked_knn.ts";
import { checkDistance } from "../distances/host.ts";
import { euclidean } from "../distances/euclidean.ts";
import { checkPositiveInt, checkSet } from "./_validate.ts";
import { seededInts } from "./_rng.ts";

/**
 * Distances of pairs of rows of one set, with whether each pair shares a label: the input
 * of {@linkcode rocCurve}, {@linkcode distanceHistogram} and {@linkcode distanceSummary}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type PairDistances, pairDistances } from "./pair_distances.ts";
 * // rows at 0, 2, 5 (1-d) labelled 0, 1, 0: every pair (i < j) once
 * const p: PairDistances = pairDistances({
 *   embeddings: new Float32Array([0, 2, 5]),
 *   labels: new Int32Array([0, 1, 0]),
 *   dim: 1,
 * });
 * assert.deepEqual([...p.left], [0, 0, 1]);
 * assert.deepEqual([...p.right], [1, 2, 2]);
 * assert.deepEqual([...p.distances], [2, 5, 3]);
 * assert.deepEqual([...p.same], [0, 1, 0]);
 * ```
 */
export interface PairDistances {
  /** Row index of the first item of each pair. */
  readonly left: Int32Array;
  /** Row index of the second item (never equal to `left`). */
  readonly right: Int32Array;
  /** Distance of each pair. */
  readonly distances: Float64Array;
  /** 1 where both rows have the same label, else 0. */
  readonly same: Uint8Array;
  /** Whether the pairs are a random sample (true) or all `i < j` pairs (false). */
  readonly sampled: boolean;
}

/**
 * Options of {@linkcode pairDistances}.
 *
 * @example
 * ```ts
 * import { pairDistances, type PairDistancesOptions } from "./pair_distances.ts";
 * import { squaredEuclidean } from "../distances/mod.ts";
 * // 5 rows give 10 pairs; ask for at most 4
 * const set = { embeddings: new Float32Array([0, 1, 3, 6, 10]), labels: new Int32Array([0, 0, 1, 1, 2]), dim: 1 };
 * const options: PairDistancesOptions = { distance: squaredEuclidean, maxPairs: 4, seed: 1 };
 * const p = pairDistances(set, options);
 * if (!p.sampled || p.distances.length !== 4) throw new Error("4 sampled pairs");
 * for (let i = 0; i < 4; i++) {
 *   const d = (set.embeddings[p.left[i]] - set.embeddings[p.right[i]]) ** 2;
 *   if (p.distances[i] !== d) throw new Error(`pair ${i}: ${p.distances[i]} ≠ ${d}`);
 * }
 * ```
 */
export interface PairDistancesOptions {
  /** Distance between embeddings (default `distances.euclidean`). */
  readonly distance?: Distance;
  /** Most pairs to return (default 200 000); above it pairs are sampled. */
  readonly maxPairs?: number;
  /** Seed of the sampling (default 0); the same seed gives the same pairs. */
  readonly seed?: number;
}

/**
 * All pairs `(i, j)` with `i < j` in order when there are at most `maxPairs` of them;
 * otherwise `maxPairs` pairs drawn uniformly and independently (with replacement) from all
 * ordered pairs `i ≠ j` by a seeded xoroshiro128+ generator, so same-label pairs appear in
 * their natural proportion. Distances are computed directly, pair by pair.
 *
 * @example
 * ```ts
 * import { pairDistances } from "./pair_distances.ts";
 * import assert from "node:assert/strict";
 * // rows 0, 3, 4 (1-d) with labels 0 0 1: pairs (0,1) (0,2) (1,2)
 * const p = pairDistances({
 *   embeddings: new Float32Array([0, 3, 4]),
 *   labels: new Int32Array([0, 0, 1]),
 *   dim: 1,
 * });
 * assert.deepEqual([...p.distances], [3, 4, 1]);
 * assert.deepEqual([...p.same], [1, 0, 0]);
 * assert.equal(p.sampled, false);
 * ```
 */
export function pairDistances(
  set: EmbeddingSet,
  options: PairDistancesOptions = {},
): PairDistances {
  const what = "compute pair distances";
  checkSet(what, set, "set");
  const distance = checkDistance(
    what,
    "options.distance",
    options.distance === undefined ? euclidean : options.distance,
  );
  const maxPairs = options.maxPairs ?? 200_000;
  checkPositiveInt(what, "options.maxPairs", maxPairs);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) {
    throw new RangeError(
      `Cannot ${what} as options.seed must be an integer: current value is ${seed}`,
    );
  }
  const { embeddings: x, labels, dim } = set;
  const n = labels.length;
  if (n < 2) throw new RangeError(`Cannot ${what} as set must have at least 2 rows: it has ${n}`);
  const all = n * (n - 1) / 2;
  const sampled = all > maxPairs;
  const count = sampled ? maxPairs : all;
  const left = new Int32Array(count), right = new Int32Array(count);
  if (sampled) {
    const rng = seededInts(seed);
    for (let p = 0; p < count; p++) {
      const i = rng.int(n);
      let j = rng.int(n - 1);
      if (j >= i) j++;
      left[p] = i;
      right[p] = j;
    }
  } else {
    for (let i = 0, p = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++, p++) {
        left[p] = i;
        right[p] = j;
      }
    }
  }
  const distances = new Float64Array(count), same = new Uint8Array(count);
  if (distance.host.kind === "custom" && distance.host.many !== undefined) {
    // a custom distance without a host function: its tensor rows, many pairs per call
    customPairs(distance, x, left, right, dim, distances);
  } else {
    for (let p = 0; p < count; p++) {
      distances[p] = rowDistance(x, left[p], x, right[p], dim, distance);
    }
  }
  for (let p = 0; p < count; p++) {
    if (Number.isNaN(distances[p])) {
      throw new Error(
        `Cannot ${what} as distance '${distance.name}' of rows ${left[p]} and ${right[p]} is NaN`,
      );
    }
    same[p] = labels[left[p]] === labels[right[p]] ? 1 : 0;
  }
  return { left, right, distances, same, sampled };
}

/** Pairs per tensor call of {@linkcode customPairs}. */
const PAIR_BLOCK = 4096;

/** `distances[p] = distance.rows(x[left[p]], x[right[p]])`, a block of pairs at a time. */
function customPairs(
  distance: Distance,
  x: Float32Array | Float64Array,
  left: Int32Array,
  right: Int32Array,
  dim: number,
  distances: Float64Array,
): void {
  for (let p0 = 0; p0 < left.length; p0 += PAIR_BLOCK) {
    const nb = Math.min(PAIR_BLOCK, left.length - p0);
    const a = new Float32Array(nb * dim), b = new Float32Array(nb * dim);
    for (let p = 0; p < nb; p++) {
      a.set(x.subarray(left[p0 + p] * dim, (left[p0 + p] + 1) * dim), p * dim);
      b.set(x.subarray(right[p0 + p] * dim, (right[p0 + p] + 1) * dim), p * dim);
    }
    const values = tf.tidy(() =>
      distance.rows(tf.tensor2d(a, [nb, dim]), tf.tensor2d(b, [nb, dim]))
    );
    try {
      distances.set(values.dataSync(), p0);
    } finally {
      values.dispose();
    }
  }
}
