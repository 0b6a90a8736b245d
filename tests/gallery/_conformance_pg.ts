/**
 * A Postgres server with pgvector for tests and benchmarks: PGlite (Postgres 17 compiled to
 * wasm) with its `vector` extension, served over TCP on 127.0.0.1 by pglite-socket, so that
 * the store talks to it through the `postgres` client exactly as to a production server.
 */
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite/vector";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

/** A running server: its URL, and how to stop it (which deletes its data folder). */
export interface PgServer {
  readonly url: string;
  /** Whether a client's transaction is open on the server right now. */
  inTransaction(): boolean;
  close(): Promise<void>;
}

/**
 * Starts PGlite on a copy of a freshly initialised cluster with pgvector created, served on a
 * free port. `initdb` is slow here (4 to 24 s measured on this 2-core machine, under load), so
 * the first start saves the new cluster as a tarball in the temporary folder (written to a
 * temporary name and renamed: concurrent test files never read half a file) and later starts
 * load it (about 1 s). `maxConnections` bounds the clients at once (pglite-socket multiplexes
 * them onto PGlite's one backend, a transaction at a time).
 */
export async function startPgServer(maxConnections = 64): Promise<PgServer> {
  const db = await PGlite.create({ loadDataDir: await cluster(), extensions: { vector } });
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
