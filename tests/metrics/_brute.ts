/**
 * Brute-force references for the metric tests: the textbook definitions, with whole rows
 * sorted by a comparator, no chunking, no cleverness.
 *
 * @module
 */
import type { EmbeddingSet, TieRule } from "../../lib/metrics/mod.ts";
import {
  cosine,
  distance,
  dot,
  euclidean,
  manhattan,
  squaredEuclidean,
} from "../../lib/distances/mod.ts";
import type { Distance } from "../../lib/types.ts";
import * as tf from "@tensorflow/tfjs";

/** The distances the brute-force references know, by name. */
export type DistanceName =
  | "euclidean"
  | "squaredEuclidean"
  | "cosine"
  | "manhattan"
  | "dot"
  | "chebyshev";

/** A user-defined distance (L∞) with no host function: the library derives one from `rows`. */
export const chebyshev: Distance = distance({
  name: "chebyshev",
  rows: (a, b) => tf.max(tf.abs(tf.sub(a, b)), 1),
});

/** The library's record of each distance name. */
export const RECORD: Record<DistanceName, Distance> = {
  euclidean,
  squaredEuclidean,
  cosine,
  manhattan,
  dot,
  chebyshev,
};

/** A seeded LCG for test data (no Math.random). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** The distance of two vectors in float64. */
export function dist(a: ArrayLike<number>, b: ArrayLike<number>, d: DistanceName): number {
  let s = 0, dot = 0, na = 0, nb = 0, max = 0;
  for (let k = 0; k < a.length; k++) {
    const t = a[k] - b[k];
    if (d === "manhattan") s += Math.abs(t);
    else s += t * t;
    max = Math.max(max, Math.abs(t));
    dot += a[k] * b[k];
    na += a[k] * a[k];
    nb += b[k] * b[k];
  }
  if (d === "chebyshev") return max;
  if (d === "dot") return dot === 0 ? 0 : -dot;
  if (d === "cosine") return na > 0 && nb > 0 ? 1 - dot / Math.sqrt(na * nb) : 1;
  return d === "euclidean" ? Math.sqrt(s) : s;
}

/** Row i of a set. */
export function rowOf(set: EmbeddingSet, i: number): number[] {
  return Array.from(set.embeddings.subarray(i * set.dim, (i + 1) * set.dim));
}

/** Neighbours of `query` among `refs` (indices), ordered by distance then the tie rule then index. */
export function ranking(
  query: number[],
  label: number,
  refs: EmbeddingSet,
  d: DistanceName,
  ties: TieRule,
  skip = -1,
): { index: number; d: number; match: boolean; label: number }[] {
  const out = [];
  for (let j = 0; j < refs.labels.length; j++) {
    if (j === skip) continue;
    out.push({
      index: j,
      d: dist(query, rowOf(refs, j), d),
      match: refs.labels[j] === label,
      label: refs.labels[j],
    });
  }
  const matchFirst = ties === "optimistic" ? -1 : 1;
  out.sort((a, b) =>
    a.d - b.d || (a.match === b.match ? 0 : a.match ? matchFirst : -matchFirst) ||
    a.index - b.index
  );
  return out;
}

/** Retrieval metrics by their definitions over fully sorted rows. */
export function bruteRetrieval(set: EmbeddingSet, d: DistanceName, ties: TieRule, k: number) {
  const n = set.labels.length;
  let p1 = 0, rp = 0, mapr = 0, map = 0, mrr = 0, knn = 0, queries = 0;
  for (let q = 0; q < n; q++) {
    const y = set.labels[q];
    const ranked = ranking(rowOf(set, q), y, set, d, ties, q);
    const R = ranked.filter((x) => x.match).length;
    if (R === 0) continue;
    queries++;
    if (ranked[0].match) p1++;
    let seen = 0, apR = 0, ap = 0, inR = 0, first = 0;
    ranked.forEach((x, i) => {
      if (!x.match) return;
      seen++;
      const precision = seen / (i + 1);
      ap += precision;
      if (i < R) {
        apR += precision;
        inR++;
      }
      if (first === 0) first = i + 1;
    });
    rp += inR / R;
    mapr += apR / R;
    map += ap / R;
    mrr += 1 / first;
    const top = ranked.slice(0, Math.min(k, n - 1));
    const votes = new Map<number, number>();
    for (const x of top) votes.set(x.label, (votes.get(x.label) ?? 0) + 1);
    const best = Math.max(...votes.values());
    const winner = top.find((x) => votes.get(x.label) === best)!.label;
    if (winner === y) knn++;
  }
  return {
    precisionAt1: p1 / queries,
    rPrecision: rp / queries,
    mapAtR: mapr / queries,
    meanAveragePrecision: map / queries,
    meanReciprocalRank: mrr / queries,
    knnAccuracy: knn / queries,
    queries,
  };
}

/** AUC as the share of (same, different) pairs ordered correctly, ties one half. */
export function bruteAuc(distances: number[], same: boolean[]): number {
  let good = 0, total = 0;
  distances.forEach((dp, i) => {
    if (!same[i]) return;
    distances.forEach((dn, j) => {
      if (same[j]) return;
      total++;
      good += dp < dn ? 1 : dp === dn ? 0.5 : 0;
    });
  });
  return good / total;
}

/** A random set with small integer coordinates (exact float32 distances, many ties). */
export function integerSet(n: number, dim: number, classes: number, seed: number): EmbeddingSet {
  const r = lcg(seed);
  const embeddings = new Float32Array(n * dim);
  for (let i = 0; i < embeddings.length; i++) embeddings[i] = Math.floor(r() * 4);
  const labels = Int32Array.from({ length: n }, () => Math.floor(r() * classes));
  return { embeddings, labels, dim };
}

/** A random set with continuous coordinates (gaussian-ish). */
export function floatSet(n: number, dim: number, classes: number, seed: number): EmbeddingSet {
  const r = lcg(seed);
  const labels = Int32Array.from({ length: n }, () => Math.floor(r() * classes));
  const embeddings = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < dim; k++) {
      embeddings[i * dim + k] = (r() + r() + r() - 1.5) + (labels[i] % 3 === k % 3 ? 1 : 0);
    }
  }
  return { embeddings, labels, dim };
}
