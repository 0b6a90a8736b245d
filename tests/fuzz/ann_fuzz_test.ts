/**
 * Property tests of the HNSW gallery index (issue 17): arbitrary small galleries, removals,
 * replacements and queries, under euclidean, squared euclidean, cosine and dot. With the
 * index on (threshold 0), every answer equals a brute-force float64 ranking of the store's
 * current items, or the call throws an Error naming its argument; arbitrary bytes where the
 * index file goes are refused with an Error naming the file (never a crash, never a change
 * to that file).
 */
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import fc from "fast-check";
import { memoryStore, openGallery } from "../../lib/gallery/mod.ts";
import { hnswIndex } from "../../lib/gallery/ann_index.ts";
import { MAGIC } from "../../lib/gallery/_ann.ts";
import { cosine, dot, euclidean, squaredEuclidean } from "../../lib/distances/mod.ts";
import type { Distance } from "../../lib/types.ts";

await tf.setBackend("cpu");

const NUM_RUNS = Number(Deno.env.get("LIKENESS_FUZZ_RUNS") ?? 60);
const root = Deno.makeTempDirSync({ prefix: "likeness-ann-fuzz-" });
globalThis.addEventListener("unload", () => Deno.removeSync(root, { recursive: true }));
const index = await hnswIndex({ threshold: 0, expansionSearch: 64 });

const distances: Distance[] = [euclidean, squaredEuclidean, cosine, dot];
const value = fc.oneof(
  fc.integer({ min: -3, max: 3 }), // ties and duplicates
  fc.double({ min: -1e6, max: 1e6, noNaN: true }).map(Math.fround),
);
const hostile = fc.constantFrom(NaN, Infinity, -Infinity);

/** Brute force: the k best (distinct identities when asked) as [identity, distance]. */
function brute(
  items: { identity: string; row: number[] }[],
  query: number[],
  k: number,
  distance: Distance,
  distinct: boolean,
): number[] {
  const scored = items.map((item) => ({ ...item, d: distance.host.pair(query, item.row) }));
  scored.sort((a, b) => a.d - b.d);
  const seen = new Set<string>();
  const out: number[] = [];
  for (const s of scored) {
    if (out.length >= k) break;
    if (distinct) {
      if (seen.has(s.identity)) continue;
      seen.add(s.identity);
    }
    out.push(s.d);
  }
  return out;
}

const close = (a: number[], b: number[]) =>
  a.length === b.length &&
  a.every((x, i) => Math.abs(x - b[i]) <= 1e-6 * Math.max(1, Math.abs(x), Math.abs(b[i])));

Deno.test("the indexed gallery answers as a brute-force ranking, or throws naming the argument", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 3 }),
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 1, max: 40 }),
      fc.infiniteStream(value),
      fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 40 }),
      fc.integer({ min: 0, max: 8 }),
      fc.integer({ min: 1, max: 8 }),
      fc.boolean(),
      fc.option(hostile, { nil: undefined }),
      (which, dim, n, values, owners, removed, k, replace, bad) => {
        const distance = distances[which];
        const gallery = openGallery(memoryStore({ dim, fingerprint: "f", distance }), { index });
        const it = values[Symbol.iterator]();
        const next = () => it.next().value as number;
        const row = () => Array.from({ length: dim }, next);
        const items: { identity: string; row: number[] }[] = [];
        try {
          for (let i = 0; i < n; i++) {
            const identity = `p${owners[i % owners.length]}`;
            let r = row();
            if (r.every((v) => v === 0)) r = r.map(() => 1); // cosine refuses zero rows
            gallery.enrol(identity, [r]);
            items.push({ identity, row: Array.from(Float32Array.from(r)) });
          }
          const gone = `p${removed}`;
          if (items.some((i) => i.identity === gone)) {
            gallery.remove(gone);
            items.splice(0, items.length, ...items.filter((i) => i.identity !== gone));
          }
          if (replace && items.length > 0) {
            const who = items[0].identity;
            const r = row().map((v) => v === 0 ? 1 : v);
            gallery.enrol(who, [r], { replace: true });
            items.splice(0, items.length, ...items.filter((i) => i.identity !== who));
            items.push({ identity: who, row: Array.from(Float32Array.from(r)) });
          }
          if (items.length === 0) return;
          let query = row().map((v) => v === 0 ? 0.5 : v);
          query = Array.from(Float32Array.from(query));
          if (bad !== undefined) {
            const hostileQuery = [...query];
            hostileQuery[0] = bad;
            assert.throws(
              () => gallery.identify(hostileQuery, k),
              (e: Error) => /query/.test(e.message) && e.message.includes(String(bad)),
            );
          }
          const ids = gallery.identify(query, k).map((m) => m.distance);
          const sims = gallery.similar(query, k).map((m) => m.distance);
          assert.ok(close(ids, brute(items, query, k, distance, true)), `identify ${ids}`);
          assert.ok(close(sims, brute(items, query, k, distance, false)), `similar ${sims}`);
          for (const d of [...ids, ...sims]) assert.ok(!Number.isNaN(d));
        } finally {
          gallery.close();
        }
      },
    ),
    { numRuns: NUM_RUNS },
  );
});

Deno.test("arbitrary bytes where the index file goes are refused, naming the file, and kept", async () => {
  const dim = 3;
  const rows = Array.from({ length: 40 }, (_, i) => [Math.sin(i), Math.cos(i), i / 40]);
  let count = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.uint8Array({ maxLength: 200 }),
        fc.uint8Array({ maxLength: 400 }).map((tail) => {
          const head = new TextEncoder().encode(MAGIC);
          const out = new Uint8Array(head.length + tail.length);
          out.set(head);
          out.set(tail, head.length);
          return out;
        }),
      ),
      async (bytes) => {
        const path = `${root}/fuzz${count++}.hnsw`;
        Deno.writeFileSync(path, bytes);
        const gallery = openGallery(memoryStore({ dim, fingerprint: "f" }), {
          index: await hnswIndex({ path, threshold: 10 }),
        });
        gallery.enrolMany(rows.map((r, i) => ({ identity: `i${i}`, embeddings: [r] })));
        assert.throws(
          () => gallery.identify(rows[0], 1),
          (e: Error) => e.message.includes(JSON.stringify(path)),
        );
        assert.deepEqual(Deno.readFileSync(path), bytes);
        gallery.close();
      },
    ),
    { numRuns: NUM_RUNS },
  );
});
