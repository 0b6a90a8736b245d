import type { Sql, TransactionSql } from "postgres";
import type { Distance } from "../types.ts";
import { builtInDistance } from "../distances/host.ts";
import type {
  Embedding,
  GalleryStore,
  ItemMatch,
  Match,
  StoreChunk,
  StoreEntry,
  Verification,
} from "./types.ts";
import {
  checkDim,
  checkFingerprint,
  checkIdentity,
  checkK,
  checkPositiveInteger,
  checkStoreDistance,
  show,
  toRow,
} from "./_validate.ts";
import { checkEntry, checkIterable, checkOpen } from "./_store_checks.ts";
import {
  copyVector,
  decodeIdentity,
  encodeIdentity,
  PG_DISTANCES,
  PG_MAX_DIM,
  redactUrl,
  vectorLiteral,
} from "./_pg_sql.ts";

/** The Postgres client package (see `postgresStore`). */
const POSTGRES: string = "npm:postgres@3.4.9";
/**
 * A {@linkcode GalleryStore} whose every call returns a promise: the shape of a store on a
 * database server, reached over the network (`postgresStore`). `asyncStore` gives a memory or
 * SQLite store this shape, so one code path serves all three.
 *
 * @example
 * ```ts
 * import { asyncStore, type AsyncGalleryStore } from "./postgres_store.ts";
 * import { memoryStore } from "./memory_store.ts";
 * const store: AsyncGalleryStore = asyncStore(memoryStore({ dim: 2, fingerprint: "m" }));
 * const ids = await store.add([{ identity: "alice", embeddings: new Float32Array([1, 0, 0, 1]) }]);
 * if (ids.length !== 2 || (await store.count()) !== 2) throw new Error("add");
 * const rows: number[] = [];
 * for await (const chunk of store.scan(1)) rows.push(...chunk.ids);
 * if (rows.join() !== ids.join()) throw new Error("scan");
 * await store.close();
 * ```
 */
export interface AsyncGalleryStore {
  /** The fingerprint of the model that made the stored embeddings. */
  readonly fingerprint: string;
  /** The size of every stored embedding. */
  readonly dim: number;
  /** The name of the distance the stored embeddings are compared with. */
  readonly distance: string;
  /** {@linkcode GalleryStore.add}: one transaction, all or none; the new item ids in order. */
  add(entries: Iterable<StoreEntry>, options?: { readonly replace?: boolean }): Promise<number[]>;
  /** {@linkcode GalleryStore.remove}: one transaction; how many items went. */
  remove(identities: readonly string[]): Promise<number>;
  /** The enrolled identities, in order of first enrolment. */
  identities(): Promise<string[]>;
  /** How many items (embeddings) are stored. */
  count(): Promise<number>;
  /** One identity's embeddings (`rows × dim`, row-major; empty when unknown). */
  embeddings(identity: string): Promise<Float32Array>;
  /** Every item in id order, `rows` at a time, from one consistent snapshot. */
  scan(rows: number): AsyncIterable<StoreChunk>;
  /** Changes whenever the stored items change (also by another connection). */
  revision(): Promise<string>;
  /** Releases the store; later calls throw. */
  close(): Promise<void>;
}

/**
 * A memory or SQLite store seen as an {@linkcode AsyncGalleryStore}: the same store, each
 * result wrapped in a promise (errors become rejections), for code written once for every
 * store, Postgres included.
 *
 * @example
 * ```ts
 * import { asyncStore } from "./postgres_store.ts";
 * import { memoryStore } from "./memory_store.ts";
 * const store = asyncStore(memoryStore({ dim: 1, fingerprint: "m" }));
 * await store.add([{ identity: "a", embeddings: new Float32Array([1]) }]);
 * if ((await store.identities()).join() !== "a") throw new Error("identities");
 * let message = "";
 * await store.embeddings("").catch((error) => (message = String(error)));
 * if (!message.includes("identity")) throw new Error(message);
 * ```
 */
export function asyncStore(store: GalleryStore): AsyncGalleryStore {
  if (typeof store !== "object" || store === null || typeof store.add !== "function") {
    throw new TypeError(
      `Cannot wrap a gallery store as store must be a memoryStore or sqliteStore: current value is ${
        show(store)
      }`,
    );
  }
  const lift = <A extends unknown[], R>(f: (...args: A) => R) => (...args: A): Promise<R> => {
    try {
      return Promise.resolve(f(...args));
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return {
    fingerprint: store.fingerprint,
    dim: store.dim,
    distance: store.distance,
    add: lift((entries, options) => store.add(entries, options)),
    remove: lift((identities) => store.remove(identities)),
    identities: lift(() => store.identities()),
    count: lift(() => store.count()),
    embeddings: lift((identity) => store.embeddings(identity)),
    scan(rows) {
      const chunks = store.scan(rows);
      return (async function* () {
        yield* chunks;
      })();
    },
    revision: lift(() => store.revision()),
    close: lift(() => store.close()),
  };
}

/** Options of {@linkcode postgresStore}. */
export interface PostgresStoreOptions {
  /** The size of every embedding (at most 2,000: pgvector's HNSW limit); must match the tables'. */
  readonly dim: number;
  /** The fingerprint of the model that makes the embeddings; must match the tables'. */
  readonly fingerprint: string;
  /**
   * The distance the embeddings are compared with (default `distances.euclidean`): a built-in
   * one (euclidean, squaredEuclidean, cosine, dot, manhattan), which picks the HNSW operator
   * class. Recorded in the tables; reopening with another throws.
   */
  readonly distance?: Distance;
  /**
   * The prefix of the gallery's tables (default `"likeness_gallery"`): `<table>_meta` and
   * `<table>_items` in the connection's current schema. Lower-case letters, digits and `_`,
   * at most 48 characters. Several galleries may share one database under other prefixes.
   */
  readonly table?: string;
  /**
   * Candidates the HNSW search keeps (pgvector's `hnsw.ef_search`, 1 to 1,000; default 100):
   * larger is slower and finds more of the true nearest neighbours.
   */
  readonly efSearch?: number;
  /** The most connections this store opens to the server (default 10). */
  readonly maxConnections?: number;
  /** Seconds to wait for a connection before failing (default 30). */
  readonly connectTimeoutS?: number;
  /**
   * Rows per INSERT statement of an `add` (default 2,000); an `add` of more rows sends several
   * statements, all in its one transaction.
   */
  readonly insertRows?: number;
}

/** Options of one search of a {@linkcode PostgresGalleryStore}. */
export interface PostgresSearchOptions {
  /** Scan every item instead of the HNSW index (slower; the exact answer). */
  readonly exact?: boolean;
  /** `hnsw.ef_search` for this search (1 to 1,000; default the store's `efSearch`). */
  readonly efSearch?: number;
}

/**
 * A gallery store on Postgres with pgvector ({@linkcode postgresStore}): an
 * {@linkcode AsyncGalleryStore} that also searches in the database, through its HNSW index.
 * Searches compare identities by all their samples (an identity's distance is the smallest
 * over its samples) and re-score the candidates exactly in float64 with the store's distance,
 * so the distances are those of `openGallery`; only which candidates the index finds is
 * approximate (`exact: true` scans everything).
 *
 * @example
 * ```ts
 * import type { PostgresGalleryStore } from "./postgres_store.ts";
 * // A function written for the Postgres store: enrol, then find the closest identity.
 * async function enrolAndFind(store: PostgresGalleryStore): Promise<string> {
 *   await store.add([{ identity: "alice", embeddings: new Float32Array([0, 0]) }]);
 *   return (await store.identify([0.1, 0], 1))[0].identity;
 * }
 * if (typeof enrolAndFind !== "function") throw new Error("unreachable");
 * ```
 */
export interface PostgresGalleryStore extends AsyncGalleryStore {
  /** The `k` closest identities to `query`, closest first (`k` a positive integer or Infinity). */
  identify(query: Embedding, k: number, options?: PostgresSearchOptions): Promise<Match[]>;
  /** The `k` enrolled samples closest to `query`, closest first. */
  similar(query: Embedding, k: number, options?: PostgresSearchOptions): Promise<ItemMatch[]>;
  /**
   * Decides the claim "`sample` is `identity`": the smallest distance to the identity's
   * samples (computed exactly) against `threshold`. Throws when the identity is not enrolled.
   */
  verify(identity: string, sample: Embedding, threshold: number): Promise<Verification>;
}

/**
 * A persistent gallery store on a Postgres server with the pgvector extension, reached by URL
 * with the `postgres` client: several application servers may share one gallery. Templates
 * live in a `vector(dim)` column with an HNSW index; the model fingerprint, dim and distance
 * name in a meta table (reopening with another throws; tables of another program under the
 * same names are refused before anything is written). Every `add` and `remove` is one
 * transaction: a client killed mid-enrolment leaves exactly what was committed, and readers
 * never see half an enrolment. Identities round-trip exactly (NUL characters and lone
 * surrogates included); embeddings come back bit for bit.
 *
 * Creates the `vector` extension when missing (which needs the right to; otherwise ask the
 * database owner to run `CREATE EXTENSION vector`). Needs `--allow-net` for the server and
 * `--allow-env` (the `postgres` client reads `PGHOST`, `PGPASSWORD` and the like; measured:
 * nothing else is asked). The `postgres` client is loaded on the first call only. The
 * returned store is asynchronous: see {@linkcode PostgresGalleryStore} for search; errors
 * name the gallery and the server's URL without its password.
 *
 * @example
 * ```ts
 * import { postgresStore } from "./postgres_store.ts";
 * // Bad arguments are refused before any connection is made.
 * let message = "";
 * try {
 *   await postgresStore("mysql://db/app", { dim: 32, fingerprint: "model-1" });
 * } catch (error) {
 *   message = String(error);
 * }
 * if (!message.includes("url")) throw new Error(message);
 * // With a server:
 * // const store = await postgresStore("postgres://app:secret@db.example.com:5432/app", {
 * //   dim: 32, fingerprint: "model-1", distance: distances.cosine });
 * // await store.add([{ identity: "alice", embeddings }]);
 * // const [best] = await store.identify(query, 1);
 * ```
 */
export async function postgresStore(
  url: string,
  options: PostgresStoreOptions,
): Promise<PostgresGalleryStore> {
  if (typeof url !== "string" || !/^postgres(ql)?:\/\//.test(url)) {
    throw new TypeError(
      `Cannot open a Postgres gallery as url must be a string starting with postgres:// or postgresql://: current value is ${
        typeof url === "string" ? show(redactUrl(url)) : show(url)
      }`,
    );
  }
  const table = options?.table ?? "likeness_gallery";
  if (typeof table !== "string" || !/^[a-z_][a-z0-9_]{0,47}$/.test(table)) {
    throw new RangeError(
      `Cannot open a Postgres gallery as options.table must be lower-case letters, digits and '_' (at most 48, not starting with a digit): current value is ${
        show(table)
      }`,
    );
  }
  const where = `Postgres gallery '${table}' at ${redactUrl(url)}`;
  const action = `open ${where}`;
  const dim = checkDim(options?.dim, action);
  if (dim > PG_MAX_DIM) {
    throw new RangeError(
      `Cannot ${action} as dim must be at most ${PG_MAX_DIM} (pgvector's HNSW index limit): current value is ${dim}`,
    );
  }
  const fingerprint = checkFingerprint(options?.fingerprint, action);
  const distanceName = checkStoreDistance(options?.distance, action);
  const pg = PG_DISTANCES[distanceName];
  const distance = builtInDistance(distanceName);
  if (pg === undefined || distance === undefined) {
    throw new RangeError(
      `Cannot ${action} as options.distance must be a built-in distance pgvector can index (${
        Object.keys(PG_DISTANCES).join(", ")
      }): current distance is '${distanceName}'`,
    );
  }
  const efSearch = checkEf(options.efSearch ?? 100, "options.efSearch", action);
  const maxConnections = checkPositiveInteger(
    options.maxConnections ?? 10,
    "options.maxConnections",
    action,
  );
  const connectTimeoutS = checkPositiveInteger(
    options.connectTimeoutS ?? 30,
    "options.connectTimeoutS",
    action,
  );

  const batch = checkPositiveInteger(options.insertRows ?? 2000, "options.insertRows", action);
  // The specifier is a value, not a literal: a bundler then leaves the client (and its
  // node:net / node:tls imports) out of a browser bundle of likeness's core.
  const { default: postgres } = (await import(POSTGRES)) as { default: typeof import("postgres") };
  const sql: Sql = postgres(url, {
    max: maxConnections,
    connect_timeout: connectTimeoutS,
    onnotice: () => {},
    // bigint ids come back as strings; they are converted where read
  });
  const META = `"${table}_meta"`, ITEMS = `"${table}_items"`;
  const fail = (what: string, error: unknown): unknown => dbError(`${what} of ${where}`, error);
  try {
    await sql.begin(async (tx) => {
      // One creator at a time: two processes opening a new gallery make it once.
      await tx`SELECT pg_advisory_xact_lock(hashtext(${"likeness:" + table}))`;
      const [encoding] = await tx`SHOW server_encoding`;
      if (encoding?.server_encoding !== "UTF8") {
        throw new Error(
          `Cannot ${action} as the database's encoding must be UTF8: current encoding is ${
            show(encoding?.server_encoding)
          }`,
        );
      }
      const ext = await tx`SELECT extversion FROM pg_extension WHERE extname = 'vector'`;
      if (ext.length === 0) {
        try {
          await tx`CREATE EXTENSION IF NOT EXISTS vector`;
        } catch (error) {
          throw new Error(
            `Cannot ${action} as the pgvector extension is not installed and could not be created (${
              (error as Error).message
            }): ask the database owner to run CREATE EXTENSION vector`,
            { cause: error },
          );
        }
      }
      const present = (await tx`
        SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relname IN (${table + "_meta"}, ${
        table + "_items"
      })`).map((r) => r.name as string);
      if (present.length === 0) {
        await createTables(tx, table, dim, pg.opclass, { fingerprint, distance: distanceName });
        return;
      }
      if (present.length !== 2) {
        throw new Error(
          `Cannot ${action} as only ${
            present.map((n) => `'${n}'`).join(", ")
          } of its two tables exist${
            present.includes(table + "_meta") ? "" : " (another program's table?)"
          }: nothing was changed; choose another options.table`,
        );
      }
      await checkMeta(tx, META, action, fingerprint, dim, distanceName);
    });
  } catch (error) {
    await sql.end({ timeout: 5 }).catch(() => {});
    throw dbError(action, error);
  }

  let closed = false;
  const run = async <T>(what: string, body: () => Promise<T>): Promise<T> => {
    checkOpen(closed, what);
    try {
      return await body();
    } catch (error) {
      throw fail(what, error);
    }
  };

  const readRows = (
    rows: readonly { id: unknown; text: unknown; units: unknown; e: unknown }[],
  ): { ids: number[]; identities: string[]; embeddings: Float32Array } => {
    const embeddings = new Float32Array(rows.length * dim);
    const ids: number[] = [], identities: string[] = [];
    rows.forEach((r, i) => {
      copyVector(r.e, embeddings, i, dim, where);
      ids.push(Number(r.id));
      identities.push(decodeIdentity(r.text, r.units, where));
    });
    return { ids, identities, embeddings };
  };

  const queryRow = (query: Embedding, action: string): Float32Array => {
    const row = toRow(query, dim, "query", action);
    if (distanceName === "cosine" && row.every((v) => v === 0)) {
      throw new RangeError(`Cannot ${action} as query must not be all zeros (cosine distance)`);
    }
    return row;
  };

  /** The `limit` items nearest `row` by pgvector's order, as the index (or a scan) finds them. */
  const nearest = async (row: Float32Array, limit: number, opts?: PostgresSearchOptions) => {
    const ef = checkEf(opts?.efSearch ?? efSearch, "options.efSearch", "search");
    // One round trip: the settings hold for this implicit transaction only. The literal is
    // made of checked finite numbers, the limit is an integer.
    const settings = opts?.exact === true
      ? "SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off;"
      // the planner may prefer a scan for larger limits: the index is what was asked for
      : `SET LOCAL hnsw.ef_search = ${ef}; SET LOCAL hnsw.iterative_scan = relaxed_order; ` +
        "SET LOCAL enable_seqscan = off;";
    const results = await sql.unsafe(
      `${settings} SELECT id, identity AS text, encode(identity_units, 'hex') AS units, ` +
        `vector_send(embedding) AS e FROM ${ITEMS} ORDER BY embedding ${pg.operator} '${
          vectorLiteral(row)
        }' LIMIT ${limit}`,
    ) as unknown as unknown[];
    const last = results[results.length - 1] as {
      id: unknown;
      text: unknown;
      units: unknown;
      e: unknown;
    }[];
    const found = readRows(last);
    const scored = found.ids.map((id, i) => ({
      id,
      identity: found.identities[i],
      distance: distance.host.pair(row, found.embeddings.subarray(i * dim, (i + 1) * dim)),
    }));
    // exact float64 order; ties by id (enrolment order)
    scored.sort((a, b) => a.distance - b.distance || a.id - b.id);
    return scored;
  };

  const emptyError = (action: string) =>
    new Error(`Cannot ${action} as the gallery is empty: enrol an identity first`);
  const nonEmptyCount = async (action: string) => {
    const n = await countNow();
    if (n === 0) throw emptyError(action);
    return n;
  };

  const countNow = async () =>
    Number((await sql.unsafe(`SELECT count(*) AS n FROM ${ITEMS}`))[0].n);

  const store: PostgresGalleryStore = {
    fingerprint,
    dim,
    distance: distanceName,
    async add(entries, opts) {
      checkOpen(closed, "add to the store");
      checkIterable(entries, "entries", "add to the store");
      // Everything is checked and encoded before the transaction starts: all or nothing.
      const texts: (string | null)[] = [], units: (string | null)[] = [], vectors: string[] = [];
      const replaced = new Map<string, ReturnType<typeof encodeIdentity>>();
      for (const entry of entries) {
        checkEntry(entry, dim, "add");
        const key = encodeIdentity(entry.identity);
        if (opts?.replace === true) replaced.set(entry.identity, key);
        const e = entry.embeddings;
        for (let r = 0; r < e.length / dim; r++) {
          texts.push(key.text);
          units.push(key.units);
          vectors.push(vectorLiteral(e, r * dim, dim));
        }
      }
      return await run("add to the store", async () => {
        if (texts.length === 0) return [];
        const ids: number[] = [];
        await sql.begin(async (tx) => {
          if (replaced.size > 0) await deleteIdentities(tx, ITEMS, [...replaced.values()]);
          for (let at = 0; at < texts.length; at += batch) {
            const end = Math.min(at + batch, texts.length);
            const rows = await tx.unsafe(
              `INSERT INTO ${ITEMS} (identity, identity_units, embedding) ` +
                `SELECT t, decode(u, 'hex'), v::vector FROM unnest($1::text[], $2::text[], $3::text[]) ` +
                `WITH ORDINALITY AS x(t, u, v, n) ORDER BY n RETURNING id`,
              [texts.slice(at, end), units.slice(at, end), vectors.slice(at, end)] as never,
            );
            // ids come from one sequence in insertion order
            ids.push(...rows.map((r) => Number(r.id)).sort((a, b) => a - b));
          }
          await bump(tx, META);
        });
        return ids;
      });
    },
    async remove(identities) {
      checkOpen(closed, "remove from the store");
      checkIterable(identities, "identities", "remove from the store");
      const keys = [...identities].map((identity) =>
        encodeIdentity(checkIdentity(identity, "remove"))
      );
      return await run("remove from the store", async () => {
        if (keys.length === 0) return 0;
        let removed = 0;
        await sql.begin(async (tx) => {
          removed = await deleteIdentities(tx, ITEMS, keys);
          if (removed > 0) await bump(tx, META);
        });
        return removed;
      });
    },
    identities() {
      return run("list the identities", async () => {
        const rows = await sql.unsafe(
          `SELECT identity AS text, encode(identity_units, 'hex') AS units FROM ${ITEMS} ` +
            `GROUP BY identity, identity_units ORDER BY MIN(id)`,
        );
        return rows.map((r) => decodeIdentity(r.text, r.units, where));
      });
    },
    count() {
      return run("count the items", countNow);
    },
    async embeddings(identity) {
      checkOpen(closed, "read embeddings");
      checkIdentity(identity, "read embeddings");
      return await run("read the embeddings", async () => {
        const key = encodeIdentity(identity);
        const rows = key.text !== null
          ? await sql.unsafe(
            `SELECT vector_send(embedding) AS e FROM ${ITEMS} WHERE identity = $1 ORDER BY id`,
            [key.text],
          )
          : await sql.unsafe(
            `SELECT vector_send(embedding) AS e FROM ${ITEMS} WHERE identity_units = decode($1, 'hex') ORDER BY id`,
            [key.units as string],
          );
        const out = new Float32Array(rows.length * dim);
        rows.forEach((r, i) => copyVector(r.e, out, i, dim, where));
        return out;
      });
    },
    scan(size) {
      checkOpen(closed, "scan the store");
      checkPositiveInteger(size, "rows", "scan the store");
      return scanChunks(size);
    },
    revision() {
      return run("read the revision", async () => {
        const [row] = await sql.unsafe(`SELECT value FROM ${META} WHERE key = 'revision'`);
        return `postgres:${row?.value}`;
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      await sql.end({ timeout: 5 });
    },
    async identify(query, k, opts) {
      const action = "identify";
      checkOpen(closed, action);
      checkK(k, action);
      const row = queryRow(query, action);
      return await run(action, async () => {
        // Candidates until k distinct identities are among them, or every item was read. No
        // count(*) first: it would scan the table on every query.
        let limit = k === Infinity ? await nonEmptyCount(action) : Math.max(2 * k, 10);
        let exact = opts?.exact === true;
        for (;;) {
          const scored = await nearest(row, limit, { ...opts, exact });
          if (scored.length === 0) throw emptyError(action);
          const best = new Map<string, number>();
          for (const s of scored) if (!best.has(s.identity)) best.set(s.identity, s.distance);
          if (best.size >= k || (exact && scored.length < limit)) {
            return [...best].slice(0, k).map(([identity, distance]) => ({ identity, distance }));
          }
          // fewer rows than asked: the index scan stopped early, or the table ends; a scan
          // of the table decides
          if (scored.length < limit) exact = true;
          else limit *= 4;
        }
      });
    },
    async similar(query, k, opts) {
      const action = "search similar items";
      checkOpen(closed, action);
      checkK(k, action);
      const row = queryRow(query, action);
      return await run(action, async () => {
        const limit = k === Infinity ? await nonEmptyCount(action) : k;
        let scored = await nearest(row, limit, opts);
        if (scored.length === 0) throw emptyError(action);
        // the index scan may stop early: a scan of the table decides
        if (scored.length < limit && opts?.exact !== true) {
          scored = await nearest(row, limit, { ...opts, exact: true });
        }
        return scored.map(({ id, identity, distance }) => ({ id, identity, distance }));
      });
    },
    async verify(identity, sample, threshold) {
      const action = `verify ${show(identity)}`;
      checkOpen(closed, "verify");
      checkIdentity(identity, "verify");
      if (typeof threshold !== "number" || Number.isNaN(threshold)) {
        throw new RangeError(
          `Cannot ${action} as threshold must be a number: current value is ${show(threshold)}`,
        );
      }
      const row = queryRow(sample, action);
      {
        const rows = await store.embeddings(identity);
        if (rows.length === 0) {
          throw new Error(`Cannot ${action} as it is not enrolled in ${where}`);
        }
        let d = Infinity;
        for (let i = 0; i < rows.length; i += dim) {
          d = Math.min(d, distance.host.pair(row, rows.subarray(i, i + dim)));
        }
        return { identity, accepted: d <= threshold, distance: d, threshold };
      }
    },
  };
  return store;

  async function* scanChunks(size: number): AsyncGenerator<StoreChunk> {
    // One repeatable-read transaction on one connection: a consistent snapshot however long
    // the scan, and other connections keep writing meanwhile.
    let reserved: Awaited<ReturnType<Sql["reserve"]>> | undefined;
    let began = false;
    try {
      reserved = await run("scan the store", () => sql.reserve());
      const conn = reserved;
      await run(
        "scan the store",
        () => conn.unsafe("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"),
      );
      began = true;
      const cursor = conn.unsafe(
        `SELECT id, identity AS text, encode(identity_units, 'hex') AS units, ` +
          `vector_send(embedding) AS e FROM ${ITEMS} ORDER BY id`,
      ).cursor(size) as AsyncIterable<{ id: unknown; text: unknown; units: unknown; e: unknown }[]>;
      const it = cursor[Symbol.asyncIterator]();
      try {
        for (;;) {
          let next: IteratorResult<{ id: unknown; text: unknown; units: unknown; e: unknown }[]>;
          try {
            next = await it.next();
          } catch (error) {
            throw fail("scan the store", error);
          }
          if (next.done === true) break;
          if (next.value.length > 0) yield readRows(next.value);
        }
      } finally {
        await it.return?.();
      }
    } finally {
      if (reserved !== undefined) {
        if (began) await reserved.unsafe("COMMIT").catch(() => {});
        reserved.release();
      }
    }
  }
}

const FORMAT = "likeness-gallery-postgres/1";

async function createTables(
  tx: TransactionSql,
  table: string,
  dim: number,
  opclass: string,
  meta: { fingerprint: string; distance: string },
): Promise<void> {
  const META = `"${table}_meta"`, ITEMS = `"${table}_items"`;
  await tx.unsafe(`CREATE TABLE ${META} (key text PRIMARY KEY, value text NOT NULL)`);
  await tx.unsafe(
    `CREATE TABLE ${ITEMS} (` +
      `id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, ` +
      `identity text, identity_units bytea, embedding vector(${dim}) NOT NULL, ` +
      `CHECK ((identity IS NULL) <> (identity_units IS NULL)))`,
  );
  await tx.unsafe(`CREATE INDEX "${table}_items_identity" ON ${ITEMS} (identity)`);
  await tx.unsafe(
    `CREATE INDEX "${table}_items_units" ON ${ITEMS} (identity_units) WHERE identity_units IS NOT NULL`,
  );
  await tx.unsafe(
    `CREATE INDEX "${table}_items_hnsw" ON ${ITEMS} USING hnsw (embedding ${opclass})`,
  );
  // Values are JSON: any fingerprint (NUL and lone surrogates included) round-trips in text.
  const rows = [
    ["format", JSON.stringify(FORMAT)],
    ["fingerprint", JSON.stringify(meta.fingerprint)],
    ["dim", String(dim)],
    ["distance", JSON.stringify(meta.distance)],
    ["revision", "0"],
  ];
  for (const [key, value] of rows) {
    await tx.unsafe(`INSERT INTO ${META} (key, value) VALUES ($1, $2)`, [key, value]);
  }
}

async function checkMeta(
  tx: TransactionSql,
  META: string,
  action: string,
  fingerprint: string,
  dim: number,
  distance: string,
): Promise<void> {
  let rows: { key: string; value: string }[];
  try {
    rows = await tx.unsafe(`SELECT key, value FROM ${META}`) as unknown as typeof rows;
  } catch (error) {
    throw new Error(
      `Cannot ${action} as its table ${META} is not a likeness gallery's (${
        (error as Error).message
      }): nothing was changed; choose another options.table`,
      { cause: error },
    );
  }
  const meta = new Map(rows.map((r) => [r.key, r.value]));
  const json = (key: string): unknown => {
    try {
      return JSON.parse(meta.get(key) ?? "null");
    } catch {
      return undefined;
    }
  };
  if (json("format") !== FORMAT) {
    throw new Error(
      `Cannot ${action} as its format must be '${FORMAT}': current format is ${
        show(meta.get("format"))
      } (another program's table?): nothing was changed; choose another options.table`,
    );
  }
  if (json("fingerprint") !== fingerprint) {
    throw new Error(
      `Cannot ${action} with model fingerprint ${
        show(fingerprint)
      } as its embeddings were made by the model with fingerprint ${
        show(json("fingerprint"))
      }: embed with that model, or enrol into a new gallery`,
    );
  }
  if (meta.get("dim") !== String(dim)) {
    throw new Error(
      `Cannot ${action} with dim ${dim} as its embeddings have dim ${meta.get("dim")}`,
    );
  }
  if (json("distance") !== distance) {
    throw new Error(
      `Cannot ${action} with distance '${distance}' as it was created with distance ${
        show(json("distance"))
      }: open it with options.distance set to that distance`,
    );
  }
}

async function deleteIdentities(
  tx: TransactionSql,
  ITEMS: string,
  keys: readonly { text: string | null; units: string | null }[],
): Promise<number> {
  const texts = keys.flatMap((k) => (k.text === null ? [] : [k.text]));
  const units = keys.flatMap((k) => (k.units === null ? [] : [k.units]));
  const result = await tx.unsafe(
    `DELETE FROM ${ITEMS} WHERE identity = ANY($1::text[]) OR identity_units = ANY(` +
      `ARRAY(SELECT decode(u, 'hex') FROM unnest($2::text[]) AS u))`,
    [texts, units] as never,
  );
  return result.count;
}

/** Advances the revision in the writing transaction (and serializes writers on its row). */
async function bump(tx: TransactionSql, META: string): Promise<void> {
  await tx.unsafe(
    `UPDATE ${META} SET value = (value::bigint + 1)::text WHERE key = 'revision'`,
  );
}

function checkEf(value: unknown, name: string, action: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 1000) {
    throw new RangeError(
      `Cannot ${action} as ${name} must be an integer from 1 to 1000: current value is ${
        show(value)
      }`,
    );
  }
  return value;
}

/** Errors of the server or the connection, reworded to name the gallery; others pass through. */
function dbError(action: string, error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  if (error.message.startsWith("Cannot ")) return error;
  const code = (error as { code?: unknown }).code;
  return new Error(
    `Cannot ${action}: ${error.message}${typeof code === "string" ? ` (${code})` : ""}`,
    { cause: error },
  );
}
