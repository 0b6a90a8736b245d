/**
 * A Postgres server with pgvector for tests and benchmarks: PGlite (Postgres 17 compiled to
 * wasm) with its `vector` extension, served over TCP on 127.0.0.1 by pglite-socket, so that
 * the store talks to it through the `postgres` client exactly as to a production server.
 */
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite/vector";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

/**
 * How clients' messages reach PGlite's one backend. `"socket"`: pglite-socket's own server,
 * which interleaves connections message by message, so that one client's extended-protocol
 * Parse/Bind/Execute can land between another's and fail ("unnamed prepared statement does
 * not exist": measured with two reader processes and a writer). `"sync"` (default): a
 * client keeps the backend from its first message to its Sync (or simple Query), and while
 * inside a transaction until the transaction ends: what separate backends give a real
 * server's clients.
 */
export type PgServerMode = "sync" | "socket";

/** A running server: its URL, and how to stop it (which deletes its data folder). */
export interface PgServer {
  readonly url: string;
  /** Whether a client's transaction is open on the server right now. */
  inTransaction(): boolean;
  close(): Promise<void>;
}

/** PGlite in-process with pgvector created, from the cached cluster (see startPgServer). */
export async function openPglite(): Promise<PGlite> {
  return await PGlite.create({ loadDataDir: await cluster(), extensions: { vector } });
}

/**
 * Starts PGlite on a copy of a freshly initialised cluster with pgvector created, served on a
 * free port. `initdb` is slow here (4 to 24 s measured on this 2-core machine, under load), so
 * the first start saves the new cluster as a tarball in the temporary folder (written to a
 * temporary name and renamed: concurrent test files never read half a file) and later starts
 * load it (about 1 s). `maxConnections` bounds the clients at once (pglite-socket multiplexes
 * them onto PGlite's one backend, a transaction at a time).
 */
export async function startPgServer(
  maxConnections = 64,
  mode: PgServerMode = "sync",
  dataDir?: string,
): Promise<PgServer> {
  // `dataDir` (benchmarks): a cluster kept on disk between runs, made on first use
  const kept = dataDir !== undefined &&
    (await Deno.stat(`${dataDir}/PG_VERSION`).then(() => true, () => false));
  const db = kept
    ? await PGlite.create({ dataDir, extensions: { vector } })
    : await PGlite.create({ dataDir, loadDataDir: await cluster(), extensions: { vector } });
  if (mode === "sync") return serveBySync(db);
  const server = new PGLiteSocketServer({ db, port: 0, host: "127.0.0.1", maxConnections });
  await server.start();
  return {
    url: `postgres://postgres@${server.getServerConn()}/postgres`,
    inTransaction: () => db.isInTransaction(),
    async close() {
      await server.stop();
      await db.close();
    },
  };
}

async function cluster(): Promise<Blob> {
  const tmp = Deno.env.get("TMPDIR") ?? "/tmp";
  const cache = `${tmp}/likeness-test-pglite-0.4.6-vector.tar`;
  try {
    return new Blob([await Deno.readFile(cache)]);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const dir = await Deno.makeTempDir({ prefix: "likeness-pg-" });
  try {
    const db = await PGlite.create({ dataDir: dir, extensions: { vector } });
    await db.exec("CREATE EXTENSION vector");
    const dump = await db.dumpDataDir("none");
    await db.close();
    const part = `${cache}.${Deno.pid}.part`;
    await Deno.writeFile(part, new Uint8Array(await dump.arrayBuffer()));
    await Deno.rename(part, cache);
    return dump;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The "sync" server: see {@linkcode PgServerMode}. */
function serveBySync(db: PGlite): PgServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  // The backend's turn: one group at a time, and a transaction's owner keeps it. (A single
  // queue would deadlock: a group waiting for the owner would block the owner's next group.)
  let owner: number | undefined;
  let busy = false;
  const waiting: (() => void)[] = [];
  let nextId = 1;
  const wake = () => {
    for (const w of waiting.splice(0)) w();
  };
  const acquire = async (id: number): Promise<void> => {
    while (busy || (owner !== undefined && owner !== id)) {
      await new Promise<void>((r) => waiting.push(r));
    }
    busy = true;
  };
  // `hold`: the group ended with a Flush, mid-exchange (e.g. Parse + Describe before Bind): the
  // client keeps the backend until its Sync.
  const run = async (
    id: number,
    group: Uint8Array,
    conn: Deno.Conn,
    hold = false,
  ): Promise<void> => {
    await acquire(id);
    const out: Uint8Array[] = [];
    try {
      await db.runExclusive(() =>
        db.execProtocolRawStream(group, { onRawData: (chunk) => out.push(chunk.slice()) })
      );
      owner = hold || db.isInTransaction() ? id : undefined;
    } finally {
      busy = false;
      wake();
    }
    for (const chunk of out) await writeAll(conn, chunk);
  };
  const serve = async (conn: Deno.Conn) => {
    const id = nextId++;
    conns.add(conn);
    let buffer = new Uint8Array(0);
    let started = false;
    let groupStart = 0;
    try {
      for await (const data of conn.readable) {
        const joined = new Uint8Array(buffer.length + data.length);
        joined.set(buffer);
        joined.set(data, buffer.length);
        buffer = joined;
        let at = 0;
        for (;;) {
          if (!started) {
            if (buffer.length - at < 8) break;
            const length = new DataView(buffer.buffer, at).getInt32(0);
            if (buffer.length - at < length) break;
            await run(id, buffer.slice(at, at + length), conn);
            at += length;
            groupStart = at;
            started = true;
            continue;
          }
          if (buffer.length - at < 5) break;
          const type = String.fromCharCode(buffer[at]);
          const length = new DataView(buffer.buffer, at + 1).getInt32(0);
          if (buffer.length - at < 1 + length) break;
          at += 1 + length;
          if (type === "X") return;
          if (type === "S" || type === "Q" || type === "H") {
            await run(id, buffer.slice(groupStart, at), conn, type === "H");
            groupStart = at;
          }
        }
        buffer = buffer.slice(groupStart);
        groupStart = 0;
      }
    } catch {
      // a client that vanished (kill -9): its transaction is rolled back below
    } finally {
      conns.delete(conn);
      try {
        conn.close();
      } catch { /* already closed */ }
      if (owner === id) {
        await acquire(id);
        try {
          // end any half-sent extended-protocol exchange, then the transaction
          await db.runExclusive(() =>
            db.execProtocolRawStream(new Uint8Array([83, 0, 0, 0, 4]), { onRawData: () => {} })
          );
          await db.exec("ROLLBACK");
        } finally {
          owner = undefined;
          busy = false;
          wake();
        }
      }
    }
  };
  (async () => {
    for await (const conn of listener) serve(conn);
  })().catch(() => {});
  const { port } = listener.addr as Deno.NetAddr;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    inTransaction: () => db.isInTransaction(),
    async close() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch { /* closed */ }
      }
      await acquire(-1).catch(() => {});
      await db.close();
    },
  };
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
}
