/**
 * postgresStore over TCP: enrolments/s, identify queries/s through the HNSW index and exactly
 * (a sequential scan), and the index's recall against exact search, on random 32-d
 * embeddings (the worst case for an index). The server is PGlite (Postgres 17 in wasm, one
 * backend) with pgvector 0.8, served on 127.0.0.1: a lower bound for a native Postgres.
 *
 *   deno run -A bench/postgres_store.ts [--n 20000] [--dim 32] [--queries 200] [--ef 100]
 *     [--data folder]  (keep PGlite's cluster there: a second run skips the enrolment)
 *     [--url postgres://…]   (a real server instead of PGlite)
 */
import { parseArgs } from "node:util";
import { postgresStore } from "../lib/gallery/postgres_store.ts";
import { startPgServer } from "../tests/gallery/_conformance_pg.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    n: { type: "string", default: "20000" },
    dim: { type: "string", default: "32" },
    queries: { type: "string", default: "200" },
    exactQueries: { type: "string", default: "50" },
    ef: { type: "string", default: "100" },
    url: { type: "string" },
    data: { type: "string" },
  },
});
const n = Number(values.n), dim = Number(values.dim), nq = Number(values.queries);
const nExact = Number(values.exactQueries), ef = Number(values.ef);

let seed = 42;
const gauss = () => {
  // Box-Muller on a small LCG: deterministic across runs
  const u = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) + 1) / 2147483649;
  return Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
};
const rows = (count: number) => Float32Array.from({ length: count * dim }, gauss);

const server = values.url === undefined ? await startPgServer(64, "sync", values.data) : undefined;
const url = values.url ?? server!.url;
const table = `bench_${n}_${dim}`;
const store = await postgresStore(url, { dim, fingerprint: "bench", table, efSearch: ef });
const log = (s: string) => console.log(s);
log(
  `postgresStore over TCP (${
    server ? "PGlite 0.4.6 + pgvector 0.8.1" : "server"
  }), ${n} × ${dim}, ef_search ${ef}`,
);
try {
  if ((await store.count()) !== n) {
    await store.remove(await store.identities());
    const per = 1000;
    const t0 = performance.now();
    for (let at = 0; at < n; at += per) {
      const data = rows(Math.min(per, n - at));
      await store.add(
        Array.from({ length: data.length / dim }, (_, i) => ({
          identity: `p${at + i}`,
          embeddings: data.subarray(i * dim, (i + 1) * dim),
        })),
      );
    }
    const s = (performance.now() - t0) / 1000;
    log(
      `enrol: ${n} identities (1 sample each) in ${n / per} transactions of ${per}: ${
        s.toFixed(1)
      } s, ${(n / s).toFixed(0)} enrolments/s (HNSW index maintained on insert)`,
    );
  }
  const queries = Array.from({ length: nq }, () => rows(1));
  // warm: the first queries read the index and table pages into PGlite's buffers
  for (const q of queries.slice(0, 50)) await store.similar(q, 10);
  for (const q of queries.slice(0, 50)) await store.identify(q, 10);
  let t0 = performance.now();
  const ann: string[][] = [];
  for (const q of queries) ann.push((await store.identify(q, 10)).map((m) => m.identity));
  let s = (performance.now() - t0) / 1000;
  log(
    `identify k=10, HNSW: ${(nq / s).toFixed(0)} queries/s (one at a time, ${
      (1000 * s / nq).toFixed(1)
    } ms each)`,
  );
  t0 = performance.now();
  for (const q of queries.slice(0, nq)) await store.similar(q, 10);
  s = (performance.now() - t0) / 1000;
  log(`similar k=10, HNSW: ${(nq / s).toFixed(0)} queries/s`);
  let hit1 = 0, hit10 = 0;
  t0 = performance.now();
  for (let i = 0; i < nExact; i++) {
    const exact = (await store.identify(queries[i], 10, { exact: true })).map((m) => m.identity);
    if (ann[i][0] === exact[0]) hit1++;
    const want = new Set(exact);
    hit10 += ann[i].filter((id) => want.has(id)).length / 10;
  }
  s = (performance.now() - t0) / 1000;
  log(`identify k=10, exact (sequential scan): ${(nExact / s).toFixed(1)} queries/s`);
  log(
    `HNSW recall against exact over ${nExact} queries: recall@1 ${
      (hit1 / nExact).toFixed(3)
    }, recall@10 ${(hit10 / nExact).toFixed(3)}`,
  );
} finally {
  await store.close();
  await server?.close();
}
