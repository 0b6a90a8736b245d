import type { Distance } from "../types.ts";
import type { EmbeddingSet, TieRule } from "./embedding_set.ts";
import { forEachDistanceRow } from "./_chunked_knn.ts";
import { checkDistance } from "../distances/host.ts";
import { euclidean } from "../distances/euclidean.ts";
import { squaredEuclidean } from "../distances/squared_euclidean.ts";
import { checkPositiveInt, checkSet } from "./_validate.ts";

/**
 * A cumulative match characteristic: `accuracy[k − 1]` is the share of probes whose
 * label appears among their k nearest gallery rows (rank-k identification accuracy), for
 * k = 1 … `accuracy.length`. Non-decreasing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type CmcCurve, cmcCurve } from "./cmc_curve.ts";
 * // gallery: label 0 at 0, label 1 at 10 (1-d)
 * const gallery = { embeddings: new Float32Array([0, 10]), labels: new Int32Array([0, 1]), dim: 1 };
 * // probes: label 0 at 1 (0 is nearest), label 0 at 6 (10 is nearer), label 2 (not enrolled)
 * const probes = { embeddings: new Float32Array([1, 6, 3]), labels: new Int32Array([0, 0, 2]), dim: 1 };
 * const cmc: CmcCurve = cmcCurve(gallery, probes);
 * assert.deepEqual(cmc.ranks, [1, 2]);
 * assert.deepEqual(cmc.accuracy, [0.5, 1]); // one of two probes at rank 1, both by rank 2
 * assert.equal(cmc.probes, 2);
 * assert.equal(cmc.probesWithoutMatch, 1);
 * ```
 */
export interface CmcCurve {
  /** The ranks 1 … maxRank (for plotting). */
  readonly ranks: number[];
  /** Rank-k accuracy for each rank in `ranks`. */
  readonly accuracy: number[];
  /** Probes counted (those whose label is in the gallery). */
  readonly probes: number;
  /** Probes left out because no gallery row has their label (they can never be identified). */
  readonly probesWithoutMatch: number;
}

/**
 * Options of {@linkcode cmcCurve}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cmcCurve, type CmcOptions } from "./cmc_curve.ts";
 * import { manhattan } from "../distances/mod.ts";
 * // gallery: labels 0, 1, 2 at 0, 10, 20; the probe (label 0) at 5 ties 0 and 10
 * const gallery = { embeddings: new Float32Array([0, 10, 20]), labels: new Int32Array([0, 1, 2]), dim: 1 };
 * const probes = { embeddings: new Float32Array([5]), labels: new Int32Array([0]), dim: 1 };
 * const curve = (options: CmcOptions) => cmcCurve(gallery, probes, options).accuracy;
 * assert.deepEqual(curve({ maxRank: 2 }), [0, 1]); // pessimistic: the tie ranks the match 2nd
 * assert.deepEqual(curve({ maxRank: 2, ties: "optimistic" }), [1, 1]);
 * assert.deepEqual(curve({ distance: manhattan }), [0, 1, 1]); // the whole curve by default
 * ```
 */
export interface CmcOptions {
  /** Distance between embeddings (default `distances.euclidean`). */
  readonly distance?: Distance;
  /** Last rank of the curve (default: the gallery size, the complete curve). */
  readonly maxRank?: number;
  /** Order of a match and a non-match at equal distance (default `"pessimistic"`). */
  readonly ties?: TieRule;
}

/**
 * Closed-set identification: ranks the gallery by distance to each probe and records the
 * rank of the first gallery row with the probe's label, i.e. 1 + the number of gallery
 * rows of other labels nearer than the nearest match (with `"pessimistic"` ties, also
 * those at the same distance). The gallery may hold several rows per label.
 *
 * Distances are computed in float32 (WebAssembly SIMD where available).
 *
 * Probes whose label has no gallery row are left out and counted in `probesWithoutMatch`;
 * throws when that leaves no probe, or on malformed sets (dims differ, lengths, NaN).
 * Distances are computed four probe rows at a time; the full probe × gallery matrix is
 * never held.
 *
 * @example
 * ```ts
 * import { cmcCurve } from "./cmc_curve.ts";
 * import assert from "node:assert/strict";
 * // gallery: label 0 at 0, label 1 at 10, label 2 at 20 (1-d)
 * const gallery = { embeddings: new Float32Array([0, 10, 20]), labels: new Int32Array([0, 1, 2]), dim: 1 };
 * // probe at 1 (label 0): nearest is 0 → rank 1
 * // probe at 8 (label 0): 10 (label 1) nearer than 0 → rank 2
 * // probe at 19 (label 0): 20, 10 nearer than 0 → rank 3
 * // probe at 12 (label 2): 10 nearer than 20 → rank 2
 * const probes = { embeddings: new Float32Array([1, 8, 19, 12]), labels: new Int32Array([0, 0, 0, 2]), dim: 1 };
 * const cmc = cmcCurve(gallery, probes);
 * assert.deepEqual(cmc.ranks, [1, 2, 3]);
 * assert.deepEqual(cmc.accuracy, [0.25, 0.75, 1]);
 * ```
 */
export function cmcCurve(
  gallery: EmbeddingSet,
  probes: EmbeddingSet,
  options: CmcOptions = {},
): CmcCurve {
  const what = "compute CMC curve";
  checkSet(what, gallery, "gallery");
  checkSet(what, probes, "probes");
  if (gallery.dim !== probes.dim) {
    throw new RangeError(
      `Cannot ${what} as gallery.dim and probes.dim must be equal: ${gallery.dim} and ${probes.dim}`,
    );
  }
  const distance = checkDistance(
    what,
    "options.distance",
    options.distance === undefined ? euclidean : options.distance,
  );
  const g = gallery.labels.length;
  const maxRank = options.maxRank ?? g;
  checkPositiveInt(what, "options.maxRank", maxRank);
  const ties = options.ties ?? "pessimistic";
  if (ties !== "pessimistic" && ties !== "optimistic") {
    throw new RangeError(
      `Cannot ${what} as options.ties must be "pessimistic" or "optimistic": current value is ${
        JSON.stringify(ties)
      }`,
    );
  }
  const pessimistic = ties === "pessimistic";
  const enrolled = new Set(gallery.labels);
  const gl = gallery.labels;
  const atRank = new Float64Array(g + 1); // atRank[r] = probes first identified at rank r
  let counted = 0, missing = 0;
  // euclidean ranks like squared euclidean: skip the square roots
  const rankBy = distance.host.kind === "euclidean" ? squaredEuclidean : distance;
  forEachDistanceRow(probes, gallery, rankBy, (q, row) => {
    const y = probes.labels[q];
    if (!enrolled.has(y)) {
      missing++;
      return;
    }
    let best = Infinity;
    for (let j = 0; j < g; j++) if (gl[j] === y && row[j] < best) best = row[j];
    let ahead = 0;
    for (let j = 0; j < g; j++) {
      if (gl[j] !== y && (row[j] < best || (pessimistic && row[j] === best))) ahead++;
    }
    atRank[ahead + 1]++;
    counted++;
  });
  if (counted === 0) {
    throw new RangeError(
      `Cannot ${what} as no probe label occurs in gallery.labels: all ${missing} probes are unknown`,
    );
  }
  const ranks: number[] = [], accuracy: number[] = [];
  let cumulative = 0;
  for (let r = 1; r <= maxRank; r++) {
    if (r <= g) cumulative += atRank[r];
    ranks.push(r);
    accuracy.push(cumulative / counted);
  }
  return { ranks, accuracy, probes: counted, probesWithoutMatch: missing };
}
