/**
 * The values a gallery works with: embeddings, stores, matches and verification decisions.
 *
 * @module
 */
import type { Distance } from "../types.ts";

/**
 * One embedding: `dim` finite numbers. A `Float32Array` is stored as is; a number array is
 * converted.
 *
 * @example
 * ```ts
 * import type { Embedding } from "./types.ts";
 * import { memoryStore } from "./memory_store.ts";
 * import { openGallery } from "./open_gallery.ts";
 * const gallery = openGallery(memoryStore({ dim: 2, fingerprint: "m" }));
 * gallery.enrol("alice", [[0, 0]]);
 * // a Float32Array and a number array are the same embedding: (3, 4) is 5 from (0, 0)
 * const packed: Embedding = new Float32Array([3, 4]), plain: Embedding = [3, 4];
 * const d = [packed, plain].map((e) => gallery.identify(e, 1)[0].distance);
 * if (d.join() !== "5,5") throw new Error(d.join());
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
 * import { memoryStore } from "./memory_store.ts";
 * import { openGallery } from "./open_gallery.ts";
 * const gallery = openGallery(memoryStore({ dim: 2, fingerprint: "m" }));
 * const packed: Embeddings = new Float32Array([0, 1, 1, 0]); // two rows of dim 2
 * const listed: Embeddings = [[0, 1], [1, 0]];
 * gallery.enrol("a", packed);
 * gallery.enrol("b", listed);
 * const [a, b] = ["a", "b"].map((id) => gallery.store.embeddings(id).join());
 * if (gallery.count() !== 4 || a !== "0,1,1,0" || a !== b) throw new Error(`${a} / ${b}`);
 * ```
 */
export type Embeddings = Float32Array | readonly Embedding[];

/**
 * How an identity is represented when identifying and verifying: by `"all"` its enrolled
 * samples (its distance is the smallest over them) or by their `"mean"`.
 *
 * @example
 * ```ts
 * import type { TemplateMode } from "./types.ts";
 * import { memoryStore } from "./memory_store.ts";
 * import { openGallery } from "./open_gallery.ts";
 * // alice's samples at 0 and 4; a query at 0 is 0 from a sample but 2 from their mean
 * const d = (["all", "mean"] as TemplateMode[]).map((templates) => {
 *   const gallery = openGallery(memoryStore({ dim: 1, fingerprint: "m" }), { templates });
 *   gallery.enrol("alice", [[0], [4]]);
 *   return gallery.identify([0], 1)[0].distance;
 * });
 * if (d.join() !== "0,2") throw new Error(d.join());
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
 * import { memoryStore } from "./memory_store.ts";
 * const store = memoryStore({ dim: 2, fingerprint: "m" });
 * const alice: StoreEntry = { identity: "alice", embeddings: new Float32Array([1, 0, 0, 1]) }; // 2 rows
 * const bob: StoreEntry = { identity: "bob", embeddings: new Float32Array([2, 2]) };
 * const ids = store.add([alice, bob]);
 * if (ids.length !== 3 || store.count() !== 3) throw new Error(`${ids}`);
 * if (store.embeddings("alice").join() !== "1,0,0,1" || store.identities().join() !== "alice,bob") throw new Error("stored");
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
 * import { memoryStore } from "./memory_store.ts";
 * const store = memoryStore({ dim: 1, fingerprint: "m" });
 * store.add([{ identity: "a", embeddings: new Float32Array([1, 2]) }, { identity: "b", embeddings: new Float32Array([3]) }]);
 * // three items, two rows at a time
 * const chunks: StoreChunk[] = [...store.scan(2)];
 * const shown = chunks.map((c) => `${c.identities}:${c.embeddings}`);
 * if (shown.join(" ") !== "a,a:1,2 b:3") throw new Error(shown.join(" "));
 * if (chunks[0].ids[0] >= chunks[0].ids[1] || chunks[0].ids[1] >= chunks[1].ids[0]) throw new Error("id order");
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
 * const before = store.revision();
 * // replace: alice's two items give way to one, in the same transaction
 * store.add([{ identity: "alice", embeddings: new Float32Array([5, 5]) }], { replace: true });
 * if (store.count() !== 1 || store.embeddings("alice").join() !== "5,5") throw new Error("replace");
 * if (store.revision() === before) throw new Error("revision");
 * if (store.remove(["alice"]) !== 1 || store.count() !== 0) throw new Error("remove");
 * store.close();
 * let closed = false;
 * try { store.count(); } catch { closed = true; }
 * if (!closed) throw new Error("a closed store throws");
 * ```
 */
export interface GalleryStore {
  /** The fingerprint of the model that made the stored embeddings. */
  readonly fingerprint: string;
  /** The size of every stored embedding. */
  readonly dim: number;
  /**
   * The name of the distance the stored embeddings are compared with (recorded when the
   * store is created); `openGallery` refuses a distance of another name.
   */
  readonly distance: string;
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
 * import { memoryStore } from "./memory_store.ts";
 * import { openGallery } from "./open_gallery.ts";
 * const gallery = openGallery(memoryStore({ dim: 1, fingerprint: "m" }));
 * gallery.enrol("alice", [[0]]);
 * gallery.enrol("bob", [[5]]);
 * // closest first: a query at 1 is 1 from alice, 4 from bob
 * const ranked: Match[] = gallery.identify([1], 2);
 * if (ranked.map((m) => `${m.identity} ${m.distance}`).join() !== "alice 1,bob 4") throw new Error("rank");
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
 * import { memoryStore } from "./memory_store.ts";
 * import { openGallery } from "./open_gallery.ts";
 * const gallery = openGallery(memoryStore({ dim: 1, fingerprint: "m" }));
 * const alice = gallery.enrol("alice", [[0], [10]]);
 * const bob = gallery.enrol("bob", [[2]]);
 * // the two samples closest to 0.5: alice's first (0.5 away), then bob's (1.5 away)
 * const [first, second]: ItemMatch[] = gallery.similar([0.5], 2);
 * if (first.id !== alice.ids[0] || first.identity !== "alice" || first.distance !== 0.5) throw new Error("first");
 * if (second.id !== bob.ids[0] || second.distance !== 1.5) throw new Error("second");
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
 * import { memoryStore } from "./memory_store.ts";
 * import { openGallery } from "./open_gallery.ts";
 * const gallery = openGallery(memoryStore({ dim: 1, fingerprint: "m" }), { threshold: 1 });
 * gallery.enrol("alice", [[0]]);
 * const near: Verification = gallery.verify("alice", [0.5]);
 * const far: Verification = gallery.verify("alice", [2]);
 * if (!near.accepted || near.distance !== 0.5 || near.threshold !== 1) throw new Error("near");
 * if (far.accepted || far.distance !== 2) throw new Error("far");
 * // a threshold given with the claim replaces the gallery's
 * if (!gallery.verify("alice", [2], { threshold: 3 }).accepted) throw new Error("threshold 3");
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
 * import { memoryStore } from "./memory_store.ts";
 * import { openGallery } from "./open_gallery.ts";
 * const gallery = openGallery(memoryStore({ dim: 1, fingerprint: "m" }));
 * const first: Enrolment = gallery.enrol("alice", [[1], [2]]);
 * const more: Enrolment = gallery.enrol("alice", [[3]]);
 * // one new id per sample, added to alice's earlier ones
 * if (first.ids.length !== 2 || more.ids.length !== 1 || first.ids.includes(more.ids[0])) throw new Error("ids");
 * if (more.identity !== "alice" || gallery.count() !== 3) throw new Error("count");
 * const again = gallery.enrol("alice", [[9]], { replace: true });
 * if (gallery.count() !== 1 || gallery.similar([9], 1)[0].id !== again.ids[0]) throw new Error("replace");
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
  /** The distance used to rank and verify (the store's: see `GalleryStore.distance`). */
  readonly distance: Distance;
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

/**
 * An approximate nearest-neighbour index for a gallery, made by `hnswIndex` and passed as
 * `openGallery(store, { index })`. Its fields are the settings it was made with.
 *
 * @example
 * ```ts
 * import type { GalleryIndex } from "./types.ts";
 * import { hnswIndex } from "./ann_index.ts";
 * const index: GalleryIndex = await hnswIndex({ threshold: 50_000, expansionSearch: 64 });
 * if (index.kind !== "hnsw" || index.threshold !== 50_000 || index.connectivity !== 16) {
 *   throw new Error(JSON.stringify(index));
 * }
 * ```
 */
export interface GalleryIndex {
  /** The kind of index. */
  readonly kind: "hnsw";
  /** The index file (none: kept in memory only). */
  readonly path: string | undefined;
  /** Galleries with fewer items are searched exactly. */
  readonly threshold: number;
  /** Links per node of the graph (`M`). */
  readonly connectivity: number;
  /** Candidate list while inserting (`efConstruction`). */
  readonly expansionAdd: number;
  /** Candidate list while searching (`ef`). */
  readonly expansionSearch: number;
  /** Threads used to build and to answer batches (0: all cores). */
  readonly threads: number;
}
