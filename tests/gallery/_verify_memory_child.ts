// Child process of verify_memory_test.ts: a fresh process, so that its RSS is the gallery's.
// Counts the SQL statements prepared, then runs many verify (and other hot) calls on a
// SQLite gallery and prints what it measured as JSON.
import { DatabaseSync } from "node:sqlite";
import { openGallery, sqliteStore } from "../../lib/gallery/mod.ts";

let prepared = 0;
const prepare = DatabaseSync.prototype.prepare;
DatabaseSync.prototype.prepare = function (this: DatabaseSync, sql: string) {
  prepared++;
  return prepare.call(this, sql);
};
const gc = (globalThis as { gc?: () => void }).gc!;

const [path, callsArg] = Deno.args;
const calls = Number(callsArg);
const dim = 16;
const gallery = openGallery(sqliteStore(path, { dim, fingerprint: "m" }), { threshold: 1 });
gallery.enrolMany(Array.from({ length: 100 }, (_, i) => ({
  identity: `person ${i}`,
  embeddings: [new Float32Array(dim).fill(i / 100)],
})));
const query = new Float32Array(dim).fill(0.5);
let accepted = 0;
const hot = (n: number) => {
  for (let i = 0; i < n; i++) {
    if (gallery.verify(`person ${i % 100}`, query).accepted) accepted++;
    if (i % 20 === 0) {
      gallery.identify(query, 3);
      gallery.has(`person ${i % 100}`);
      gallery.count();
    }
    if (i % 1000 === 0) gallery.identities();
  }
};
hot(20_000); // warm up: the JIT, the heap and SQLite's page cache reach their size
gc();
const rss0 = Deno.memoryUsage().rss;
const prepared0 = prepared;
const t0 = performance.now();
hot(calls);
const seconds = (performance.now() - t0) / 1000;
gc();
console.log(JSON.stringify({
  prepared: prepared - prepared0,
  rssGrowthMiB: (Deno.memoryUsage().rss - rss0) / 2 ** 20,
  verifyPerSecond: Math.round(calls / seconds),
  accepted,
}));
gallery.close();
