import type { GalleryStore, StoreChunk, StoreEntry } from "./types.ts";
import type { Distance } from "../types.ts";
import {
  checkDim,
  checkFingerprint,
  checkIdentity,
  checkPositiveInteger,
  checkStoreDistance,
} from "./_validate.ts";
import { checkEntry, checkIterable, checkOpen } from "./_store_checks.ts";

/** Options of {@linkcode memoryStore}. */
export interface MemoryStoreOptions {
  /** The size of every embedding. */
  readonly dim: number;
  /** The fingerprint of the model that makes the embeddings (see `fingerprintWeights`). */
  readonly fingerprint: string;
  /** The distance the embeddings are compared with (default `distances.euclidean`). */
  readonly distance?: Distance;
}

/**
 * A gallery store in memory, with the same interface and all-or-nothing writes as
 * `sqliteStore`, for tests, benchmarks and galleries rebuilt on every start.
 *
 * @example
 * ```ts
 * import { memoryStore } from "./memory_store.ts";
 * const store = memoryStore({ dim: 2, fingerprint: "model-1" });
 * const ids = store.add([{ identity: "bob", embeddings: new Float32Array([1, 2, 3, 4]) }]);
 * if (ids.length !== 2 || store.identities()[0] !== "bob") throw new Error("add");
 * if (store.remove(["bob"]) !== 2 || store.count() !== 0) throw new Error("remove");
 * ```
 */
export function memoryStore(options: MemoryStoreOptions): GalleryStore {
  const dim = checkDim(options?.dim, "create a memory store");
  const fingerprint = checkFingerprint(options?.fingerprint, "create a memory store");
  const distance = checkStoreDistance(options?.distance, "create a memory store");
  let ids: number[] = [];
  let owners: string[] = [];
  let rows: Float32Array[] = [];
  let nextId = 1;
  let changes = 0;
  let closed = false;

  const add = (entries: Iterable<StoreEntry>, opts?: { readonly replace?: boolean }) => {
    checkOpen(closed, "add to the store");
    checkIterable(entries, "entries", "add to the store");
    // Everything is checked and copied before the store changes: all or nothing.
    const pending: StoreEntry[] = [];
    for (const entry of entries) {
      checkEntry(entry, dim, "add");
      pending.push({ identity: entry.identity, embeddings: entry.embeddings.slice() });
    }
    if (opts?.replace === true) removeNow(new Set(pending.map((e) => e.identity)));
    const added: number[] = [];
    for (const entry of pending) {
      for (let r = 0; r < entry.embeddings.length / dim; r++) {
        ids.push(nextId);
        owners.push(entry.identity);
        rows.push(entry.embeddings.subarray(r * dim, (r + 1) * dim));
        added.push(nextId++);
      }
    }
    if (pending.length > 0) changes++;
    return added;
  };

  const removeNow = (gone: ReadonlySet<string>): number => {
    const before = ids.length;
    const keep = owners.map((o) => !gone.has(o));
    ids = ids.filter((_, i) => keep[i]);
    rows = rows.filter((_, i) => keep[i]);
    owners = owners.filter((_, i) => keep[i]);
    return before - ids.length;
  };

  return {
    fingerprint,
    dim,
    distance,
    add,
    remove(identities) {
      checkOpen(closed, "remove from the store");
      checkIterable(identities, "identities", "remove from the store");
      for (const identity of identities) checkIdentity(identity, "remove");
      const removed = removeNow(new Set(identities));
      if (removed > 0) changes++;
      return removed;
    },
    identities() {
      checkOpen(closed, "list identities");
      return [...new Set(owners)];
    },
    count() {
      checkOpen(closed, "count items");
      return ids.length;
    },
    embeddings(identity) {
      checkOpen(closed, "read embeddings");
      checkIdentity(identity, "read embeddings");
      const mine = rows.filter((_, i) => owners[i] === identity);
      const out = new Float32Array(mine.length * dim);
      mine.forEach((row, i) => out.set(row, i * dim));
      return out;
    },
    scan(size): Iterable<StoreChunk> {
      checkOpen(closed, "scan the store");
      checkPositiveInteger(size, "rows", "scan the store");
      // A snapshot: writes during the scan do not affect it (adds append beyond `total`,
      // removals make new arrays).
      return scanChunks(ids, owners, rows, ids.length, size);
    },
    revision() {
      return `memory:${changes}`;
    },
    close() {
      closed = true;
    },
  };

  function* scanChunks(
    snapIds: readonly number[],
    snapOwners: readonly string[],
    snapRows: readonly Float32Array[],
    total: number,
    size: number,
  ): Generator<StoreChunk> {
    for (let start = 0; start < total; start += size) {
      const end = Math.min(start + size, total);
      const embeddings = new Float32Array((end - start) * dim);
      for (let i = start; i < end; i++) embeddings.set(snapRows[i], (i - start) * dim);
      yield {
        ids: snapIds.slice(start, end),
        identities: snapOwners.slice(start, end),
        embeddings,
      };
    }
  }
}
