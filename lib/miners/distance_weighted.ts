import { euclidean } from "../distances/euclidean.ts";
import { checkDistance } from "../distances/host.ts";
import { rng } from "../samplers/rng.ts";
import type { Distance, Rng } from "../types.ts";
import type { Miner } from "./miner.ts";
import { distanceWeights } from "./_distance_weights.ts";
import { distanceRows, labelsOf, pack } from "./_util.ts";

/** Options of {@linkcode distanceWeighted}. */
export interface DistanceWeightedOptions {
  /** Distances below this count as this when weighting (default 0.5, as pml). */
  readonly cutoff?: number;
  /** Negatives at this distance or further are never drawn (default 1.4, as pml). */
  readonly nonzeroLossCutoff?: number;
  /**
   * Seed of the draws (default 0). The draw for a batch is a function of the seed and the
   * batch's values, so a run is reproducible, also across a resume.
   */
  readonly seed?: number;
  /** Distance (default: the distance of the loss it is `mined` with, else `euclidean`). */
  readonly distance?: Distance;
}

/** FNV-1a over the seed, the labels and the embeddings' float32 bits. */
function hashBatch(seed: number, labels: Int32Array, values: Float32Array): number {
  let h = 0x811c9dc5;
  const mix = (word: number) => {
    for (let s = 0; s < 32; s += 8) h = Math.imul(h ^ ((word >>> s) & 0xff), 0x01000193);
  };
  mix(seed >>> 0), mix(Math.floor(seed / 4294967296));
  labels.forEach(mix);
  new Int32Array(values.buffer, values.byteOffset, values.length).forEach(mix);
  return h >>> 0;
}

function draw(weights: number[], r: Rng): number {
  let u = r.float(), last = -1;
  for (let j = 0; j < weights.length; j++) {
    if (weights[j] <= 0) continue;
    last = j;
    u -= weights[j];
    if (u < 0) return j;
  }
  return last;
}

/**
 * Distance-weighted sampling (Wu et al. 2017, "Sampling Matters in Deep Embedding Learning",
 * §4), as pytorch-metric-learning's `DistanceWeightedMiner`: for every anchor `a` and every
 * row of its class (`K` draws for a class of `K` rows), one triplet with a positive drawn
 * uniformly from the anchor's class (never the anchor) and a negative `n` drawn with
 * probability `∝ 1 / q(max(d(a, n), cutoff))`, where
 * `q(d) ∝ d^(k−2)·(1 − d²/4)^((k−3)/2)` is the density of distances between uniform points on
 * the unit sphere in `k` dimensions — so negatives are spread over all distances instead of
 * crowding at √2 — and 0 for negatives at `nonzeroLossCutoff` or further (they would cost
 * nothing). Clipping the distance at `cutoff` (pml's form of the paper's weight clip) keeps
 * the variance bounded. An anchor with no negative that qualifies is skipped; one class, or
 * one item per class, gives no triplet. Triplets are listed class by class (ascending
 * label), anchors in row order.
 *
 * The weights assume unit-length embeddings under `euclidean` (pml asserts its normalised
 * L2 distance): use an `l2Normalize` branch. Defaults are pml's (cutoff 0.5, 1.4). The draws
 * come from `seed` and the batch's values (no global random state), so the same seed on the
 * same batch gives the same triplets. Pair it with `marginLoss({ miner })`, the paper's loss.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { distanceWeighted } from "./distance_weighted.ts";
 * await tf.setBackend("cpu");
 * const r = (deg: number) => [Math.cos(deg * Math.PI / 180), Math.sin(deg * Math.PI / 180)];
 * // Class 0 at 0° and 10°; class 1 at 90° (distance 1.41 from row 0: beyond 1.4, never
 * // drawn for it) and 60° (distance 1).
 * const input = { kind: "labelled" as const, embeddings: tf.tensor2d([r(0), r(10), r(90), r(60)]), labels: tf.tensor1d([0, 0, 1, 1], "int32") };
 * const t = distanceWeighted({ seed: 7 })(input);
 * const fromRow0 = [...t.negative].filter((_, k) => t.anchor[k] === 0);
 * if (fromRow0.length !== 2 || fromRow0.some((n) => n !== 3)) throw new Error(`${fromRow0}`);
 * // the same seed on the same batch draws the same triplets
 * if (distanceWeighted({ seed: 7 })(input).negative.join() !== t.negative.join()) throw new Error("seed");
 * ```
 */
export function distanceWeighted(options: DistanceWeightedOptions = {}): Miner {
  const what = "create distanceWeighted";
  const finite = (name: string, value: number) => {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw new Error(
        `Cannot ${what} as options.${name} must be a finite number ≥ 0: current value is ${value}`,
      );
    }
    return value;
  };
  const cutoff = finite("cutoff", options.cutoff ?? 0.5);
  const nonzeroLossCutoff = finite("nonzeroLossCutoff", options.nonzeroLossCutoff ?? 1.4);
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) {
    throw new Error(
      `Cannot ${what} as options.seed must be a safe integer: current value is ${seed}`,
    );
  }
  const own = options.distance === undefined
    ? undefined
    : checkDistance(what, "options.distance", options.distance);
  return (input, given) => {
    const distance = own ??
      (given === undefined
        ? euclidean
        : checkDistance("mine distance-weighted triplets", "the loss's distance", given));
    const labels = labelsOf("distance-weighted triplets", input);
    const d = distanceRows("distance-weighted triplets", distance, input.embeddings);
    const dim = input.embeddings.shape[1];
    const w = distanceWeights(d, labels, dim, cutoff, nonzeroLossCutoff);
    const r = rng(hashBatch(seed, labels, input.embeddings.dataSync() as Float32Array));
    const a: number[] = [], p: number[] = [], n: number[] = [];
    for (const label of [...new Set(labels)].sort((x, y) => x - y)) {
      const members = labels.reduce<number[]>((m, l, i) => (l === label ? [...m, i] : m), []);
      if (members.length < 2) continue;
      for (const anchor of members) {
        if (!w[anchor].some((v) => v > 0)) continue;
        const others = members.filter((m) => m !== anchor);
        for (let k = 0; k < members.length; k++) {
          a.push(anchor), p.push(others[r.int(others.length)]), n.push(draw(w[anchor], r));
        }
      }
    }
    return pack(a, p, n);
  };
}
