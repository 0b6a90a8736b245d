/**
 * Every row's nearest other rows of one set through an HNSW graph (for
 * `metrics.retrievalMetrics` with `options.index`), and the graph's recall against an
 * exact scan on a sample of rows.
 *
 * @module
 */
import type { Distance } from "../types.ts";
import type { GalleryIndex } from "./types.ts";
import { handleOf, metricOf } from "./_ann.ts";

/** The K nearest other rows of every row, closest first (exact float64 distances). */
export interface Neighbours {
  /** K per row (fewer where the graph found fewer: padded with -1). */
  readonly k: number;
  /** `n × k` row numbers. */
  readonly rows: Int32Array;
  /** `n × k` distances (Infinity where padded). */
  readonly distances: Float64Array;
}

/** The handle of an index made by `hnswIndex`, for `distance`; throws naming `arg` else. */
export function checkAnnIndex(what: string, arg: string, index: unknown, distance: Distance) {
  const handle = handleOf(index);
  if (handle === undefined) {
    throw new TypeError(
      `Cannot ${what} as ${arg} must be an index made by hnswIndex: current value is ${
        typeof index === "object" && index !== null ? "another object" : String(index)
      }`,
    );
  }
  const metric = metricOf(distance);
  if (metric === undefined) {
    throw new Error(
      `Cannot ${what} with ${arg} as distance '${distance.name}' has no HNSW form (euclidean, squaredEuclidean, cosine and dot have): leave ${arg} out to search exactly`,
    );
  }
  return { handle, metric };
}

/**
 * Builds an HNSW graph over `embeddings` (n × dim) and returns each row's `k` nearest
 * other rows, re-scored exactly (ties by row number).
 */
export function annNeighbours(
  index: GalleryIndex,
  embeddings: Float32Array | Float64Array,
  dim: number,
  distance: Distance,
  k: number,
  what: string,
): Neighbours {
  const { handle, metric } = checkAnnIndex(what, "options.index", index, distance);
  const n = embeddings.length / dim;
  const rows32 = embeddings instanceof Float32Array ? embeddings : Float32Array.from(embeddings);
  const { connectivity, expansionAdd, expansionSearch, threads } = handle.settings;
  const graph = new handle.native.Index({
    dimensions: dim,
    metric,
    quantization: "f32",
    connectivity,
    expansion_add: expansionAdd,
    expansion_search: 1,
    multi: false,
  });
  graph.add(BigUint64Array.from({ length: n }, (_, i) => BigInt(i)), rows32, threads);
  const want = Math.min(n, Math.max(k + 1, expansionSearch));
  const out = new Int32Array(n * k).fill(-1);
  const dist = new Float64Array(n * k).fill(Infinity);
  const pair = distance.host.pair;
  const block = 1024;
  const found: { row: number; d: number }[] = [];
  for (let q0 = 0; q0 < n; q0 += block) {
    const nb = Math.min(block, n - q0);
    const result = graph.search(rows32.subarray(q0 * dim, (q0 + nb) * dim), want, threads);
    for (let i = 0; i < nb; i++) {
      const q = q0 + i;
      const query = rows32.subarray(q * dim, (q + 1) * dim);
      const count = result.counts === undefined ? result.keys.length : Number(result.counts[i]);
      found.length = 0;
      for (let c = 0; c < count; c++) {
        const row = Number(result.keys[i * want + c]);
        if (row === q) continue;
        found.push({ row, d: pair(query, rows32.subarray(row * dim, (row + 1) * dim)) });
      }
      found.sort((a, b) => a.d - b.d || a.row - b.row);
      for (let j = 0; j < Math.min(k, found.length); j++) {
        out[q * k + j] = found[j].row;
        dist[q * k + j] = found[j].d;
      }
    }
  }
  return { k, rows: out, distances: dist };
}

/**
 * Recall@`at` of `neighbours` against an exact scan, over up to `sample` rows spread evenly
 * over the set: the mean share of each row's exact `at` nearest other rows that the graph
 * returned among its first `at`.
 */
export function annRecall(
  neighbours: Neighbours,
  embeddings: Float32Array | Float64Array,
  dim: number,
  distance: Distance,
  at: number,
  sample: number,
): { readonly at: number; readonly recall: number; readonly queries: number } {
  const n = embeddings.length / dim;
  const m = Math.min(n, sample);
  const pair = distance.host.pair;
  let total = 0;
  const best: { row: number; d: number }[] = [];
  for (let s = 0; s < m; s++) {
    const q = Math.floor((s * n) / m);
    const query = embeddings.subarray(q * dim, (q + 1) * dim);
    best.length = 0;
    let bar = Infinity;
    for (let r = 0; r < n; r++) {
      if (r === q) continue;
      const d = pair(query, embeddings.subarray(r * dim, (r + 1) * dim));
      if (best.length === at && d >= bar) continue;
      let p = best.length < at ? best.length : at - 1;
      if (best.length < at) best.push({ row: r, d });
      while (p > 0 && best[p - 1].d > d) {
        best[p] = best[p - 1];
        p--;
      }
      best[p] = { row: r, d };
      bar = best.length === at ? best[at - 1].d : Infinity;
    }
    const got = new Set<number>();
    for (let j = 0; j < Math.min(at, neighbours.k); j++) {
      got.add(neighbours.rows[q * neighbours.k + j]);
    }
    total += best.filter((b) => got.has(b.row)).length / best.length;
  }
  return { at, recall: total / m, queries: m };
}
