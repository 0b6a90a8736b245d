import type { DatabaseSync, StatementSync } from "node:sqlite";
import { builtin } from "../_runtime.ts";
import type { Distance } from "../types.ts";
import type { GalleryStore, StoreChunk, StoreEntry } from "./types.ts";
import {
  checkDim,
  checkFingerprint,
  checkIdentity,
  checkPositiveInteger,
  checkStoreDistance,
  show,
} from "./_validate.ts";
import { checkEntry, checkIterable, checkOpen } from "./_store_checks.ts";

/** Options of {@linkcode sqliteStore}. */
export interface SqliteStoreOptions {
  /** The size of every embedding; must match the file's when it exists. */
  readonly dim: number;
  /**
   * The fingerprint of the model that makes the embeddings (see `fingerprintWeights`); must
   * match the file's when it exists.
   */
  readonly fingerprint: string;
  /**
   * The distance the embeddings are compared with (default `distances.euclidean`); its name
   * is recorded in the file, and reopening the file with a distance of another name throws.
   */
  readonly distance?: Distance;
  /**
   * How long a write waits for other connections' transactions before it fails with
   * "database is locked", in milliseconds (default 10,000). The wait polls every 1–2 ms, so
   * a writer gets its turn between other writers' back-to-back commits; opening a gallery
   * that exists, and reading, never wait for writers.
   */
  readonly busyTimeoutMs?: number;
}

/**
 * A persistent gallery store in one SQLite file, on Deno's built-in `node:sqlite`. Creates
 * the file on first use and records the model fingerprint, embedding size and distance name;
 * reopening with another fingerprint, size or distance throws (a file made before distances
 * were recorded takes the distance it is first reopened with). Every `add` and `remove` is one transaction in
 * write-ahead-log mode with full sync: a crash mid-write loses nothing already committed and
 * leaves nothing half-written. Several processes may read and write one file at once: a
 * writer waits (up to 10 s) for another's transaction instead of failing, and readers never
 * see half an enrolment. Needs `--allow-read --allow-write` for the file.
 *
 * Only an empty (or new) file or a likeness gallery is opened: a database of another program
 * is refused before anything is written to it, and every error names the file. Identities
 * are stored so that any string comes back exactly as enrolled (NUL characters, lone
 * surrogates and all).
 *
 * @example
 * ```ts
 * import { sqliteStore } from "./sqlite_store.ts";
 * const path = await Deno.makeTempFile({ suffix: ".db" });
 * const store = sqliteStore(path, { dim: 2, fingerprint: "model-1" });
 * store.add([{ identity: "alice", embeddings: new Float32Array([0.5, 1]) }]);
 * store.add([{ identity: "a\0b", embeddings: new Float32Array([2, 2]) }]); // any string
 * store.close();
 * const again = sqliteStore(path, { dim: 2, fingerprint: "model-1" });
 * if (again.embeddings("alice")[1] !== 1) throw new Error("not persisted");
 * if (again.identities()[1] !== "a\0b") throw new Error("the identity must round-trip");
 * again.close();
 * let refused = false;
 * try {
 *   sqliteStore(path, { dim: 2, fingerprint: "model-2" });
 * } catch {
 *   refused = true;
 * }
 * if (!refused) throw new Error("a different model must be refused");
 * // Another program's database is refused, naming the file, and left untouched.
 * const { DatabaseSync } = await import("node:sqlite");
 * const other = await Deno.makeTempFile({ suffix: ".db" });
 * const db = new DatabaseSync(other);
 * db.exec("CREATE TABLE orders (id INTEGER)");
 * db.close();
 * try {
 *   sqliteStore(other, { dim: 2, fingerprint: "model-1" });
 *   throw new Error("another program's database must be refused");
 * } catch (error) {
 *   if (!String(error).includes(other)) throw error;
 * }
 * await Deno.remove(path);
 * await Deno.remove(other);
 * ```
 */
export function sqliteStore(path: string, options: SqliteStoreOptions): GalleryStore {
  if (typeof path !== "string" || path.length === 0) {
    throw new TypeError(
      `Cannot open a gallery store as path must be a non-empty string: current value is ${
        show(path)
      }`,
    );
  }
  const file = `gallery ${JSON.stringify(path)}`;
  const action = `open ${file}`;
  const dim = checkDim(options?.dim, action);
  const fingerprint = checkFingerprint(options?.fingerprint, action);
  const distance = checkStoreDistance(options?.distance, action);
  const busyTimeoutMs = options.busyTimeoutMs ?? 10_000;
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0 || busyTimeoutMs > 2 ** 31 - 1) {
    throw new RangeError(
      `Cannot ${action} as options.busyTimeoutMs must be a whole number of milliseconds (0 to 2147483647): current value is ${
        show(busyTimeoutMs)
      }`,
    );
  }
  let db: DatabaseSync;
  try {
    db = new (builtin("node:sqlite", action).DatabaseSync)(path);
  } catch (error) {
    throw fileError(action, error, busyTimeoutMs);
  }
  try {
    db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
    // Read-only checks first: a file of another program is refused before any write.
    const complete = inspect(db, path) === "gallery" &&
      checkMeta(db, action, fingerprint, dim, distance);
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = FULL");
    // A complete gallery is opened without writing (no wait for other writers' lock).
    if (!complete) {
      transaction(db, () => {
        // Another process may have created the gallery since the check above.
        if (inspect(db, path) === "gallery") {
          checkMeta(db, action, fingerprint, dim, distance);
          // a gallery from before distances were recorded takes this one
          db.prepare("INSERT OR IGNORE INTO likeness_gallery_meta (key, value) VALUES (?, ?)")
            .run("distance", distance);
          return;
        }
        db.exec("CREATE TABLE likeness_gallery_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
        db.exec(
          "CREATE TABLE likeness_gallery_items (" +
            "id INTEGER PRIMARY KEY AUTOINCREMENT, identity TEXT NOT NULL, embedding BLOB NOT NULL)",
        );
        db.exec(
          "CREATE INDEX likeness_gallery_items_identity ON likeness_gallery_items (identity)",
        );
        const put = db.prepare("INSERT INTO likeness_gallery_meta (key, value) VALUES (?, ?)");
        put.run("format", FORMAT);
        put.run("fingerprint", encodeIdentity(fingerprint)); // any string comes back exactly
        put.run("dim", String(dim));
        put.run("distance", distance);
      }, busyTimeoutMs);
    }
  } catch (error) {
    db.close();
    throw fileError(action, error, busyTimeoutMs);
  }

  // Every statement is prepared once (a statement per call grows memory without bound).
  const prepare = (sql: string) => db.prepare(sql);
  const insert = prepare("INSERT INTO likeness_gallery_items (identity, embedding) VALUES (?, ?)");
  const deleteOne = prepare("DELETE FROM likeness_gallery_items WHERE identity = ?");
  const listIdentities = prepare(
    `SELECT ${IDENTITY} FROM likeness_gallery_items GROUP BY identity ORDER BY MIN(id)`,
  );
  const countItems = prepare("SELECT COUNT(*) AS n FROM likeness_gallery_items");
  const embeddingsOf = prepare(
    "SELECT id, embedding FROM likeness_gallery_items WHERE identity = ? ORDER BY id",
  );
  const dataVersion = prepare("PRAGMA data_version");
  const scanSql = `SELECT id, ${IDENTITY}, embedding FROM likeness_gallery_items ORDER BY id`;
  // A scan reads through a connection of its own in a read transaction: one snapshot, which
  // writes made meanwhile — by other processes or through this very store — do not change
  // (a connection sees its own writes at once, so the store's connection cannot give that).
  // Scans in progress at once each get their own; finished ones are kept for the next.
  // A ":memory:" or unnamed database has no second connection: it scans on its own.
  const separate = path !== ":memory:" && !path.startsWith("file::memory:");
  const idleScans: { db: DatabaseSync; statement: StatementSync }[] = [];
  const scanConnection = () => {
    if (!separate) return { db, statement: prepare(scanSql) };
    const reader = new (builtin("node:sqlite", action).DatabaseSync)(path);
    try {
      reader.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
      return { db: reader, statement: reader.prepare(scanSql) };
    } catch (error) {
      reader.close();
      throw error;
    }
  };
  let changes = 0;
  let closed = false;

  const guard = <T>(what: string, body: () => T): T => {
    checkOpen(closed, what);
    try {
      return body();
    } catch (error) {
      throw fileError(`${what} of ${file}`, error, busyTimeoutMs);
    }
  };

  return {
    fingerprint,
    dim,
    distance,
    add(entries: Iterable<StoreEntry>, opts?: { readonly replace?: boolean }) {
      checkOpen(closed, "add to the store");
      checkIterable(entries, "entries", "add to the store");
      const added: number[] = [];
      guard("add to the store", () => {
        const replaced = new Set<string>();
        transaction(db, () => {
          // Entries are consumed inside the transaction: an error (or a crash) while
          // iterating leaves the file as it was before `add`.
          for (const entry of entries) {
            checkEntry(entry, dim, "add");
            const key = encodeIdentity(entry.identity);
            if (opts?.replace === true && !replaced.has(entry.identity)) {
              replaced.add(entry.identity);
              deleteOne.run(key);
            }
            const e = entry.embeddings;
            for (let r = 0; r < e.length / dim; r++) {
              const bytes = new Uint8Array(e.buffer, e.byteOffset + r * dim * 4, dim * 4);
              added.push(Number(insert.run(key, bytes).lastInsertRowid));
            }
          }
        }, busyTimeoutMs);
      });
      changes++;
      return added;
    },
    remove(identities) {
      checkOpen(closed, "remove from the store");
      checkIterable(identities, "identities", "remove from the store");
      let removed = 0;
      guard("remove from the store", () =>
        transaction(db, () => {
          for (const identity of identities) {
            checkIdentity(identity, "remove");
            removed += Number(deleteOne.run(encodeIdentity(identity)).changes);
          }
        }, busyTimeoutMs));
      changes++;
      return removed;
    },
    identities() {
      return guard(
        "list the identities",
        () =>
          (listIdentities.all() as unknown as IdentityRow[]).map((r) => decodeIdentity(r, file)),
      );
    },
    count() {
      return guard("count the items", () => Number((countItems.get() as { n: number }).n));
    },
    embeddings(identity) {
      return guard("read the embeddings", () => {
        checkIdentity(identity, "read embeddings");
        const rows = embeddingsOf.all(encodeIdentity(identity)) as {
          id: number;
          embedding: unknown;
        }[];
        const out = new Float32Array(rows.length * dim);
        const bytes = new Uint8Array(out.buffer);
        rows.forEach((r, i) => copyBlob(r.embedding, bytes, i, dim, r.id, file));
        return out;
      });
    },
    scan(size): Iterable<StoreChunk> {
      checkOpen(closed, "scan the store");
      checkPositiveInteger(size, "rows", "scan the store");
      return scanChunks(size);
    },
    revision() {
      return guard("read the revision", () => {
        const row = dataVersion.get() as { data_version: number };
        return `sqlite:${row.data_version}:${changes}`;
      });
    },
    close() {
      if (!closed) {
        for (const scan of idleScans.splice(0)) if (scan.db !== db) scan.db.close();
        db.close();
      }
      closed = true;
    },
  };

  function* scanChunks(size: number): Generator<StoreChunk> {
    const scan = idleScans.pop() ?? guard("scan the store", scanConnection);
    const { statement } = scan;
    let rows: Iterator<unknown> | undefined;
    let begun = false, failed = false, cleanup: unknown;
    try {
      if (scan.db !== db) {
        guard("scan the store", () => scan.db.exec("BEGIN"));
        begun = true;
      }
      rows = guard("scan the store", () => statement.iterate()) as Iterator<unknown>;
      let ids: number[] = [], owners: string[] = [];
      let data = new Float32Array(size * dim);
      let bytes = new Uint8Array(data.buffer);
      for (;;) {
        let next: IteratorResult<unknown>;
        try {
          next = rows.next();
        } catch (error) {
          throw fileError(`scan the store of ${file}`, error, busyTimeoutMs);
        }
        if (next.done === true) break;
        const row = next.value as IdentityRow & { id: number; embedding: unknown };
        copyBlob(row.embedding, bytes, ids.length, dim, row.id, file);
        ids.push(Number(row.id));
        owners.push(decodeIdentity(row, file));
        if (ids.length === size) {
          yield { ids, identities: owners, embeddings: data };
          ids = [];
          owners = [];
          data = new Float32Array(size * dim);
          bytes = new Uint8Array(data.buffer);
        }
      }
      if (ids.length > 0) {
        yield { ids, identities: owners, embeddings: data.slice(0, ids.length * dim) };
      }
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      // Ends the statement early (a scan left before its end) and the read transaction, so
      // that it holds no snapshot.
      // An error here (a damaged file reports it again on reset) is named below, and never
      // hides the scan's own error.
      try {
        if (!closed) {
          rows?.return?.();
          if (begun && scan.db.isTransaction) scan.db.exec("COMMIT");
          idleScans.push(scan);
        } else if (scan.db !== db) scan.db.close();
      } catch (error) {
        if (scan.db !== db) scan.db.close();
        if (!failed) cleanup = error;
      }
    }
    // (thrown here, not in `finally`, so that it never replaces the scan's own error)
    if (cleanup !== undefined) throw fileError(`scan the store of ${file}`, cleanup, busyTimeoutMs);
  }
}

/**
 * Deletes a gallery file made by {@linkcode sqliteStore}, with its `-wal`, `-shm` and
 * `-journal` companions, and nothing else: a file that is not a likeness gallery (another
 * program's database, any other file, a folder) is refused with an error naming it, before
 * anything is deleted. Returns `true` when a gallery was deleted, `false` when there was
 * nothing to delete: no file, or an empty database (which `sqliteStore` makes a gallery of).
 * Use it to start a gallery afresh without risking a file that is not yours. Needs
 * `--allow-read --allow-write` for the file.
 *
 * @example
 * ```ts
 * import { removeGallery, sqliteStore } from "./sqlite_store.ts";
 * const dir = await Deno.makeTempDir();
 * const path = `${dir}/gallery.db`;
 * if (removeGallery(path)) throw new Error("nothing was there");
 * const store = sqliteStore(path, { dim: 1, fingerprint: "m" });
 * store.add([{ identity: "a", embeddings: new Float32Array([1]) }]);
 * store.close();
 * if (!removeGallery(path)) throw new Error("the gallery must be deleted");
 * await Deno.writeTextFile(path, "someone's notes");
 * let refused = false;
 * try {
 *   removeGallery(path);
 * } catch {
 *   refused = true;
 * }
 * if (!refused || (await Deno.readTextFile(path)) !== "someone's notes") {
 *   throw new Error("a file that is not a gallery must be left alone");
 * }
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function removeGallery(path: string): boolean {
  if (typeof path !== "string" || path.length === 0) {
    throw new TypeError(
      `Cannot remove a gallery as path must be a non-empty string: current value is ${show(path)}`,
    );
  }
  const action = `remove gallery ${JSON.stringify(path)}`;
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw new Error(`Cannot ${action}: ${(error as Error).message}`, { cause: error });
  }
  if (!info.isFile) {
    throw new Error(
      `Cannot ${action} as it is not a file (a folder or a device): nothing was deleted`,
    );
  }
  let kind: "empty" | "gallery";
  try {
    const db = new (builtin("node:sqlite", action).DatabaseSync)(path, { readOnly: true });
    try {
      db.exec("PRAGMA busy_timeout = 10000");
      kind = inspect(db, path);
      if (kind === "gallery") {
        const row = db.prepare("SELECT value FROM likeness_gallery_meta WHERE key = 'format'")
          .get() as { value?: unknown } | undefined;
        if (row?.value !== FORMAT) {
          throw new Error(
            `Cannot ${action} as its format must be '${FORMAT}': current format is ${
              show(row?.value)
            }. Nothing was deleted`,
          );
        }
      }
    } finally {
      db.close();
    }
  } catch (error) {
    const reworded = fileError(action, error, 10_000);
    if (reworded instanceof Error && reworded.message.startsWith("Cannot open gallery")) {
      throw new Error(
        reworded.message.replace(/^Cannot open gallery/, "Cannot remove gallery").replace(
          /\. Nothing was changed; choose a new file for the gallery$/,
          ". Nothing was deleted",
        ),
        { cause: error },
      );
    }
    throw reworded;
  }
  if (kind === "empty") return false;
  // The companions first: a log left beside a later file of the same name would be replayed
  // into it.
  for (const suffix of ["-wal", "-shm", "-journal", ""]) {
    try {
      Deno.removeSync(path + suffix);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) {
        throw new Error(`Cannot ${action}: ${(error as Error).message}`, { cause: error });
      }
    }
  }
  return true;
}

const FORMAT = "likeness-gallery/1";

/** The tables and index of a gallery (SQLite's own `sqlite_*` tables are allowed too). */
const OWN = new Set([
  "likeness_gallery_meta",
  "likeness_gallery_items",
  "likeness_gallery_items_identity",
]);

/**
 * Whether a database is empty (nothing in it: a new gallery may be made) or a likeness
 * gallery; throws, naming the file and what is in it, for anything else. Reads only.
 */
function inspect(db: DatabaseSync, path: string): "empty" | "gallery" {
  const names = (db.prepare("SELECT name FROM sqlite_schema").all() as { name: string }[])
    .map((r) => r.name).filter((name) => !name.startsWith("sqlite_"));
  const marks = db.prepare(
    "SELECT (SELECT application_id FROM pragma_application_id) AS app, " +
      "(SELECT user_version FROM pragma_user_version) AS version",
  ).get() as { app: number; version: number };
  if (names.length === 0 && marks.app === 0 && marks.version === 0) return "empty";
  const foreign = names.filter((name) => !OWN.has(name));
  if (
    foreign.length > 0 || !names.includes("likeness_gallery_meta") ||
    !names.includes("likeness_gallery_items") || marks.app !== 0 || marks.version !== 0
  ) {
    const what = foreign.length > 0
      ? `it holds ${foreign.slice(0, 5).map((n) => `'${n}'`).join(", ")}${
        foreign.length > 5 ? ` and ${foreign.length - 5} more` : ""
      }`
      : names.length === 0
      ? `its application id is ${marks.app} and its user version ${marks.version}`
      : `it lacks the gallery's tables (it has ${names.map((n) => `'${n}'`).join(", ")})`;
    throw new Error(
      `Cannot open gallery ${
        JSON.stringify(path)
      } as it is a database of another program, not a likeness gallery: ${what}. Nothing was changed; choose a new file for the gallery`,
    );
  }
  return "gallery";
}

/**
 * Throws unless the gallery's format, fingerprint, dim and distance are the expected ones;
 * returns whether its distance is recorded (a gallery from before distances were recorded
 * takes the one it is opened with, which is a write).
 */
function checkMeta(
  db: DatabaseSync,
  action: string,
  fingerprint: string,
  dim: number,
  distance: string,
): boolean {
  // values are read as identities are (text, or UTF-16 units when text cannot hold them)
  const rows = db.prepare(
    `SELECT key, ${IDENTITY.replaceAll("identity", "value")} FROM likeness_gallery_meta`,
  ).all() as unknown as (IdentityRow & { key: string })[];
  const where = action.replace(/^open /, "");
  const meta = new Map(rows.map((r) => [r.key, decodeIdentity(r, where)]));
  if (meta.get("format") !== FORMAT) {
    throw new Error(
      `Cannot ${action} as its format must be '${FORMAT}': current format is ${
        show(meta.get("format"))
      }`,
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
  const recorded = meta.get("distance");
  if (recorded !== undefined && recorded !== distance) {
    throw new Error(
      `Cannot ${action} with distance '${distance}' as it was created with distance '${recorded}': open it with options.distance set to that distance`,
    );
  }
  return recorded !== undefined;
}

/**
 * Runs `body` in one write transaction. The write lock is taken by polling every 1–2 ms until
 * `busyTimeoutMs` has passed, not through SQLite's own busy handler: that one sleeps up to
 * 100 ms between tries and so, beside writers that commit back to back, almost never finds
 * the lock free (measured: a third writer starved for 2.5 s while two others committed 476
 * times). Polling finds the gaps between their transactions.
 */
function transaction(db: DatabaseSync, body: () => void, busyTimeoutMs: number): void {
  const deadline = Date.now() + busyTimeoutMs;
  db.exec("PRAGMA busy_timeout = 0");
  try {
    for (let tries = 0;; tries++) {
      try {
        db.exec("BEGIN IMMEDIATE");
        break;
      } catch (error) {
        if (!isBusy(error) || Date.now() >= deadline) throw error;
        // 1 or 2 ms, alternating between processes by chance rather than in step
        Atomics.wait(
          sleeper ??= new Int32Array(new SharedArrayBuffer(4)),
          0,
          0,
          1 + ((tries * 7 + (Date.now() & 7)) % 2),
        );
      }
    }
  } finally {
    db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
  }
  try {
    body();
    db.exec("COMMIT");
  } catch (error) {
    // SQLite ends a transaction itself on some errors: a second rollback would hide the first.
    if (db.isTransaction) db.exec("ROLLBACK");
    throw error;
  }
}

/** A cell nothing ever notifies: `Atomics.wait` on it is a plain sleep (made on first use). */
let sleeper: Int32Array | undefined;

/** Whether an error of node:sqlite is SQLITE_BUSY (or one of its extended codes). */
function isBusy(error: unknown): boolean {
  const errcode = (error as { errcode?: unknown } | null)?.errcode;
  return typeof errcode === "number"
    ? (errcode & 0xff) === 5
    : /database is locked/.test(String(error));
}

/**
 * Errors of SQLite (and of the file system under it), reworded to name the file. Other errors
 * (bad arguments, format checks, an error thrown by the caller's own iterable) already say
 * what is wrong and pass through as they are.
 */
function fileError(action: string, error: unknown, busyTimeoutMs: number): unknown {
  if (!(error instanceof Error) || typeof (error as { code?: unknown }).code !== "string") {
    return error;
  }
  // Some node:sqlite errors carry SQLite's own text in `errstr`, others only in the message.
  const errstr = String((error as { errstr?: unknown }).errstr ?? error.message);
  const reason = errstr.startsWith("file is not a database")
    ? "the file is not a SQLite database (or is encrypted or damaged)"
    : errstr.startsWith("database is locked")
    ? `database is locked: other connections held its write lock for all of busyTimeoutMs (${busyTimeoutMs} ms)`
    : error.message;
  return new Error(`Cannot ${action}: ${reason}`, { cause: error });
}

/**
 * Identities are stored as text when they are well-formed Unicode, and as their UTF-16 code
 * units (a blob) otherwise: the two never compare equal in SQLite, and both come back exactly.
 * Text read as a string stops at its first NUL, so text holding a NUL (and every blob) is
 * also read as bytes (`raw`); other text (nearly all) is read as a string only.
 */
const IDENTITY = "identity AS text, typeof(identity) AS kind, " +
  "CASE WHEN typeof(identity) = 'text' AND instr(CAST(identity AS BLOB), x'00') = 0 " +
  "THEN NULL ELSE CAST(identity AS BLOB) END AS raw";

interface IdentityRow {
  readonly text: unknown;
  readonly kind: string;
  readonly raw: unknown;
}

function encodeIdentity(identity: string): string | Uint8Array {
  if (identity.isWellFormed()) return identity;
  const units = new Uint16Array(identity.length);
  for (let i = 0; i < identity.length; i++) units[i] = identity.charCodeAt(i);
  return new Uint8Array(units.buffer);
}

const utf8 = new TextDecoder("utf-8");

function decodeIdentity(row: IdentityRow, file: string): string {
  if (row.kind === "text" && row.raw === null && typeof row.text === "string") return row.text;
  const raw = row.raw;
  if (!(raw instanceof Uint8Array) || (row.kind !== "text" && row.kind !== "blob")) {
    throw new Error(
      `Cannot read ${file} as a stored identity must be text or a blob: current value is ${
        show(raw)
      } of type ${row.kind} (the file is damaged)`,
    );
  }
  if (row.kind === "text") return utf8.decode(raw);
  if (raw.byteLength % 2 !== 0) {
    throw new Error(
      `Cannot read ${file} as a stored identity blob must have an even size (UTF-16): current size is ${raw.byteLength} bytes (the file is damaged)`,
    );
  }
  const units = new Uint16Array(raw.byteLength / 2);
  new Uint8Array(units.buffer).set(raw);
  let out = "";
  for (let i = 0; i < units.length; i += 8192) {
    out += String.fromCharCode(...units.subarray(i, i + 8192));
  }
  return out;
}

function copyBlob(
  blob: unknown,
  target: Uint8Array,
  row: number,
  dim: number,
  id: number,
  file: string,
): void {
  if (!(blob instanceof Uint8Array) || blob.byteLength !== dim * 4) {
    throw new Error(
      `Cannot read ${file} as the stored embedding of item ${id} must have ${
        dim * 4
      } bytes (dim ${dim}): current value is ${
        blob instanceof Uint8Array ? `${blob.byteLength} bytes` : show(blob)
      } (the file is damaged)`,
    );
  }
  target.set(blob, row * dim * 4);
}
