import type { GalleryDistance, GalleryStore } from "./types.ts";

/** A run of gallery rows laid out for search. */
export interface IndexChunk {
  /** Rows in this chunk. */
  readonly n: number;
  /**
   * `(dim + 1) × n` values: column j is row j (unit length for cosine) followed by
   * `-|row|²` (euclidean family) or 0 (cosine), so that `[2q, 1]·column` (euclidean) or
   * `[q̂, 0]·column` (cosine) is larger for closer rows.
   */
  readonly columns: Float32Array;
}

/** The searchable form of a gallery: item rows or per-identity mean templates. */
export interface SearchIndex {
  readonly revision: string;
  readonly dim: number;
  readonly size: number;
  readonly chunkSize: number;
  readonly chunks: readonly IndexChunk[];
  /** Identity number of each row (an index into `names`). */
  readonly group: Int32Array;
  /** Identity names. */
  readonly names: readonly string[];
  /** Item id of each row (empty for mean templates). */
  readonly ids: readonly number[];
}

/** Lays `rows` (n × dim, row-major) out as an index chunk for `distance`. */
function toChunk(rows: Float32Array, n: number, dim: number, distance: GalleryDistance) {
  const columns = new Float32Array((dim + 1) * n);
  for (let j = 0; j < n; j++) {
    let sq = 0;
    for (let t = 0; t < dim; t++) sq += rows[j * dim + t] * rows[j * dim + t];
    const scale = distance === "cosine" && sq > 0 ? 1 / Math.sqrt(sq) : 1;
    for (let t = 0; t < dim; t++) columns[t * n + j] = rows[j * dim + t] * scale;
    columns[dim * n + j] = distance === "cosine" ? 0 : -sq;
  }
  return { n, columns };
}

/** Every stored item, `chunkSize` rows per chunk. */
export function buildItemIndex(
  store: GalleryStore,
  distance: GalleryDistance,
  chunkSize: number,
): SearchIndex {
  const revision = store.revision();
  const dim = store.dim;
  const chunks: IndexChunk[] = [];
  const groups: number[] = [];
  const names: string[] = [];
  const number = new Map<string, number>();
  const ids: number[] = [];
  for (const chunk of store.scan(chunkSize)) {
    chunks.push(toChunk(chunk.embeddings, chunk.ids.length, dim, distance));
    for (let i = 0; i < chunk.ids.length; i++) {
      const name = chunk.identities[i];
      let g = number.get(name);
      if (g === undefined) {
        g = names.length;
        number.set(name, g);
        names.push(name);
      }
      groups.push(g);
      ids.push(chunk.ids[i]);
    }
  }
  return {
    revision,
    dim,
    size: ids.length,
    chunkSize,
    chunks,
    group: Int32Array.from(groups),
    names,
    ids,
  };
}

/** One mean template per identity (in order of first enrolment), `chunkSize` per chunk. */
export function buildMeanIndex(
  store: GalleryStore,
  distance: GalleryDistance,
  chunkSize: number,
): SearchIndex {
  const revision = store.revision();
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
  const chunks: IndexChunk[] = [];
  for (let start = 0; start < names.length; start += chunkSize) {
    const n = Math.min(chunkSize, names.length - start);
    const rows = new Float32Array(n * dim);
    for (let j = 0; j < n; j++) {
      const { sum, n: count } = means[start + j];
      for (let t = 0; t < dim; t++) rows[j * dim + t] = sum[t] / count;
    }
    chunks.push(toChunk(rows, n, dim, distance));
  }
  return {
    revision,
    dim,
    size: names.length,
    chunkSize,
    chunks,
    group: Int32Array.from(names.keys()),
    names,
    ids: [],
  };
}
