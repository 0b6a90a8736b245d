/**
 * The values a gallery works with: embeddings, stores, matches and verification decisions.
 *
 * @module
 */

/**
 * One embedding: `dim` finite numbers. A `Float32Array` is stored as is; a number array is
 * converted.
 *
 * @example
 * ```ts
 * import type { Embedding } from "./types.ts";
 * const e: Embedding = new Float32Array([0.6, 0.8]);
 * if (e.length !== 2) throw new Error("length");
 * ```
 */
export type Embedding = Float32Array | readonly number[];

/**
 * Several embeddings: either one `Float32Array` of `rows × dim` values (row-major), or a
 * list of rows.
 *
 * @example
 * ```ts
 * import type { Embeddings } from "./types.ts";
 * const packed: Embeddings = new Float32Array([0, 1, 1, 0]); // two rows of dim 2
 * const listed: Embeddings = [[0, 1], [1, 0]];
 * if (packed.length !== 4 || listed.length !== 2) throw new Error("shape");
 * ```
 */
export type Embeddings = Float32Array | readonly Embedding[];

/**
 * The distances a gallery searches with. Smaller always means closer; none normalises its
 * inputs except `cosine`, which is `1 - cos(a, b)` by definition.
 *
 * @example
 * ```ts
 * import type { GalleryDistance } from "./types.ts";
 * const d: GalleryDistance = "cosine";
 * if (d !== "cosine") throw new Error("distance");
 * ```
 */
export type GalleryDistance = "euclidean" | "squaredEuclidean" | "cosine" | "manhattan";

/**
 * How an identity is represented when identifying and verifying: by `"all"` its enrolled
 * samples (its distance is the smallest over them) or by their `"mean"`.
 *
 * @example
 * ```ts
 * import type { TemplateMode } from "./types.ts";
 * const mode: TemplateMode = "mean";
 * if (mode !== "mean") throw new Error("mode");
 * ```
 */
export type TemplateMode = "all" | "mean";

/**
 * One identity's new samples for {@linkcode GalleryStore.add}: `embeddings` holds
 * `rows × dim` values, row-major.
 *
 * @example
 * ```ts
 * import type { StoreEntry } from "./types.ts";
 * const entry: StoreEntry = { identity: "alice", embeddings: new Float32Array([1, 0]) };
 * if (entry.identity !== "alice") throw new Error("identity");
 * ```
 */
export interface StoreEntry {
  /** The identity the samples belong to. */
  readonly identity: string;
  /** `rows × dim` values, row-major. */
  readonly embeddings: Float32Array;
}

/**
 * A run of consecutive stored items, as {@linkcode GalleryStore.scan} yields them.
 *
 * @example
 * ```ts
 * import type { StoreChunk } from "./types.ts";
 * const rowsOf = (c: StoreChunk) => c.ids.length;
 * ```
 */
export interface StoreChunk {
  /** Item id of each row. */
  readonly ids: readonly number[];
  /** Identity of each row. */
  readonly identities: readonly string[];
  /** `ids.length × dim` values, row-major. */
  readonly embeddings: Float32Array;
}

/**
 * Where a gallery keeps its items: `memoryStore` or the persistent `sqliteStore`. A store
 * records the fingerprint of the model that made its embeddings and their size; `add` and
 * `remove` are all-or-nothing.
 *
 * @example
 * ```ts
 * import { memoryStore } from "./memory_store.ts";
 * import type { GalleryStore } from "./types.ts";
 * const store: GalleryStore = memoryStore({ dim: 2, fingerprint: "model-1" });
 * store.add([{ identity: "alice", embeddings: new Float32Array([1, 0, 0, 1]) }]);
 * if (store.count() !== 2) throw new Error("count");
 * ```
 */
export interface GalleryStore {
  /** The fingerprint of the model that made the stored embeddings. */
  readonly fingerprint: string;
  /** The size of every stored embedding. */
  readonly dim: number;
  /**
   * Adds every entry in one transaction (all or none) and returns the new item ids, in
   * order. With `replace`, each entry's identity loses its earlier items in the same
   * transaction.
   */
  add(entries: Iterable<StoreEntry>, options?: { readonly replace?: boolean }): number[];
  /** Removes the identities' items in one transaction; returns how many items went. */
  remove(identities: readonly string[]): number;
  /** The enrolled identities, in order of first enrolment. */
  identities(): string[];
  /** How many items (embeddings) are stored. */
  count(): number;
  /** One identity's embeddings (`rows × dim`, row-major; empty when unknown). */
  embeddings(identity: string): Float32Array;
  /** Every item in id order, `rows` at a time. */
  scan(rows: number): Iterable<StoreChunk>;
  /** Changes whenever the stored items change (also by another connection). */
  revision(): string;
  /** Releases the store; later calls throw. */
  close(): void;
}

/**
 * One ranked identity: the closer, the earlier.
 *
 * @example
 * ```ts
 * import type { Match } from "./types.ts";
 * const m: Match = { identity: "alice", distance: 0.1 };
 * if (m.distance > 1) throw new Error("distance");
 * ```
 */
export interface Match {
  /** The identity. */
  readonly identity: string;
  /** Its distance to the query (with `"all"` templates, the smallest over its samples). */
  readonly distance: number;
}

/**
 * One retrieved item of content-based search.
 *
 * @example
 * ```ts
 * import type { ItemMatch } from "./types.ts";
 * const m: ItemMatch = { id: 3, identity: "alice", distance: 0 };
 * if (m.id !== 3) throw new Error("id");
 * ```
 */
export interface ItemMatch {
  /** The item id the store gave the sample at enrolment. */
  readonly id: number;
  /** The identity it was enrolled under. */
  readonly identity: string;
  /** Its distance to the query. */
  readonly distance: number;
}

/**
 * The answer to a claim "this sample is `identity`".
 *
 * @example
 * ```ts
 * import type { Verification } from "./types.ts";
 * const v: Verification = { identity: "alice", accepted: true, distance: 0.2, threshold: 0.5 };
 * if (v.accepted !== v.distance <= v.threshold) throw new Error("decision");
 * ```
 */
export interface Verification {
  /** The claimed identity. */
  readonly identity: string;
  /** Whether `distance <= threshold`. */
  readonly accepted: boolean;
  /** Distance between the sample and the identity's template(s). */
  readonly distance: number;
  /** The threshold the decision used. */
  readonly threshold: number;
}

/**
 * What one enrolment added.
 *
 * @example
 * ```ts
 * import type { Enrolment } from "./types.ts";
 * const e: Enrolment = { identity: "alice", ids: [1, 2] };
 * if (e.ids.length !== 2) throw new Error("ids");
 * ```
 */
export interface Enrolment {
  /** The identity enrolled. */
  readonly identity: string;
  /** The new items' ids. */
  readonly ids: readonly number[];
}

/**
 * An enrolled population: enrol and remove identities, identify queries with a ranked list,
 * verify claims against a threshold, retrieve similar items. Made by `openGallery`.
 *
 * @example
 * ```ts
 * import { memoryStore } from "./memory_store.ts";
 * import { openGallery } from "./open_gallery.ts";
 * import type { Gallery } from "./types.ts";
 * const gallery: Gallery = openGallery(memoryStore({ dim: 2, fingerprint: "m" }));
 * gallery.enrol("alice", [[1, 0]]);
 * if (gallery.identify([0.9, 0], 1)[0].identity !== "alice") throw new Error("rank");
 * ```
 */
export interface Gallery {
  /** The store the gallery reads and writes. */
  readonly store: GalleryStore;
  /** The size of every embedding. */
  readonly dim: number;
  /** The fingerprint of the model that made the embeddings. */
  readonly fingerprint: string;
  /** The distance used to rank and verify. */
  readonly distance: GalleryDistance;
  /** How identities are represented. */
  readonly templates: TemplateMode;
  /**
   * Enrols samples of one identity in one transaction (added to its earlier samples, or
   * replacing them with `replace`).
   */
  enrol(
    identity: string,
    embeddings: Embeddings,
    options?: { readonly replace?: boolean },
  ): Enrolment;
  /** Enrols many identities in ONE transaction: all or none. */
  enrolMany(
    entries: Iterable<{ readonly identity: string; readonly embeddings: Embeddings }>,
    options?: { readonly replace?: boolean },
  ): Enrolment[];
  /** Removes an identity and its samples (a transaction); returns how many samples went. */
  remove(identity: string): number;
  /** Whether `identity` is enrolled. */
  has(identity: string): boolean;
  /** The enrolled identities, in order of first enrolment. */
  identities(): string[];
  /** How many samples are enrolled, over all identities. */
  count(): number;
  /**
   * The `k` closest identities to `query`, closest first (fewer when fewer are enrolled; `k`
   * is a positive integer, or `Infinity` for every identity).
   */
  identify(query: Embedding, k: number): Match[];
  /** {@linkcode Gallery.identify} for many queries at once (much faster per query). */
  identifyBatch(queries: Embeddings, k: number): Match[][];
  /** Decides the claim "`sample` is `identity`" against the threshold. */
  verify(
    identity: string,
    sample: Embedding,
    options?: { readonly threshold?: number },
  ): Verification;
  /**
   * The `k` enrolled samples closest to `query`, closest first: content-based retrieval
   * (`k` as in {@linkcode Gallery.identify}).
   */
  similar(query: Embedding, k: number): ItemMatch[];
  /** {@linkcode Gallery.similar} for many queries at once. */
  similarBatch(queries: Embeddings, k: number): ItemMatch[][];
  /** Closes the store. */
  close(): void;
}
