import * as tf from "@tensorflow/tfjs";
import type { Distance, Tensor2D } from "../types.ts";
import type { SearchChunk } from "./_index.ts";
import { hostRow } from "../distances/host.ts";

/** One result: an identity number, an item id (-1 for templates) and the exact distance. */
export interface Hit {
  readonly group: number;
  readonly id: number;
  readonly distance: number;
}

/** Options of {@linkcode search}. */
export interface SearchOptions {
  readonly dim: number;
  readonly distance: Distance;
  /** Keep only the best row of each identity (group) when ranking. */
  readonly distinct: boolean;
  /** Queries scored together against one chunk. */
  readonly queryBlock: number;
}

/**
 * The k best rows (distinct groups when asked) of one query, closest first, with a copy of
 * each kept row so that it can be re-scored after its chunk is gone. Storage grows with the
 * rows actually kept, never beyond them: a huge `k` (even `Infinity`) costs no more than the
 * gallery itself.
 */
class Top {
  scores: Float64Array;
  groups: Int32Array;
  ids: Float64Array;
  rows: Float32Array;
  size = 0;
  constructor(readonly k: number, readonly dim: number) {
    const capacity = Math.min(k, 16);
    this.scores = new Float64Array(capacity);
    this.groups = new Int32Array(capacity);
    this.ids = new Float64Array(capacity);
    this.rows = new Float32Array(capacity * dim);
  }
  /** Scores at or above this are never kept. */
  worst(): number {
    return this.size < this.k ? Infinity : this.scores[this.size - 1];
  }
  offer(score: number, chunk: SearchChunk, j: number, distinct: boolean): void {
    if (score >= this.worst()) return;
    const group = chunk.groups[j];
    if (distinct) {
      for (let p = 0; p < this.size; p++) {
        if (this.groups[p] !== group) continue;
        if (score >= this.scores[p]) return;
        this.removeAt(p);
        break;
      }
    }
    if (this.size < this.k && this.size === this.scores.length) this.grow();
    // Insert after every kept score <= score: ties keep the earlier row first.
    let p = this.size < this.k ? this.size : this.k - 1;
    while (p > 0 && this.scores[p - 1] > score) {
      this.move(p - 1, p);
      p--;
    }
    this.scores[p] = score;
    this.groups[p] = group;
    this.ids[p] = chunk.ids[j];
    for (let t = 0; t < this.dim; t++) this.rows[p * this.dim + t] = chunk.columns[t * chunk.n + j];
    if (this.size < this.k) this.size++;
  }
  private grow(): void {
    const capacity = Math.min(this.k, this.scores.length * 2);
    const scores = new Float64Array(capacity);
    const groups = new Int32Array(capacity);
    const ids = new Float64Array(capacity);
    const rows = new Float32Array(capacity * this.dim);
    scores.set(this.scores);
    groups.set(this.groups);
    ids.set(this.ids);
    rows.set(this.rows);
    this.scores = scores;
    this.groups = groups;
    this.ids = ids;
    this.rows = rows;
  }
  private move(from: number, to: number): void {
    this.scores[to] = this.scores[from];
    this.groups[to] = this.groups[from];
    this.ids[to] = this.ids[from];
    this.rows.copyWithin(to * this.dim, from * this.dim, (from + 1) * this.dim);
  }
  private removeAt(p: number): void {
    for (let i = p; i < this.size - 1; i++) this.move(i + 1, i);
    this.size--;
  }
}

/** Below this many queries in a block, products are computed in plain JS (no tf dispatch). */
const SMALL_BLOCK = 4;

/**
 * Exact k-nearest search of `queries` (nq × dim, row-major) over `chunks`, read once: each
 * chunk is scored against one block of queries at a time, so that working memory is one
 * chunk plus `queryBlock × chunk` scores whatever the gallery's size. For euclidean,
 * squared euclidean, cosine and dot a score block is one matrix product on the current tfjs
 * backend (a plain loop for very small blocks); manhattan is a plain loop, and a custom
 * distance runs its own host form (`distances.hostRow`). A scan keeps the
 * best rows (the best row of each identity when `distinct`), whose distances are then
 * recomputed exactly in float64 and re-sorted.
 */
export function search(
  chunks: Iterable<SearchChunk>,
  queries: Float32Array,
  k: number,
  options: SearchOptions,
): Hit[][] {
  const { dim, distance, distinct, queryBlock } = options;
  const kind = distance.host.kind;
  const loop = kind === "manhattan" || kind === "custom";
  const nq = queries.length / dim;
  const tops = Array.from({ length: nq }, () => new Top(k, dim));
  const blocks: { q0: number; nb: number; data: Float32Array; tensor?: Tensor2D }[] = [];
  try {
    for (let q0 = 0; q0 < nq; q0 += queryBlock) {
      const nb = Math.min(queryBlock, nq - q0);
      const raw = queries.subarray(q0 * dim, (q0 + nb) * dim);
      const data = loop ? raw : augment(raw, nb, dim, distance);
      const tensor = loop || nb < SMALL_BLOCK ? undefined : tf.tensor2d(data, [nb, dim + 1]);
      blocks.push({ q0, nb, data, tensor });
    }
    for (const chunk of chunks) {
      for (const { q0, nb, data, tensor } of blocks) {
        const closeness = kind === "manhattan"
          ? manhattanCloseness(data, nb, chunk, dim)
          : kind === "custom"
          ? customCloseness(distance, data, nb, chunk, dim)
          : tensor === undefined
          ? productsJs(data, nb, chunk, dim)
          : productsTf(tensor, chunk, dim);
        scan(closeness, nb, chunk, tops.slice(q0, q0 + nb), distinct);
      }
    }
  } finally {
    for (const block of blocks) block.tensor?.dispose();
  }
  return tops.map((top, i) => rescore(top, queries.subarray(i * dim, (i + 1) * dim), distance));
}

/** Queries as `[2q, 1]` rows (euclidean family), `[q̂, 0]` rows (cosine) or `[q, 0]` (dot). */
function augment(rows: Float32Array, nb: number, dim: number, distance: Distance) {
  const kind = distance.host.kind;
  const out = new Float32Array(nb * (dim + 1));
  for (let i = 0; i < nb; i++) {
    let sq = 0;
    for (let t = 0; t < dim; t++) sq += rows[i * dim + t] * rows[i * dim + t];
    const scale = kind === "cosine" ? (sq > 0 ? 1 / Math.sqrt(sq) : 0) : kind === "dot" ? 1 : 2;
    for (let t = 0; t < dim; t++) out[i * (dim + 1) + t] = rows[i * dim + t] * scale;
    out[i * (dim + 1) + dim] = kind === "cosine" || kind === "dot" ? 0 : 1;
  }
  return out;
}

/** Minus a custom distance (its host form), for a few queries against one chunk. */
function customCloseness(
  distance: Distance,
  block: Float32Array,
  nb: number,
  chunk: SearchChunk,
  dim: number,
): Float32Array {
  const n = chunk.n;
  const rows = new Float32Array(n * dim);
  for (let t = 0; t < dim; t++) {
    for (let j = 0; j < n; j++) rows[j * dim + t] = chunk.columns[t * n + j];
  }
  const out = new Float32Array(nb * n);
  const acc = new Float64Array(n);
  for (let i = 0; i < nb; i++) {
    hostRow(distance.host, block.subarray(i * dim, (i + 1) * dim), rows, n, dim, acc);
    for (let j = 0; j < n; j++) out[i * n + j] = -acc[j];
  }
  return out;
}

/** block (nb × (dim + 1)) times the chunk's columns on the current backend. */
function productsTf(block: Tensor2D, chunk: SearchChunk, dim: number): Float32Array {
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
  chunk: SearchChunk,
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
  chunk: SearchChunk,
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
  chunk: SearchChunk,
  tops: Top[],
  distinct: boolean,
): void {
  const n = chunk.n;
  for (let i = 0; i < nb; i++) {
    const top = tops[i];
    let bar = -top.worst(); // rows must be strictly closer than the current k-th
    const off = i * n;
    for (let j = 0; j < n; j++) {
      const c = closeness[off + j];
      if (c > bar) {
        top.offer(-c, chunk, j, distinct);
        bar = -top.worst();
      }
    }
  }
}

/** Exact float64 distances of the kept rows, sorted (ties keep the ranking order). */
function rescore(top: Top, query: Float32Array, distance: Distance): Hit[] {
  const hits: (Hit & { order: number })[] = [];
  for (let p = 0; p < top.size; p++) {
    const row = top.rows.subarray(p * top.dim, (p + 1) * top.dim);
    hits.push({
      group: top.groups[p],
      id: top.ids[p],
      distance: distance.host.pair(query, row),
      order: p,
    });
  }
  hits.sort((a, b) => a.distance - b.distance || a.order - b.order);
  return hits.map(({ group, id, distance }) => ({ group, id, distance }));
}
