import type {
  Embedding,
  Embeddings,
  Enrolment,
  Gallery,
  GalleryIndex,
  GalleryStore,
  ItemMatch,
  Match,
  TemplateMode,
  Verification,
} from "./types.ts";
import { checkIdentity, checkK, checkPositiveInteger, show, toRow, toRows } from "./_validate.ts";
import type { Distance } from "../types.ts";
import { builtInDistance, checkDistance } from "../distances/host.ts";
import { cacheItems, cacheMeans, type SearchSource, streamItems } from "./_index.ts";
import { checkIterable } from "./_store_checks.ts";
import { type Hit, search } from "./_search.ts";
import { AnnGallery, handleOf, metricOf, onlyOurWrite } from "./_ann.ts";

/** Options of {@linkcode openGallery}. */
export interface OpenGalleryOptions {
  /**
   * How to compare embeddings; smaller is closer. Its name must be the store's
   * (`GalleryStore.distance`, set when the store is created): a gallery is always searched
   * with the distance its store was made for. Default: the built-in distance of that name;
   * a store of a user-defined distance needs its record here.
   */
  readonly distance?: Distance;
  /**
   * Identities are compared through `"all"` their samples (distance = the smallest) or
   * their `"mean"` (default `"all"`). Retrieval with `similar` always uses every sample.
   */
  readonly templates?: TemplateMode;
  /** The default threshold of `verify` (e.g. from `calibrateThreshold`). */
  readonly threshold?: number;
  /**
   * The fingerprint of the model whose embeddings you will enrol and query with; when given
   * it must equal the store's, so that a different model is refused at once.
   */
  readonly fingerprint?: string;
  /**
   * Keep a searchable copy of the enrolled samples in memory (`count × (dim + 1)` floats,
   * rebuilt lazily after any change; default `true`). With `false` every search streams the
   * store chunk by chunk, so memory stays at one chunk whatever the gallery's size (slower:
   * each search reads the whole store). Mean templates (one row per identity) are always
   * kept in memory.
   */
  readonly cache?: boolean;
  /** Gallery rows scored per step (default 4096): bounds working memory. */
  readonly chunkSize?: number;
  /**
   * Queries scored together per step (default 512). With the default chunk this is 8 MiB of
   * scores per step: measured faster than both smaller and larger blocks (cache effects).
   */
  readonly queryBlock?: number;
  /**
   * An approximate nearest-neighbour index (`await hnswIndex(...)`) for galleries too large
   * to scan per query: identification over `"all"` templates and `similar` then search its
   * graph (answers keep exact distances; recall is measured in `bench/gallery.ts`). Default:
   * none, every search is exact. The index is kept up to date on enrol and remove, and
   * written to its file (when it has one) when built and on `close`.
   */
  readonly index?: GalleryIndex;
}

/**
 * Opens a gallery on a store (`memoryStore` or `sqliteStore`): enrol identities from their
 * embeddings without retraining, identify queries with a ranked list of identities, verify
 * claims against a threshold, and retrieve the most similar enrolled samples.
 *
 * Search is exact: queries are scored in blocks against chunks of the gallery (a matrix
 * product on the current tfjs backend for euclidean, squared euclidean, cosine and dot, a loop
 * for manhattan and the distance's own host form for a user-defined one), the best candidates are re-scored exactly in float64, and working memory stays
 * at `queryBlock × chunkSize` scores however large the gallery. The searchable copy of the
 * gallery is rebuilt lazily after any change to the store (also by another process), or
 * not kept at all with `cache: false`.
 *
 * @example
 * ```ts
 * import { memoryStore } from "./memory_store.ts";
 * import { openGallery } from "./open_gallery.ts";
 * const gallery = openGallery(memoryStore({ dim: 2, fingerprint: "m" }), { threshold: 0.5 });
 * gallery.enrol("alice", [[0, 0], [0, 1]]);
 * gallery.enrol("bob", [[3, 0]]);
 * const ranked = gallery.identify([0, 0.9], 2);
 * if (ranked[0].identity !== "alice" || ranked[1].identity !== "bob") throw new Error("rank");
 * if (Math.abs(ranked[0].distance - 0.1) > 1e-6) throw new Error("distance");
 * if (!gallery.verify("alice", [0.1, 0.2]).accepted) throw new Error("verify");
 * if (gallery.verify("bob", [0.1, 0.2]).accepted) throw new Error("impostor accepted");
 * ```
 */
export function openGallery(store: GalleryStore, options: OpenGalleryOptions = {}): Gallery {
  checkStore(store);
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `Cannot open gallery as options must be an object: current value is ${show(options)}`,
    );
  }
  const distance = storeDistance(store, options.distance);
  const templates = options.templates ?? "all";
  if (templates !== "all" && templates !== "mean") {
    throw new RangeError(
      `Cannot open gallery as options.templates must be 'all' or 'mean': current value is ${
        show(templates)
      }`,
    );
  }
  if (options.threshold !== undefined) checkThreshold(options.threshold, "open gallery");
  const chunkSize = checkPositiveInteger(options.chunkSize ?? 4096, "chunkSize", "open gallery");
  const queryBlock = checkPositiveInteger(options.queryBlock ?? 512, "queryBlock", "open gallery");
  if (options.fingerprint !== undefined && options.fingerprint !== store.fingerprint) {
    throw new Error(
      `Cannot open gallery with model fingerprint ${
        show(options.fingerprint)
      } as its embeddings were made by the model with fingerprint '${store.fingerprint}'`,
    );
  }
  const dim = store.dim;
  const cache = options.cache ?? true;
  const ann = annHandle(options.index, distance);
  /** The index's state (rows and graph), made at the first search that uses it. */
  let annState: AnnGallery | undefined;
  let items: { revision: string; source: SearchSource } | undefined;
  let means: { revision: string; source: SearchSource } | undefined;

  const itemSource = (): SearchSource => {
    if (!cache) return streamItems(store, distance, chunkSize);
    const revision = store.revision();
    if (items?.revision !== revision) {
      items = { revision, source: cacheItems(store, distance, chunkSize) };
    }
    return items.source;
  };
  const meanSource = (): SearchSource => {
    const revision = store.revision();
    if (means?.revision !== revision) {
      means = { revision, source: cacheMeans(store, distance, chunkSize) };
    }
    return means.source;
  };

  const rowsOf = (value: Embeddings, name: string, action: string): Float32Array => {
    const rows = toRows(value, dim, name, action);
    if (distance.host.kind === "cosine") checkNonZero(rows, dim, name, action);
    return rows;
  };

  const prepare = (
    entries: Iterable<{ readonly identity: string; readonly embeddings: Embeddings }>,
    counts: { identity: string; rows: number; data: Float32Array }[],
  ) =>
    function* () {
      for (const entry of entries) {
        const identity = checkIdentity(entry?.identity, "enrol");
        const rows = rowsOf(entry.embeddings, "embeddings", `enrol ${show(identity)}`);
        counts.push({ identity, rows: rows.length / dim, data: rows });
        yield { identity, embeddings: rows };
      }
    };

  /** The index's state for the store as it is now (rebuilt from the store when stale). */
  const freshAnn = (): AnnGallery => {
    const revision = store.revision();
    if (annState?.revision !== revision) {
      annState = undefined;
      annState = new AnnGallery(ann!, store, distance, chunkSize);
    }
    return annState;
  };

  /**
   * Runs one write to the store and lets the index follow it: incrementally when the
   * write was the only change (`follow`), else the index is dropped and rebuilt from the
   * store at the next search.
   */
  const write = <T>(change: () => T, follow: (state: AnnGallery, result: T) => boolean): T => {
    // A gallery at the threshold keeps its index (and its file) current from the first write.
    if (ann !== undefined && annState === undefined && store.count() >= ann.settings.threshold) {
      try {
        freshAnn().ensureGraph();
      } catch {
        // The store is the truth: the write goes ahead, and the index's trouble (a foreign
        // or damaged file) is reported by the next search.
        annState = undefined;
      }
    }
    const state = annState;
    const before = state === undefined ? "" : store.revision();
    const result = change();
    if (state === undefined) return result;
    annState = undefined;
    const after = store.revision();
    let followed = false;
    try {
      followed = state.revision === before && onlyOurWrite(before, after) &&
        follow(state, result);
    } catch {
      // The write is done; the index, derived from the store, is rebuilt at the next search.
    }
    if (followed) {
      state.revision = after;
      annState = state;
    }
    return result;
  };

  const enrolMany: Gallery["enrolMany"] = (entries, opts) => {
    checkIterable(entries, "entries", "enrol");
    const counts: { identity: string; rows: number; data: Float32Array }[] = [];
    const replace = opts?.replace === true;
    const ids = write(
      () => store.add(prepare(entries, counts)(), { replace }),
      (state, ids) => {
        if (replace) { for (const { identity } of counts) state.kill(identity); }
        const from = state.slots;
        const owners: string[] = [];
        const rows = new Float32Array(ids.length * dim);
        let at = 0;
        for (const { identity, rows: n, data } of counts) {
          for (let r = 0; r < n; r++) owners.push(identity);
          rows.set(data, at * dim);
          at += n;
        }
        if (!state.append(ids, owners, rows)) return false;
        state.index(from);
        return true;
      },
    );
    let at = 0;
    return counts.map(({ identity, rows }) => {
      const mine = ids.slice(at, at + rows);
      at += rows;
      return { identity, ids: mine };
    });
  };

  const queriesOf = (value: Embeddings, name: string, action: string, k: number) => {
    checkK(k, action);
    const rows = rowsOf(value, name, action);
    return rows;
  };

  /** The number of stored items; throws when there are none. */
  const nonEmpty = (action: string): number => {
    const n = store.count();
    if (n === 0) {
      throw new Error(`Cannot ${action} as the gallery is empty: enrol an identity first`);
    }
    return n;
  };

  /** The index's answer, or undefined where search stays exact. */
  const annSearch = (
    rows: Float32Array,
    most: number,
    count: number,
    distinct: boolean,
  ): { hits: Hit[][]; names: readonly string[] } | undefined => {
    if (ann === undefined || count < ann.settings.threshold || most * 4 > count) return undefined;
    const state = freshAnn();
    if (!state.ensureGraph()) return undefined;
    return { hits: state.search(rows, most, distinct), names: state.names };
  };

  const identifyBatch = (queries: Embeddings, k: number, name = "queries"): Match[][] => {
    const action = "identify";
    const rows = queriesOf(queries, name, action, k);
    // More than the gallery holds is everything it holds (the search also grows its
    // storage with what it finds, should another process enrol meanwhile).
    const count = nonEmpty(action);
    const most = Math.min(k, count);
    const fast = templates === "all" ? annSearch(rows, most, count, true) : undefined;
    if (fast !== undefined) {
      return fast.hits.map((hits) =>
        hits.map(({ group, distance }) => ({ identity: fast.names[group], distance }))
      );
    }
    const source = templates === "mean" ? meanSource() : itemSource();
    const options = { dim, distance, distinct: templates === "all", queryBlock };
    return search(source.chunks(), rows, most, options).map((hits) =>
      hits.map(({ group, distance }) => ({ identity: source.names[group], distance }))
    );
  };

  const similarBatch = (queries: Embeddings, k: number, name = "queries"): ItemMatch[][] => {
    const action = "search similar items";
    const rows = queriesOf(queries, name, action, k);
    const count = nonEmpty(action);
    const most = Math.min(k, count);
    const fast = annSearch(rows, most, count, false);
    if (fast !== undefined) {
      return fast.hits.map((hits) =>
        hits.map(({ group, id, distance }) => ({ id, identity: fast.names[group], distance }))
      );
    }
    const source = itemSource();
    const options = { dim, distance, distinct: false, queryBlock };
    return search(source.chunks(), rows, most, options).map((hits) =>
      hits.map(({ group, id, distance }) => ({ id, identity: source.names[group], distance }))
    );
  };

  const single = (query: Embedding, action: string): Float32Array => {
    const row = toRow(query, dim, "query", action);
    if (distance.host.kind === "cosine") checkNonZero(row, dim, "query", action);
    return row;
  };

  return {
    store,
    dim,
    fingerprint: store.fingerprint,
    distance,
    templates,
    enrol(
      identity: string,
      embeddings: Embeddings,
      opts?: { readonly replace?: boolean },
    ): Enrolment {
      return enrolMany([{ identity, embeddings }], opts)[0];
    },
    enrolMany,
    remove(identity: string): number {
      checkIdentity(identity, "remove");
      const removed = write(() => store.remove([identity]), (state) => {
        state.kill(identity);
        return true;
      });
      if (removed === 0) throw unknown(identity, "remove", store);
      return removed;
    },
    has(identity: string): boolean {
      checkIdentity(identity, "look up an identity");
      return store.embeddings(identity).length > 0;
    },
    identities: () => store.identities(),
    count: () => store.count(),
    identify(query: Embedding, k: number): Match[] {
      checkK(k, "identify");
      return identifyBatch([single(query, "identify")], k, "query")[0];
    },
    identifyBatch: (queries: Embeddings, k: number) => identifyBatch(queries, k),
    similar(query: Embedding, k: number): ItemMatch[] {
      checkK(k, "search similar items");
      return similarBatch([single(query, "search similar items")], k, "query")[0];
    },
    similarBatch: (queries: Embeddings, k: number) => similarBatch(queries, k),
    verify(
      identity: string,
      sample: Embedding,
      opts?: { readonly threshold?: number },
    ): Verification {
      const action = `verify ${show(identity)}`;
      checkIdentity(identity, "verify");
      const threshold = opts?.threshold ?? options.threshold;
      if (threshold === undefined) {
        throw new Error(
          `Cannot ${action} as no threshold is set: pass options.threshold to verify or to openGallery (calibrateThreshold finds one for a target false accept rate)`,
        );
      }
      checkThreshold(threshold, action);
      const row = single(sample, action);
      const rows = store.embeddings(identity);
      if (rows.length === 0) throw unknown(identity, "verify", store);
      const d = templates === "mean"
        ? distance.host.pair(row, meanOf(rows, dim))
        : minDistance(distance, row, rows, dim);
      return { identity, accepted: d <= threshold, distance: d, threshold };
    },
    close() {
      try {
        // The index file is brought up to date when the index changed since it was written.
        if (annState !== undefined && annState.revision === store.revision()) annState.save();
      } finally {
        annState = undefined;
        store.close();
      }
    },
  } satisfies Gallery;
}

const storeMethods = [
  "add",
  "remove",
  "identities",
  "count",
  "embeddings",
  "scan",
  "revision",
  "close",
] as const;

function checkStore(store: unknown): asserts store is GalleryStore {
  const s = store as Partial<Record<string, unknown>> | null | undefined;
  const missing = typeof s !== "object" || s === null
    ? ["everything"]
    : storeMethods.filter((m) => typeof s[m] !== "function");
  if (missing.length > 0 || typeof s?.dim !== "number" || typeof s?.fingerprint !== "string") {
    throw new TypeError(
      `Cannot open gallery as store must be a gallery store (memoryStore or sqliteStore): current value is ${
        show(store)
      }${
        missing.length > 0 && missing[0] !== "everything" ? `, without ${missing.join(", ")}` : ""
      }`,
    );
  }
}

/** The handle of `options.index` (made by `hnswIndex`), checked against the distance. */
function annHandle(index: GalleryIndex | undefined, distance: Distance) {
  if (index === undefined) return undefined;
  const handle = handleOf(index);
  if (handle === undefined) {
    throw new TypeError(
      `Cannot open gallery as options.index must be an index made by hnswIndex: current value is ${
        show(index)
      }`,
    );
  }
  if (metricOf(distance) === undefined) {
    throw new Error(
      `Cannot open gallery with an HNSW index as distance '${distance.name}' has no HNSW form (euclidean, squaredEuclidean, cosine and dot have): omit options.index to search exactly`,
    );
  }
  return handle;
}

/** The distance to search `store` with: `given` (of the store's distance name) or the built-in. */
function storeDistance(store: GalleryStore, given: Distance | undefined): Distance {
  const recorded = store.distance;
  if (typeof recorded !== "string") {
    throw new TypeError(
      `Cannot open gallery as store.distance must be the name of the store's distance: current value is ${
        show(recorded)
      }`,
    );
  }
  if (given === undefined) {
    const builtIn = builtInDistance(recorded);
    if (builtIn === undefined) {
      throw new Error(
        `Cannot open gallery as its store was made for the distance '${recorded}', which is not built in: pass that distance's record as options.distance`,
      );
    }
    return builtIn;
  }
  const distance = checkDistance("open gallery", "options.distance", given);
  if (distance.name !== recorded) {
    throw new Error(
      `Cannot open gallery with distance '${distance.name}' as its store was made for distance '${recorded}': open it with that distance, or enrol into a new store made with { distance }`,
    );
  }
  return distance;
}

function checkThreshold(threshold: unknown, action: string): void {
  if (typeof threshold !== "number" || Number.isNaN(threshold)) {
    throw new RangeError(
      `Cannot ${action} as threshold must be a number: current value is ${show(threshold)}`,
    );
  }
}

function checkNonZero(rows: Float32Array, dim: number, name: string, action: string): void {
  for (let r = 0; r < rows.length / dim; r++) {
    let any = false;
    for (let t = 0; t < dim && !any; t++) any = rows[r * dim + t] !== 0;
    if (!any) {
      throw new RangeError(
        `Cannot ${action} as ${name} must not hold a zero vector under cosine distance: row ${r} is all zeros`,
      );
    }
  }
}

function unknown(identity: string, action: string, store: GalleryStore): Error {
  const n = store.identities().length;
  return new Error(
    `Cannot ${action} ${show(identity)} as it is not enrolled: ${
      n === 0
        ? "the gallery is empty"
        : `${n} other identit${n === 1 ? "y is" : "ies are"} enrolled`
    }`,
  );
}

function meanOf(rows: Float32Array, dim: number): Float64Array {
  const mean = new Float64Array(dim);
  const n = rows.length / dim;
  for (let r = 0; r < n; r++) for (let t = 0; t < dim; t++) mean[t] += rows[r * dim + t];
  for (let t = 0; t < dim; t++) mean[t] = Math.fround(mean[t] / n);
  return mean;
}

function minDistance(
  distance: Distance,
  row: Float32Array,
  rows: Float32Array,
  dim: number,
): number {
  let best = Infinity;
  for (let r = 0; r < rows.length / dim; r++) {
    best = Math.min(best, distance.host.pair(row, rows.subarray(r * dim, (r + 1) * dim)));
  }
  return best;
}
