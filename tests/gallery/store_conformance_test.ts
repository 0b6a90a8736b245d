/**
 * One store conformance suite (tests/gallery/_conformance.ts), three stores: memory, SQLite,
 * and Postgres with pgvector reached over TCP (PGlite served on 127.0.0.1).
 */
import { memoryStore } from "../../lib/gallery/memory_store.ts";
import { sqliteStore } from "../../lib/gallery/sqlite_store.ts";
import { asyncStore, postgresStore } from "../../lib/gallery/postgres_store.ts";
import { conformance } from "./_conformance.ts";
import { startPgServer } from "./_conformance_pg.ts";

Deno.test("store conformance: memory", async (t) => {
  await conformance(t, {
    name: "memory",
    persistent: false,
    place: () => "memory",
    open: (_, options) => Promise.resolve().then(() => asyncStore(memoryStore(options))),
  });
});

Deno.test("store conformance: sqlite", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "likeness-conformance-" });
  let n = 0;
  try {
    await conformance(t, {
      name: "sqlite",
      persistent: true,
      place: () => `${dir}/g${n++}.db`,
      open: (path, options) => Promise.resolve().then(() => asyncStore(sqliteStore(path, options))),
      childArgs: (path) => ["sqlite", path],
      // Found by this suite (sqlite_store.ts belongs to the lead; reported, not fixed here):
      // a scan's statement sees its own connection's writes, and a fingerprint is read back
      // as text that stops at a NUL (or with lone surrogates replaced), so it cannot reopen.
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("store conformance: postgres + pgvector over TCP", async (t) => {
  const server = await startPgServer();
  let n = 0;
  try {
    await conformance(t, {
      name: "postgres",
      persistent: true,
      place: () => `g${n++}`,
      open: (table, options) => postgresStore(server.url, { ...options, table }),
      childArgs: (table) => ["postgres", server.url, table],
      inTransaction: () => server.inTransaction(),
    });
  } finally {
    await server.close();
  }
});
