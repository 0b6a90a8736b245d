import * as tf from "@tensorflow/tfjs";
import type { GalleryDistance } from "./types.ts";
import type { Tensor2D } from "../types.ts";
import type { IndexChunk, SearchIndex } from "./_index.ts";
import { rowDistance } from "./_distance.ts";

/** One result row: an index row and its exact distance to the query. */
export interface Hit {
  readonly row: number;
  readonly distance: number;
}

/** Options of {@linkcode search}. */
export interface SearchOptions {
  readonly distance: GalleryDistance;
  /** Keep only the best row of each identity (group) when ranking. */
  readonly distinct: boolean;
  /** Queries scored together against one chunk. */
  readonly queryBlock: number;
}

/** The k best rows (distinct groups when asked) per query, closest first. */
class Top {
  readonly rows: Int32Array;
  readonly groups: Int32Array;
  readonly scores: Float64Array;
  size = 0;
  constructor(readonly k: number) {
    this.rows = new Int32Array(k);
    this.groups = new Int32Array(k);
    this.scores = new Float64Array(k);
  }
  /** Scores at or above this are never kept. */
  worst(): number {
    return this.size < this.k ? Infinity : this.scores[this.k - 1];
  }
  offer(score: number, row: number, group: number, distinct: boolean): void {
    if (score >= this.worst()) return;
    if (distinct) {
      for (let p = 0; p < this.size; p++) {
        if (this.groups[p] !== group) continue;
        if (score >= this.scores[p]) return;
        this.removeAt(p);
        break;
      }
    }
    // Insert after every kept score <= score: ties keep the earlier row first.
    let p = this.size < this.k ? this.size : this.k - 1;
    while (p > 0 && this.scores[p - 1] > score) {
      this.scores[p] = this.scores[p - 1];
      this.rows[p] = this.rows[p - 1];
      this.groups[p] = this.groups[p - 1];
      p--;
    }
    this.scores[p] = score;
    this.rows[p] = row;
    this.groups[p] = group;
    if (this.size < this.k) this.size++;
  }
  private removeAt(p: number): void {
    for (let i = p; i < this.size - 1; i++) {
      this.scores[i] = this.scores[i + 1];
      this.rows[i] = this.rows[i + 1];
      this.groups[i] = this.groups[i + 1];
    }
    this.size--;
  }
}

/**
 * Exact k-nearest search of `queries` (nq × dim, row-major) in `index`, one block of
 * queries against one chunk at a time, so that working memory is bounded by
 * `queryBlock × chunkSize` scores whatever the gallery's size. For euclidean, squared
 * euclidean and cosine each step is one matrix product and a top-k on the current tfjs
 * backend (only the candidates leave it); manhattan uses a plain loop. The candidates'
 * distances are then recomputed exactly in float64 and re-sorted.
 */
export function search(
  index: SearchIndex,
  queries: Float32Array,
  k: number,
  options: SearchOptions,
): Hit[][] {
  const { dim } = index;
  const nq = queries.length / dim;
  const { distance, distinct, queryBlock } = options;
  // The best row of each of the k best identities is among the k·m best rows of any chunk
  // (m = the most rows one identity has): at most k - 1 better identities, m rows each.
  const perChunk = Math.min(k * (distinct ? index.maxPerGroup : 1), index.chunkSize);
  const results: Hit[][] = [];
  for (let q0 = 0; q0 < nq; q0 += queryBlock) {
    const nb = Math.min(queryBlock, nq - q0);
    const tops = Array.from({ length: nb }, () => new Top(Math.min(k, index.size)));
    let rowStart = 0;
    if (distance === "manhattan") {
      const block = queries.subarray(q0 * dim, (q0 + nb) * dim);
      for (const chunk of index.chunks) {
        scanScores(
          manhattanScores(block, nb, chunk, dim),
          nb,
          chunk.n,
          rowStart,
          tops,
          index,
          distinct,
        );
        rowStart += chunk.n;
      }
    } else {
      const block = augment(queries.subarray(q0 * dim, (q0 + nb) * dim), nb, dim, distance);
      const blockTensor = tf.tensor2d(block, [nb, dim + 1]);
      try {
        for (const chunk of index.chunks) {
          const m = Math.min(perChunk, chunk.n);
          const [values, indices] = productTop(blockTensor, chunk, dim, m);
          for (let i = 0; i < nb; i++) {
            // larger product = closer; offer in (score, row) order so ties keep the earlier row
            const order = Array.from({ length: m }, (_, p) => i * m + p).sort((a, b) =>
              values[b] - values[a] || indices[a] - indices[b]
            );
            for (const p of order) {
              const row = rowStart + indices[p];
              tops[i].offer(-values[p], row, index.group[row], distinct);
            }
          }
          rowStart += chunk.n;
        }
      } finally {
        blockTensor.dispose();
      }
    }
    for (let i = 0; i < nb; i++) {
      const query = queries.subarray((q0 + i) * dim, (q0 + i + 1) * dim);
      results.push(rescore(index, tops[i], query, distance));
    }
  }
  return results;
}

/** Queries as `[2q, 1]` rows (euclidean family) or `[q̂, 0]` rows (cosine). */
function augment(rows: Float32Array, nb: number, dim: number, distance: GalleryDistance) {
  const out = new Float32Array(nb * (dim + 1));
  for (let i = 0; i < nb; i++) {
    let sq = 0;
    for (let t = 0; t < dim; t++) sq += rows[i * dim + t] * rows[i * dim + t];
    const scale = distance === "cosine" ? (sq > 0 ? 1 / Math.sqrt(sq) : 0) : 2;
    for (let t = 0; t < dim; t++) out[i * (dim + 1) + t] = rows[i * dim + t] * scale;
    out[i * (dim + 1) + dim] = distance === "cosine" ? 0 : 1;
  }
  return out;
}

/** The m largest products of each query row with the chunk's columns, and their columns. */
function productTop(
  block: Tensor2D,
  chunk: IndexChunk,
  dim: number,
  m: number,
): [Float32Array, Int32Array] {
  const { values, indices } = tf.tidy(() =>
    tf.topk(tf.matMul(block, tf.tensor2d(chunk.columns, [dim + 1, chunk.n])), m, true)
  );
  try {
    return [values.dataSync() as Float32Array, indices.dataSync() as Int32Array];
  } finally {
    values.dispose();
    indices.dispose();
  }
}

/** Offers every score of a (nb × n) block to the queries' top lists. */
function scanScores(
  scores: Float32Array,
  nb: number,
  n: number,
  rowStart: number,
  tops: Top[],
  index: SearchIndex,
  distinct: boolean,
): void {
  for (let i = 0; i < nb; i++) {
    const top = tops[i];
    let worst = top.worst();
    for (let j = 0; j < n; j++) {
      const s = scores[i * n + j];
      if (s < worst) {
        const row = rowStart + j;
        top.offer(s, row, index.group[row], distinct);
        worst = top.worst();
      }
    }
  }
}

function manhattanScores(
  block: Float32Array,
  nb: number,
  chunk: IndexChunk,
  dim: number,
): Float32Array {
  const n = chunk.n;
  const out = new Float32Array(nb * n);
  const acc = new Float64Array(n);
  for (let i = 0; i < nb; i++) {
    acc.fill(0);
    for (let t = 0; t < dim; t++) {
      const qv = block[i * dim + t];
      const base = t * n;
      for (let j = 0; j < n; j++) acc[j] += Math.abs(qv - chunk.columns[base + j]);
    }
    out.set(acc, i * n);
  }
  return out;
}

/** Exact float64 distances of the kept candidates, sorted (ties keep the ranking order). */
function rescore(index: SearchIndex, top: Top, query: Float32Array, distance: GalleryDistance) {
  const { dim, chunkSize } = index;
  const row = new Float64Array(dim);
  const hits: (Hit & { order: number })[] = [];
  for (let p = 0; p < top.size; p++) {
    const r = top.rows[p];
    const chunk = index.chunks[Math.floor(r / chunkSize)];
    const j = r % chunkSize;
    for (let t = 0; t < dim; t++) row[t] = chunk.columns[t * chunk.n + j];
    hits.push({ row: r, distance: rowDistance(distance, query, row), order: p });
  }
  hits.sort((a, b) => a.distance - b.distance || a.order - b.order);
  return hits.map(({ row, distance }) => ({ row, distance }));
}
