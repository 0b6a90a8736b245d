import type { EmbeddingSet } from "./embedding_set.ts";
import { checkPositiveInt, checkSet } from "./_validate.ts";
import { seededInts } from "./_rng.ts";

/**
 * A labelled set cut into an enrolled gallery and the probes to identify against it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type GalleryProbeSplit, galleryProbeSplit } from "./gallery_probe_split.ts";
 * // rows hold their own index, so the split's sets show which rows they took
 * const set = { embeddings: new Float32Array([0, 1, 2, 3, 4]), labels: new Int32Array([0, 0, 0, 1, 1]), dim: 1 };
 * const s: GalleryProbeSplit = galleryProbeSplit(set, { seed: 7 });
 * // one row per label enrolled, every other row a probe: together, each row once
 * assert.deepEqual([...s.gallery.labels], [0, 1]);
 * assert.deepEqual([...s.galleryIndices, ...s.probeIndices].sort(), [0, 1, 2, 3, 4]);
 * assert.deepEqual([...s.probes.embeddings], [...s.probeIndices]);
 * ```
 */
export interface GalleryProbeSplit {
  /** The enrolled rows. */
  readonly gallery: EmbeddingSet;
  /** The other rows. */
  readonly probes: EmbeddingSet;
  /** Rows of the original set in the gallery, increasing. */
  readonly galleryIndices: Int32Array;
  /** Rows of the original set among the probes, increasing. */
  readonly probeIndices: Int32Array;
}

/**
 * Options of {@linkcode galleryProbeSplit}.
 *
 * @example
 * ```ts
 * import { galleryProbeSplit, type GalleryProbeSplitOptions } from "./gallery_probe_split.ts";
 * const set = { embeddings: new Float32Array(6), labels: new Int32Array([0, 0, 0, 1, 1, 1]), dim: 1 };
 * const options: GalleryProbeSplitOptions = { galleryPerClass: 2, seed: 5 };
 * const split = galleryProbeSplit(set, options);
 * // two rows of each label enrolled, one probe each; the same seed, the same split
 * if ([...split.gallery.labels].sort().join() !== "0,0,1,1") throw new Error("2 per class");
 * if (split.probeIndices.join() !== galleryProbeSplit(set, options).probeIndices.join()) throw new Error("seeded");
 * ```
 */
export interface GalleryProbeSplitOptions {
  /** Rows of each label enrolled in the gallery (default 1). */
  readonly galleryPerClass?: number;
  /** Seed of the choice (default 0); the same seed gives the same split. */
  readonly seed?: number;
}

/**
 * Splits a set for closed-set identification: for each label, `galleryPerClass` of its
 * rows, chosen by a seeded shuffle (xoroshiro128+), go to the gallery and the rest become
 * probes. A label with at most `galleryPerClass` rows is enrolled whole and has no probe.
 * Both parts keep the original row order.
 *
 * @example
 * ```ts
 * import { galleryProbeSplit } from "./gallery_probe_split.ts";
 * const set = {
 *   embeddings: new Float32Array([0, 1, 2, 3, 4]),
 *   labels: new Int32Array([0, 0, 0, 1, 1]),
 *   dim: 1,
 * };
 * const { gallery, probes } = galleryProbeSplit(set, { seed: 7 });
 * // one row per label enrolled, the other three are probes
 * if (gallery.labels.length !== 2 || probes.labels.length !== 3) throw new Error("sizes");
 * if (new Set(gallery.labels).size !== 2) throw new Error("one per label");
 * ```
 */
export function galleryProbeSplit(
  set: EmbeddingSet,
  options: GalleryProbeSplitOptions = {},
): GalleryProbeSplit {
  const what = "split gallery and probes";
  checkSet(what, set, "set");
  const perClass = options.galleryPerClass ?? 1;
  checkPositiveInt(what, "options.galleryPerClass", perClass);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) {
    throw new RangeError(
      `Cannot ${what} as options.seed must be an integer: current value is ${seed}`,
    );
  }
  const rng = seededInts(seed);
  const byLabel = new Map<number, number[]>();
  set.labels.forEach((y, i) => {
    const rows = byLabel.get(y);
    if (rows) rows.push(i);
    else byLabel.set(y, [i]);
  });
  const inGallery = new Uint8Array(set.labels.length);
  for (const y of [...byLabel.keys()].sort((a, b) => a - b)) {
    const rows = byLabel.get(y)!;
    const take = Math.min(perClass, rows.length);
    // partial Fisher–Yates: the first `take` positions get a uniform random subset
    for (let i = 0; i < take; i++) {
      const j = i + rng.int(rows.length - i);
      [rows[i], rows[j]] = [rows[j], rows[i]];
      inGallery[rows[i]] = 1;
    }
  }
  const galleryIndices: number[] = [], probeIndices: number[] = [];
  inGallery.forEach((g, i) => (g ? galleryIndices : probeIndices).push(i));
  const subset = (rows: number[]): EmbeddingSet => {
    const { dim } = set;
    const embeddings = set.embeddings instanceof Float64Array
      ? new Float64Array(rows.length * dim)
      : new Float32Array(rows.length * dim);
    rows.forEach((r, i) =>
      embeddings.set(set.embeddings.subarray(r * dim, (r + 1) * dim), i * dim)
    );
    return { embeddings, labels: Int32Array.from(rows, (r) => set.labels[r]), dim };
  };
  return {
    gallery: subset(galleryIndices),
    probes: subset(probeIndices),
    galleryIndices: Int32Array.from(galleryIndices),
    probeIndices: Int32Array.from(probeIndices),
  };
}
