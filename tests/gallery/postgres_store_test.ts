/**
 * postgresStore beyond the conformance suite: search in the database (HNSW and exact) against
 * openGallery on a memory store, and its refusals: bad arguments, another program's tables,
 * passwords kept out of messages.
 */
import assert from "node:assert/strict";
import { memoryStore } from "../../lib/gallery/memory_store.ts";
import { openGallery } from "../../lib/gallery/open_gallery.ts";
import { postgresStore } from "../../lib/gallery/postgres_store.ts";
import {
  cosine,
  distance,
  dot,
  euclidean,
  manhattan,
  squaredEuclidean,
} from "../../lib/distances/mod.ts";
import { startPgServer } from "./_conformance_pg.ts";

// A small deterministic data set: 60 identities × 4 samples in 8-d.
const DIM = 8;
const rand = (() => {
  let s = 12345;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
})();
const entries = Array.from({ length: 60 }, (_, i) => ({
  identity: `id${i}`,
  embeddings: Float32Array.from({ length: 4 * DIM }, rand),
}));
const queries = Array.from({ length: 12 }, () => Float32Array.from({ length: DIM }, rand));

Deno.test("postgres: search in the database agrees with openGallery's exact search", async (t) => {
  // pglite-socket's own server: this file's calls come one at a time, which it serves well
  // (the concurrent tests use the "sync" server: see PgServerMode)
  const server = await startPgServer(64, "socket");
  try {
    for (const d of [euclidean, cosine, dot, manhattan, squaredEuclidean]) {
      await t.step(d.name, async () => {
        const store = await postgresStore(server.url, {
          dim: DIM,
          fingerprint: "m",
          distance: d,
          table: `search_${d.name.toLowerCase()}`,
        });
        await store.add(entries);
        const reference = openGallery(memoryStore({ dim: DIM, fingerprint: "m", distance: d }));
        reference.enrolMany(entries);
        let found = 0, wanted = 0;
        for (const q of queries) {
          const exact = reference.identify(q, 5);
          // the same ranking; the same distances (openGallery's cosine search normalises in
          // float32 and differs from the host distance by ~1e-8: hence a tolerance)
          const close = (a: { distance: number }[], b: { distance: number }[]) =>
            a.every((m, i) =>
              Math.abs(m.distance - b[i].distance) <= 1e-7 * Math.max(1, Math.abs(b[i].distance))
            );
          const inDb = await store.identify(q, 5, { exact: true });
          assert.deepEqual(inDb.map((m) => m.identity), exact.map((m) => m.identity));
          assert.ok(close(inDb, exact), `${d.name}: ${JSON.stringify([inDb, exact])}`);
          const items = await store.similar(q, 7, { exact: true }),
            refItems = reference.similar(q, 7);
          assert.deepEqual(
            items.map((m) => [m.id, m.identity]),
            refItems.map((m) => [m.id, m.identity]),
          );
          assert.ok(close(items, refItems), d.name);
          // the index: distances exact, the set nearly so (HNSW is approximate)
          const ann = await store.identify(q, 5);
          for (const m of ann) {
            const ref = reference.verify(m.identity, q, { threshold: 0 }).distance;
            assert.ok(Math.abs(m.distance - ref) <= 1e-12 * Math.max(1, Math.abs(ref)), d.name);
          }
          const names = new Set(exact.map((m) => m.identity));
          found += ann.filter((m) => names.has(m.identity)).length;
          wanted += exact.length;
        }
        assert.ok(found / wanted >= 0.9, `${d.name} HNSW recall@5 ${found / wanted}`);
        // every identity, and verify against the reference
        assert.equal((await store.identify(queries[0], Infinity)).length, 60);
        const v = await store.verify("id3", queries[1], 1);
        assert.deepEqual(v, reference.verify("id3", queries[1], { threshold: 1 }));
        await assert.rejects(
          () => store.verify("nobody", queries[1], 1),
          /'nobody' as it is not enrolled/,
        );
        await store.close();
      });
    }

    await t.step("bad search arguments name the argument", async () => {
      const store = await postgresStore(server.url, { dim: 2, fingerprint: "m", table: "args" });
      await assert.rejects(() => store.identify([1, 0], 1), /gallery is empty/);
      await store.add([{ identity: "a", embeddings: new Float32Array([1, 0]) }]);
      await assert.rejects(() => store.identify([1, 0], 0), /k must be a positive integer.*0/);
      await assert.rejects(() => store.similar([1, NaN], 1), /query/);
      await assert.rejects(() => store.identify([1, 0, 0], 1), /query/);
      await assert.rejects(() => store.identify([1, 0], 1, { efSearch: 0 }), /efSearch.*0/);
      await assert.rejects(() => store.verify("a", [1, 0], NaN), /threshold.*NaN/);
      assert.deepEqual(await store.identify([1, 0], 3, { efSearch: 1 }), [
        { identity: "a", distance: 0 },
      ]);
      await store.close();
      await assert.rejects(() => store.identify([1, 0], 1), /closed/);
    });

    await t.step("bad options are refused before connecting", async () => {
      const ok = { dim: 2, fingerprint: "m" };
      await assert.rejects(
        () => postgresStore("mysql://x/y", ok),
        /url must be a string starting with postgres/,
      );
      await assert.rejects(
        () => postgresStore(server.url, { ...ok, table: "Bad-Name" }),
        /options.table.*'Bad-Name'/,
      );
      await assert.rejects(
        () => postgresStore(server.url, { ...ok, dim: 2001 }),
        /dim must be at most 2000.*2001/,
      );
      await assert.rejects(
        () => postgresStore(server.url, { ...ok, efSearch: 1001 }),
        /efSearch.*1001/,
      );
      const custom = distance({ name: "mine", rows: (a, b) => a.sub(b).abs().max(-1) });
      await assert.rejects(
        () => postgresStore(server.url, { ...ok, distance: custom }),
        /options.distance must be a built-in distance pgvector can index.*'mine'/,
      );
    });

    await t.step("another program's tables are refused and left as they were", async () => {
      const { default: postgres } = await import("postgres");
      const sql = postgres(server.url, { onnotice: () => {} });
      await sql`CREATE TABLE shop_meta (key text PRIMARY KEY, value text NOT NULL)`;
      await sql`INSERT INTO shop_meta VALUES ('format', '"orders/3"')`;
      await sql`CREATE TABLE shop_items (id int)`;
      await sql`CREATE TABLE half_items (id int)`;
      await assert.rejects(
        () => postgresStore(server.url, { dim: 2, fingerprint: "m", table: "shop" }),
        /format must be 'likeness-gallery-postgres\/1'.*nothing was changed/,
      );
      await assert.rejects(
        () => postgresStore(server.url, { dim: 2, fingerprint: "m", table: "half" }),
        /only 'half_items' of its two tables exist/,
      );
      assert.deepEqual([...await sql`SELECT key, value FROM shop_meta`], [{
        key: "format",
        value: '"orders/3"',
      }]);
      const tables = await sql`SELECT tablename FROM pg_tables WHERE tablename LIKE 'half%'`;
      assert.deepEqual(tables.map((r) => r.tablename), ["half_items"]);
      await sql.end();
    });

    await t.step("a password never appears in an error", async () => {
      const port = Number(new URL(server.url).port);
      // nothing listens on port 1: the connection is refused
      const url = `postgres://app:s3cret-pw@127.0.0.1:1/app?sslmode=disable`;
      const error = await postgresStore(url, { dim: 2, fingerprint: "m", connectTimeoutS: 2 }).then(
        () => undefined,
        (e: Error) => e,
      );
      assert.ok(error instanceof Error);
      assert.match(error.message, /postgres:\/\/app@127\.0\.0\.1:1\/app/);
      assert.doesNotMatch(error.message, /s3cret/);
      assert.ok(port > 0);
    });
  } finally {
    await server.close();
  }
});
