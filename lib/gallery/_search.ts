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

/** Below this many queries in a block, products are computed in plain JS (no tf dispatch). */
const SMALL_BLOCK = 4;

/**
 * Exact k-nearest search of `queries` (nq × dim, row-major) in `index`, one block of
 * queries against one chunk at a time, so that working memory is bounded by
 * `queryBlock × chunkSize` scores whatever the gallery's size. For euclidean, squared
 * euclidean and cosine each step is one matrix product on the current tfjs backend (a plain
 * loop for very small blocks); manhattan is a plain loop. A scan keeps the best rows (the
 * best row of each identity when `distinct`), whose distances are then recomputed exactly in
 * float64 and re-sorted.
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
  const results: Hit[][] = [];
  for (let q0 = 0; q0 < nq; q0 += queryBlock) {
    const nb = Math.min(queryBlock, nq - q0);
    const raw = queries.subarray(q0 * dim, (q0 + nb) * dim);
    const block = distance === "manhattan" ? raw : augment(raw, nb, dim, distance);
    const blockTensor = distance === "manhattan" || nb < SMALL_BLOCK
      ? undefined
      : tf.tensor2d(block, [nb, dim + 1]);
    const tops = Array.from({ length: nb }, () => new Top(Math.min(k, index.size)));
    let rowStart = 0;
    try {
      for (const chunk of index.chunks) {
        const closeness = distance === "manhattan"
          ? manhattanCloseness(block, nb, chunk, dim)
          : blockTensor === undefined
          ? productsJs(block, nb, chunk, dim)
          : productsTf(blockTensor, chunk, dim);
        scan(closeness, nb, chunk.n, rowStart, tops, index.group, distinct);
        rowStart += chunk.n;
      }
    } finally {
      blockTensor?.dispose();
    }
    for (let i = 0; i < nb; i++) {
      results.push(rescore(index, tops[i], raw.subarray(i * dim, (i + 1) * dim), distance));
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

/** block (nb × (dim + 1)) times the chunk's columns on the current backend. */
function productsTf(block: Tensor2D, chunk: IndexChunk, dim: number): Float32Array {
  const product = tf.tidy(() => tf.matMul(block, tf.tensor2d(chunk.columns, [dim + 1, chunk.n])));
  try {
    return product.dataSync() as Float32Array;
  } finally {
    product.dispose();
  }
}

/** The same product in plain JS, for a few queries. */
function productsJs(
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
    for (let t = 0; t <= dim; t++) {
      const qv = block[i * (dim + 1) + t];
      const base = t * n;
      for (let j = 0; j < n; j++) acc[j] += qv * chunk.columns[base + j];
    }
    out.set(acc, i * n);
  }
  return out;
}

/** Minus the manhattan distance (larger = closer, like the products). */
function manhattanCloseness(
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
      for (let j = 0; j < n; j++) acc[j] -= Math.abs(qv - chunk.columns[base + j]);
    }
    out.set(acc, i * n);
  }
  return out;
}

/** Offers every row of a (nb × n) closeness block to the queries' top lists. */
function scan(
  closeness: Float32Array,
  nb: number,
  n: number,
  rowStart: number,
  tops: Top[],
  group: Int32Array,
  distinct: boolean,
): void {
  for (let i = 0; i < nb; i++) {
    const top = tops[i];
    let bar = -top.worst(); // rows must be strictly closer than the current k-th
    const off = i * n;
    for (let j = 0; j < n; j++) {
      const c = closeness[off + j];
      if (c > bar) {
        const row = rowStart + j;
        top.offer(-c, row, group[row], distinct);
        bar = -top.worst();
      }
    }
  }
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
