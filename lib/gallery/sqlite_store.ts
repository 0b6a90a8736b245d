import { DatabaseSync } from "node:sqlite";
import type { GalleryStore, StoreChunk, StoreEntry } from "./types.ts";
import { checkDim, checkFingerprint } from "./_validate.ts";
import { checkEntry, checkOpen } from "./_store_checks.ts";

/** Options of {@linkcode sqliteStore}. */
export interface SqliteStoreOptions {
  /** The size of every embedding; must match the file's when it exists. */
  readonly dim: number;
  /**
   * The fingerprint of the model that makes the embeddings (see `fingerprintWeights`); must
   * match the file's when it exists.
   */
  readonly fingerprint: string;
}

const FORMAT = "likeness-gallery/1";

/**
 * A persistent gallery store in one SQLite file, on Deno's built-in `node:sqlite`. Creates
 * the file on first use and records the model fingerprint and embedding size; reopening with
 * another fingerprint or size throws. Every `add` and `remove` is one transaction in
 * write-ahead-log mode with full sync: a crash mid-write loses nothing already committed and
 * leaves nothing half-written. Needs `--allow-read --allow-write` for the file.
 *
 * @example
 * ```ts
 * import { sqliteStore } from "./sqlite_store.ts";
 * const path = await Deno.makeTempFile({ suffix: ".db" });
 * const store = sqliteStore(path, { dim: 2, fingerprint: "model-1" });
 * store.add([{ identity: "alice", embeddings: new Float32Array([0.5, 1]) }]);
 * store.close();
 * const again = sqliteStore(path, { dim: 2, fingerprint: "model-1" });
 * if (again.embeddings("alice")[1] !== 1) throw new Error("not persisted");
 * again.close();
 * let refused = false;
 * try {
 *   sqliteStore(path, { dim: 2, fingerprint: "model-2" });
 * } catch {
 *   refused = true;
 * }
 * if (!refused) throw new Error("a different model must be refused");
 * await Deno.remove(path);
 * ```
 */
export function sqliteStore(path: string, options: SqliteStoreOptions): GalleryStore {
  const action = `open gallery ${JSON.stringify(path)}`;
  if (typeof path !== "string" || path.length === 0) {
    throw new TypeError(
      `Cannot open a gallery store as path must be a non-empty string: current value is ${
        String(path)
      }`,
    );
  }
  const dim = checkDim(options?.dim, action);
  const fingerprint = checkFingerprint(options?.fingerprint, action);
  const db = new DatabaseSync(path);
  try {
    db.exec("PRAGMA busy_timeout = 10000");
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = FULL");
    transaction(db, () => {
      db.exec(
        "CREATE TABLE IF NOT EXISTS likeness_gallery_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
      );
      db.exec(
        "CREATE TABLE IF NOT EXISTS likeness_gallery_items (" +
          "id INTEGER PRIMARY KEY AUTOINCREMENT, identity TEXT NOT NULL, embedding BLOB NOT NULL)",
      );
      db.exec(
        "CREATE INDEX IF NOT EXISTS likeness_gallery_items_identity ON likeness_gallery_items (identity)",
      );
      const rows = db.prepare("SELECT key, value FROM likeness_gallery_meta").all() as {
        key: string;
        value: string;
      }[];
      const meta = new Map(rows.map((r) => [r.key, r.value]));
      if (meta.size === 0) {
        const put = db.prepare("INSERT INTO likeness_gallery_meta (key, value) VALUES (?, ?)");
        put.run("format", FORMAT);
        put.run("fingerprint", fingerprint);
        put.run("dim", String(dim));
        return;
      }
      if (meta.get("format") !== FORMAT) {
        throw new Error(
          `Cannot ${action} as its format must be '${FORMAT}': current format is '${
            meta.get("format")
          }'`,
        );
      }
      if (meta.get("fingerprint") !== fingerprint) {
        throw new Error(
          `Cannot ${action} with model fingerprint '${fingerprint}' as its embeddings were made by the model with fingerprint '${
            meta.get("fingerprint")
          }': embed with that model, or enrol into a new gallery`,
        );
      }
      if (meta.get("dim") !== String(dim)) {
        throw new Error(
          `Cannot ${action} with dim ${dim} as its embeddings have dim ${meta.get("dim")}`,
        );
      }
    });
  } catch (error) {
    db.close();
    throw error;
  }

  const insert = db.prepare(
    "INSERT INTO likeness_gallery_items (identity, embedding) VALUES (?, ?)",
  );
  const deleteOne = db.prepare("DELETE FROM likeness_gallery_items WHERE identity = ?");
  const dataVersion = db.prepare("PRAGMA data_version");
  let changes = 0;
  let closed = false;

  return {
    fingerprint,
    dim,
    add(entries: Iterable<StoreEntry>, opts?: { readonly replace?: boolean }) {
      checkOpen(closed, "add to the store");
      const added: number[] = [];
      const replaced = new Set<string>();
      transaction(db, () => {
        // Entries are consumed inside the transaction: an error (or a crash) while
        // iterating leaves the file as it was before `add`.
        for (const entry of entries) {
          checkEntry(entry, dim, "add");
          if (opts?.replace === true && !replaced.has(entry.identity)) {
            replaced.add(entry.identity);
            deleteOne.run(entry.identity);
          }
          const e = entry.embeddings;
          for (let r = 0; r < e.length / dim; r++) {
            const bytes = new Uint8Array(e.buffer, e.byteOffset + r * dim * 4, dim * 4);
            added.push(Number(insert.run(entry.identity, bytes).lastInsertRowid));
          }
        }
      });
      changes++;
      return added;
    },
    remove(identities) {
      checkOpen(closed, "remove from the store");
      let removed = 0;
      transaction(db, () => {
        for (const identity of identities) removed += Number(deleteOne.run(identity).changes);
      });
      changes++;
      return removed;
    },
    identities() {
      checkOpen(closed, "list identities");
      const rows = db.prepare(
        "SELECT identity FROM likeness_gallery_items GROUP BY identity ORDER BY MIN(id)",
      ).all() as { identity: string }[];
      return rows.map((r) => r.identity);
    },
    count() {
      checkOpen(closed, "count items");
      const row = db.prepare("SELECT COUNT(*) AS n FROM likeness_gallery_items").get() as {
        n: number;
      };
      return Number(row.n);
    },
    embeddings(identity) {
      checkOpen(closed, "read embeddings");
      const rows = db.prepare(
        "SELECT embedding FROM likeness_gallery_items WHERE identity = ? ORDER BY id",
      ).all(identity) as { embedding: Uint8Array }[];
      const out = new Float32Array(rows.length * dim);
      const bytes = new Uint8Array(out.buffer);
      rows.forEach((r, i) => copyBlob(r.embedding, bytes, i, dim));
      return out;
    },
    *scan(size): Iterable<StoreChunk> {
      checkOpen(closed, "scan the store");
      // One statement reads one consistent snapshot, even while others write.
      const rows = db.prepare(
        "SELECT id, identity, embedding FROM likeness_gallery_items ORDER BY id",
      ).iterate() as Iterable<{ id: number; identity: string; embedding: Uint8Array }>;
      let ids: number[] = [], owners: string[] = [];
      let data = new Float32Array(size * dim);
      for (const row of rows) {
        copyBlob(row.embedding, new Uint8Array(data.buffer), ids.length, dim);
        ids.push(Number(row.id));
        owners.push(row.identity);
        if (ids.length === size) {
          yield { ids, identities: owners, embeddings: data };
          ids = [];
          owners = [];
          data = new Float32Array(size * dim);
        }
      }
      if (ids.length > 0) {
        yield { ids, identities: owners, embeddings: data.slice(0, ids.length * dim) };
      }
    },
    revision() {
      checkOpen(closed, "read the store's revision");
      const row = dataVersion.get() as { data_version: number };
      return `sqlite:${row.data_version}:${changes}`;
    },
    close() {
      if (!closed) db.close();
      closed = true;
    },
  };
}

function transaction(db: DatabaseSync, body: () => void): void {
  db.exec("BEGIN IMMEDIATE");
  try {
    body();
    db.exec("COMMIT");
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}

function copyBlob(blob: Uint8Array, target: Uint8Array, row: number, dim: number): void {
  if (blob.byteLength !== dim * 4) {
    throw new Error(
      `Cannot read the gallery as a stored embedding must have ${
        dim * 4
      } bytes (dim ${dim}): current size is ${blob.byteLength} bytes`,
    );
  }
  target.set(blob, row * dim * 4);
}
