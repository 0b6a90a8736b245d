import type { Distance } from "../types.ts";
import type { GalleryStore } from "./types.ts";

/** A run of gallery rows laid out for search. */
export interface SearchChunk {
  /** Rows in this chunk. */
  readonly n: number;
  /**
   * `(dim + 1) × n` values: column j is row j (unit length for cosine) followed by
   * `-|row|²` (euclidean family) or 0 (cosine, dot and the loop kinds), so that
   * `[2q, 1]·column` (euclidean), `[q̂, 0]·column` (cosine) or `[q, 0]·column` (dot) is
   * larger for closer rows.
   */
  readonly columns: Float32Array;
  /** Identity number of each row (an index into the source's `names`). */
  readonly groups: Int32Array;
  /** Item id of each row (-1 for mean templates). */
  readonly ids: Float64Array;
}

/** Where search reads gallery rows from: a cached index or a stream over the store. */
export interface SearchSource {
  /** The chunks, in row order (a stream may be read once per search). */
  chunks(): Iterable<SearchChunk>;
  /** Identity names by number; complete once `chunks()` has been read to the end. */
  readonly names: readonly string[];
}

/** Lays `rows` (n × dim, row-major) out as columns for `distance`. */
function toColumns(rows: Float32Array, n: number, dim: number, distance: Distance) {
  const columns = new Float32Array((dim + 1) * n);
  const kind = distance.host.kind;
  const squares = kind === "euclidean" || kind === "squaredEuclidean";
  for (let j = 0; j < n; j++) {
    let sq = 0;
    for (let t = 0; t < dim; t++) sq += rows[j * dim + t] * rows[j * dim + t];
    const scale = kind === "cosine" && sq > 0 ? 1 / Math.sqrt(sq) : 1;
    for (let t = 0; t < dim; t++) columns[t * n + j] = rows[j * dim + t] * scale;
    columns[dim * n + j] = squares ? -sq : 0;
  }
  return columns;
}

/** Every stored item, read from the store chunk by chunk each time it is iterated. */
export function streamItems(
  store: GalleryStore,
  distance: Distance,
  chunkSize: number,
): SearchSource {
  const names: string[] = [];
  const number = new Map<string, number>();
  return {
    names,
    *chunks() {
      for (const chunk of store.scan(chunkSize)) {
        const n = chunk.ids.length;
        const groups = new Int32Array(n);
        for (let i = 0; i < n; i++) {
          const name = chunk.identities[i];
          let g = number.get(name);
          if (g === undefined) {
            g = names.length;
            number.set(name, g);
            names.push(name);
          }
          groups[i] = g;
        }
        yield {
          n,
          columns: toColumns(chunk.embeddings, n, store.dim, distance),
          groups,
          ids: Float64Array.from(chunk.ids),
        };
      }
    },
  };
}

/** Every stored item, kept in memory (`n × (dim + 1)` floats). */
export function cacheItems(
  store: GalleryStore,
  distance: Distance,
  chunkSize: number,
): SearchSource {
  const stream = streamItems(store, distance, chunkSize);
  const chunks = [...stream.chunks()];
  return { names: stream.names, chunks: () => chunks };
}

/** One mean template per identity (in order of first enrolment), kept in memory. */
export function cacheMeans(
  store: GalleryStore,
  distance: Distance,
  chunkSize: number,
): SearchSource {
  const dim = store.dim;
  const sums = new Map<string, { sum: Float64Array; n: number }>();
  for (const chunk of store.scan(chunkSize)) {
    for (let i = 0; i < chunk.ids.length; i++) {
      const name = chunk.identities[i];
      let acc = sums.get(name);
      if (acc === undefined) {
        acc = { sum: new Float64Array(dim), n: 0 };
        sums.set(name, acc);
      }
      for (let t = 0; t < dim; t++) acc.sum[t] += chunk.embeddings[i * dim + t];
      acc.n++;
    }
  }
  const names = [...sums.keys()];
  const means = [...sums.values()];
  const chunks: SearchChunk[] = [];
  for (let start = 0; start < names.length; start += chunkSize) {
    const n = Math.min(chunkSize, names.length - start);
    const rows = new Float32Array(n * dim);
    for (let j = 0; j < n; j++) {
      const { sum, n: count } = means[start + j];
      for (let t = 0; t < dim; t++) rows[j * dim + t] = sum[t] / count;
    }
    chunks.push({
      n,
      columns: toColumns(rows, n, dim, distance),
      groups: Int32Array.from({ length: n }, (_, j) => start + j),
      ids: new Float64Array(n).fill(-1),
    });
  }
  return { names, chunks: () => chunks };
}
