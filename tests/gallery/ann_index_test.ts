import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { type GalleryStore, memoryStore, openGallery, sqliteStore } from "../../lib/gallery/mod.ts";
import { hnswIndex } from "../../lib/gallery/ann_index.ts";
import { MAGIC, readIndexFile } from "../../lib/gallery/_ann.ts";
import { cosine, dot, euclidean, manhattan, squaredEuclidean } from "../../lib/distances/mod.ts";
import type { Distance } from "../../lib/types.ts";

await tf.setBackend("cpu");

const tmp = Deno.makeTempDirSync({ prefix: "likeness-ann-test-" });
globalThis.addEventListener("unload", () => Deno.removeSync(tmp, { recursive: true }));
let files = 0;
const tempPath = (suffix: string) => `${tmp}/g${files++}${suffix}`;

/** Seeded uniform values in [-0.5, 0.5) (mulberry32). */
function uniform(seed: number, length: number): Float32Array {
  let s = seed >>> 0;
  return new Float32Array(length).map(() => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  });
}

/** n items of `dim`, item i of identity `id<i % identities>`. */
function entries(data: Float32Array, dim: number, identities: number) {
  return Array.from({ length: data.length / dim }, (_, i) => ({
    identity: `id${i % identities}`,
    embeddings: data.subarray(i * dim, (i + 1) * dim),
  }));
}

/** A store whose scans are counted (a rebuild scans; an incremental update does not). */
function counted(store: GalleryStore): GalleryStore & { scans: number } {
  const wrapped = Object.create(store) as GalleryStore & { scans: number };
  wrapped.scans = 0;
  wrapped.scan = (rows: number) => {
    wrapped.scans++;
    return store.scan(rows);
  };
  return wrapped;
}

const inode = (path: string) => Deno.statSync(path).ino;

for (const distance of [euclidean, squaredEuclidean, cosine, dot] as Distance[]) {
  Deno.test(`${distance.name}: on a small gallery the index answers as exact search does`, async () => {
    const dim = 8, n = 1500;
    const data = uniform(1, n * dim);
    const queries = uniform(2, 60 * dim);
    const exact = openGallery(memoryStore({ dim, fingerprint: "m", distance }));
    const index = await hnswIndex({ threshold: 0, expansionSearch: 256, threads: 1 });
    const fast = openGallery(memoryStore({ dim, fingerprint: "m", distance }), { index });
    exact.enrolMany(entries(data, dim, 500));
    fast.enrolMany(entries(data, dim, 500));
    // HNSW is approximate and its (multi-threaded) build is not reproducible, so the lists
    // are compared as a recall: nearly all the same identities and samples, nearest first,
    // and every answer carries its exact distance (never nearer than the truth).
    const overlap = (a: { identity: string }[][], b: { identity: string }[][]) => {
      let same = 0, all = 0;
      a.forEach((list, q) => {
        const truth = new Set(b[q].map((m) => m.identity));
        same += list.filter((m) => truth.has(m.identity)).length;
        all += b[q].length;
      });
      return same / all;
    };
    const got = fast.identifyBatch(queries, 10), want = exact.identifyBatch(queries, 10);
    assert.ok(overlap(got, want) >= 0.97, `identify recall@10 ${overlap(got, want)}`);
    got.forEach((list, q) => {
      assert.equal(list.length, 10);
      assert.ok(list[0].distance >= want[q][0].distance - 1e-12, "never nearer than the truth");
      for (let i = 1; i < list.length; i++) assert.ok(list[i].distance >= list[i - 1].distance);
    });
    const top1 = got.filter((list, q) => list[0].identity === want[q][0].identity).length;
    assert.ok(top1 >= 57, `top-1 agreement ${top1} of 60`);
    const gotSimilar = fast.similarBatch(queries, 10),
      wantSimilar = exact.similarBatch(queries, 10);
    const rows = (lists: { id: number }[][]) =>
      lists.map((l) => l.map((m) => ({ identity: String(m.id) })));
    assert.ok(overlap(rows(gotSimilar), rows(wantSimilar)) >= 0.97);
    // a sample found has the exact distance of that sample
    const exactById = new Map(exact.similarBatch(queries, 1500)[0].map((m) => [m.id, m.distance]));
    for (const m of gotSimilar[0]) assert.equal(m.distance, exactById.get(m.id));
    fast.close();
    exact.close();
  });
}

Deno.test("recall@10 against exact search at 5k × 32, random queries, default settings", async () => {
  const dim = 32, n = 5000, nq = 200;
  const data = uniform(3, n * dim);
  const queries = uniform(4, nq * dim);
  const exact = openGallery(memoryStore({ dim, fingerprint: "m" }));
  const fast = openGallery(memoryStore({ dim, fingerprint: "m" }), {
    index: await hnswIndex({ threshold: 1000 }),
  });
  exact.enrolMany(entries(data, dim, n));
  fast.enrolMany(entries(data, dim, n));
  const truth = exact.similarBatch(queries, 10);
  const found = fast.similarBatch(queries, 10);
  let hits = 0;
  for (let q = 0; q < nq; q++) {
    const ids = new Set(found[q].map((m) => m.id));
    hits += truth[q].filter((m) => ids.has(m.id)).length;
  }
  const recall = hits / (10 * nq);
  assert.ok(recall >= 0.95, `recall@10 ${recall}`);
  // identification (distinct identities) too
  const truthIds = exact.identifyBatch(queries, 10), foundIds = fast.identifyBatch(queries, 10);
  let idHits = 0;
  for (let q = 0; q < nq; q++) {
    const names = new Set(foundIds[q].map((m) => m.identity));
    idHits += truthIds[q].filter((m) => names.has(m.identity)).length;
  }
  assert.ok(idHits / (10 * nq) >= 0.95, `identify recall@10 ${idHits / (10 * nq)}`);
  fast.close();
  exact.close();
});

Deno.test("enrol and remove update the index in place, and remove really removes", async () => {
  const dim = 4, n = 600;
  const data = uniform(5, n * dim);
  const store = counted(memoryStore({ dim, fingerprint: "m", distance: cosine }));
  const gallery = openGallery(store, { index: await hnswIndex({ threshold: 100 }) });
  gallery.enrolMany(entries(data, dim, 200));
  gallery.identify(data.subarray(0, dim), 1); // builds the index: one scan
  const scans = store.scans;
  const at = (i: number) => data.subarray(i * dim, (i + 1) * dim);
  // id7's three rows are items 7, 207, 407
  assert.equal(gallery.identify(at(207), 1)[0].identity, "id7");
  assert.equal(gallery.remove("id7"), 3);
  for (const i of [7, 207, 407]) {
    assert.ok(gallery.identify(at(i), 50).every((m) => m.identity !== "id7"));
    assert.ok(gallery.similar(at(i), 100).every((m) => m.identity !== "id7"));
  }
  const newcomer = new Float32Array([9, -9, 9, -9]);
  const { ids } = gallery.enrol("newcomer", [newcomer]);
  assert.deepEqual(gallery.similar(newcomer, 1), [{
    id: ids[0],
    identity: "newcomer",
    distance: 0,
  }]);
  // replace: id8's old rows leave the index, the new one enters it
  const replaced = gallery.enrol("id8", [[-1, 2, -3, 4]], { replace: true }).ids[0];
  assert.deepEqual(gallery.similar([-1, 2, -3, 4], 1)[0].id, replaced);
  for (const i of [8, 208, 408]) {
    const found = gallery.similar(at(i), 120).filter((m) => m.identity === "id8");
    assert.ok(found.every((m) => m.id === replaced), `item ${i}: ${JSON.stringify(found)}`);
  }
  assert.equal(store.scans, scans, "no rebuild: the index followed the writes");
  gallery.close();
});

Deno.test("a change by another connection rebuilds the index from the store", async () => {
  const path = tempPath(".db");
  const dim = 4;
  const data = uniform(6, 400 * dim);
  const index = await hnswIndex({ threshold: 100 });
  const mine = openGallery(sqliteStore(path, { dim, fingerprint: "m" }), { index });
  mine.enrolMany(entries(data, dim, 400));
  assert.equal(mine.identify(data.subarray(0, dim), 1)[0].identity, "id0");
  const other = openGallery(sqliteStore(path, { dim, fingerprint: "m" }));
  other.enrol("stranger", [[5, 5, 5, 5]]);
  other.remove("id0");
  other.close();
  assert.equal(mine.identify([5, 5, 5, 5], 1)[0].identity, "stranger");
  assert.notEqual(mine.identify(data.subarray(0, dim), 1)[0].identity, "id0");
  // and it keeps following this connection's own writes afterwards
  mine.enrol("late", [[-5, 5, -5, 5]]);
  assert.equal(mine.identify([-5, 5, -5, 5], 1)[0].identity, "late");
  mine.close();
});

Deno.test("the index file is reused when it matches the store, rebuilt when stale", async () => {
  const db = tempPath(".db"), file = `${db}.hnsw`;
  const dim = 8;
  const data = uniform(7, 800 * dim);
  const index = await hnswIndex({ path: file, threshold: 100 });
  const open = (fingerprint = "model-A", db_ = db) =>
    openGallery(sqliteStore(db_, { dim, fingerprint }), { index });
  let gallery = open();
  gallery.enrolMany(entries(data, dim, 800));
  const answer = gallery.identifyBatch(data.subarray(0, 20 * dim), 3);
  gallery.close();
  const written = inode(file);
  assert.equal(readIndexFile(file)?.header.fingerprint, "model-A");

  // reopened unchanged: the file is read, not rewritten
  gallery = open();
  assert.deepEqual(gallery.identifyBatch(data.subarray(0, 20 * dim), 3), answer);
  gallery.close();
  assert.equal(inode(file), written);

  // changed without the index (a gallery opened without it): stale, rebuilt on next use
  const plain = openGallery(sqliteStore(db, { dim, fingerprint: "model-A" }));
  plain.enrol("late", [new Float32Array(dim).fill(3)]);
  plain.close();
  gallery = open();
  assert.equal(gallery.identify(new Float32Array(dim).fill(3), 1)[0].identity, "late");
  gallery.close();
  const rebuilt = inode(file);
  assert.notEqual(rebuilt, written);

  // enrolled through the indexed gallery: the file is brought up to date on close
  gallery = open();
  gallery.enrol("later", [new Float32Array(dim).fill(-3)]);
  gallery.close();
  assert.notEqual(inode(file), rebuilt);
  const updated = inode(file);
  gallery = open();
  assert.equal(gallery.identify(new Float32Array(dim).fill(-3), 1)[0].identity, "later");
  gallery.close();
  assert.equal(inode(file), updated, "the file written on close matched the store");

  // another model's store at the same index path: rebuilt for that model
  const db2 = tempPath(".db");
  gallery = open("model-B", db2);
  gallery.enrolMany(entries(data.subarray(0, 200 * dim), dim, 200));
  assert.equal(gallery.identify(data.subarray(dim, 2 * dim), 1)[0].identity, "id1");
  gallery.close();
  assert.equal(readIndexFile(file)?.header.fingerprint, "model-B");
});

Deno.test("a foreign or corrupt index file is refused with an error naming it, and kept", async () => {
  const dim = 4;
  const data = uniform(8, 300 * dim);
  const file = tempPath(".hnsw");
  const make = async () => {
    const gallery = openGallery(memoryStore({ dim, fingerprint: "m" }), {
      index: await hnswIndex({ path: file, threshold: 100 }),
    });
    gallery.enrolMany(entries(data, dim, 300));
    return gallery;
  };
  // someone's notes where the index would go
  Deno.writeTextFileSync(file, "my notes, not an index");
  let gallery = await make();
  assert.throws(
    () => gallery.identify(data.subarray(0, dim), 1),
    (e: Error) =>
      e.message.includes(JSON.stringify(file)) && /not a likeness HNSW index/.test(e.message) &&
      e.message.includes('"my notes, not an"'),
  );
  assert.equal(Deno.readTextFileSync(file), "my notes, not an index");
  // the store is the truth: enrolment goes ahead (also from a gallery that has not searched
  // yet), searches keep saying what is wrong
  const again = openGallery(gallery.store, {
    index: await hnswIndex({ path: file, threshold: 100 }),
  });
  again.enrol("extra", [[1, 2, 3, 4]]);
  assert.equal(again.count(), 301);
  assert.throws(() => again.identify([1, 2, 3, 4], 1), /not a likeness HNSW index/);
  assert.equal(Deno.readTextFileSync(file), "my notes, not an index");
  gallery.close();

  // our file, damaged: every byte flip in the body or header is caught before usearch sees it
  Deno.removeSync(file);
  gallery = await make();
  gallery.identify(data.subarray(0, dim), 1);
  gallery.close();
  const good = Deno.readFileSync(file);
  const cases: [string, Uint8Array, RegExp][] = [
    ["flipped body byte", good.map((b, i) => i === good.length - 100 ? b ^ 1 : b), /checksum/],
    ["truncated", good.subarray(0, good.length - 7), /bytes of index where its header says/],
    ["header only", good.subarray(0, MAGIC.length + 2), /truncated header/],
    [
      "header not JSON",
      good.map((b, i) => i === MAGIC.length + 4 ? 0x7a : b),
      /header is not JSON/,
    ],
  ];
  for (const [what, bytes, why] of cases) {
    Deno.writeFileSync(file, bytes);
    gallery = await make();
    assert.throws(
      () => gallery.identify(data.subarray(0, dim), 1),
      (e: Error) =>
        e.message.includes(JSON.stringify(file)) && /corrupt/.test(e.message) &&
        why.test(e.message),
      what,
    );
    assert.deepEqual(Deno.readFileSync(file), bytes, `${what}: the file is left as it was`);
    gallery.close();
  }
});

Deno.test("bad index options and distances without an HNSW form are refused by name", async () => {
  await assert.rejects(
    () => hnswIndex({ threshold: -1 }),
    /options\.threshold must be an integer of at least 0: current value is -1/,
  );
  await assert.rejects(
    () => hnswIndex({ connectivity: 1.5 }),
    /options\.connectivity must be an integer of at least 2: current value is 1\.5/,
  );
  await assert.rejects(() => hnswIndex({ path: "" }), /options\.path must be a non-empty string/);
  const store = memoryStore({ dim: 2, fingerprint: "m", distance: manhattan });
  assert.throws(
    () => openGallery(store, { index: hnswIndex as never }),
    /options\.index must be an index made by hnswIndex/,
  );
  const index = await hnswIndex();
  assert.throws(
    () => openGallery(store, { index }),
    /distance 'manhattan' has no HNSW form/,
  );
});

Deno.test("below the threshold and for mean templates search stays exact; no tensors leak", async () => {
  const dim = 4;
  const data = uniform(9, 500 * dim);
  const before = tf.memory().numTensors;
  const store = counted(memoryStore({ dim, fingerprint: "m" }));
  const gallery = openGallery(store, { index: await hnswIndex({ threshold: 1000 }) });
  gallery.enrolMany(entries(data, dim, 100));
  const exact = openGallery(memoryStore({ dim, fingerprint: "m" }));
  exact.enrolMany(entries(data, dim, 100));
  const queries = data.subarray(0, 40 * dim);
  assert.deepEqual(gallery.identifyBatch(queries, 5), exact.identifyBatch(queries, 5));
  const means = openGallery(gallery.store, {
    templates: "mean",
    index: await hnswIndex({ threshold: 0 }),
  });
  const exactMeans = openGallery(exact.store, { templates: "mean" });
  assert.deepEqual(means.identifyBatch(queries, 5), exactMeans.identifyBatch(queries, 5));
  // above the threshold: the index, and still no tensors left behind
  const indexed = openGallery(gallery.store, { index: await hnswIndex({ threshold: 100 }) });
  indexed.identifyBatch(queries, 5);
  indexed.similarBatch(queries, 5);
  exact.identifyBatch(queries, 5); // the exact path, for comparison
  assert.equal(tf.memory().numTensors, before);
  gallery.close();
  exact.close();
});

Deno.test("kill -9 while the index file is written leaves the old file or the new one", async () => {
  const db = tempPath(".db"), file = `${db}.hnsw`;
  const child = new URL("./_ann_write_child.ts", import.meta.url).pathname;
  for (let round = 0; round < 3; round++) {
    const process = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", child, db, file],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = process.stdout.getReader();
    let seen = "";
    while (!seen.includes("writing")) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += new TextDecoder().decode(value);
    }
    await new Promise((resolve) => setTimeout(resolve, 40 + 90 * round));
    process.kill("SIGKILL");
    reader.releaseLock();
    await process.stdout.cancel();
    await process.status;
    // the file is absent or whole: never a partial file
    const read = readIndexFile(file);
    if (read !== undefined) assert.equal(read.header.dim, 16);
    // and a gallery opened on it works: a stale or whole file, never a refused one
    const gallery = openGallery(sqliteStore(db, { dim: 16, fingerprint: "m" }), {
      index: await hnswIndex({ path: file, threshold: 100 }),
    });
    if (gallery.count() > 0) {
      assert.equal(
        gallery.identify(gallery.store.embeddings("id1").subarray(0, 16), 1)[0].identity,
        "id1",
      );
    }
    gallery.close();
  }
  // the next write tidies what the killed writers left
  const gallery = openGallery(sqliteStore(db, { dim: 16, fingerprint: "m" }), {
    index: await hnswIndex({ path: file, threshold: 100 }),
  });
  gallery.enrol("tidy", [new Float32Array(16).fill(1)]);
  gallery.close();
  const base = file.slice(file.lastIndexOf("/") + 1);
  const left = [...Deno.readDirSync(tmp)].map((e) => e.name).filter((name) =>
    name.startsWith(base) && name.endsWith(".tmp")
  );
  assert.deepEqual(left, []);
  assert.ok(readIndexFile(file) !== undefined);
});

Deno.test("temp files a killed writer left are removed by the next write; a live one's are kept", async () => {
  const file = tempPath(".hnsw");
  const base = file.slice(file.lastIndexOf("/") + 1);
  const dead = `${file}.999999999.abc.index.tmp`, live = `${file}.1.def.body.tmp`;
  const other = `${tmp}/someone-else.999999999.abc.index.tmp`;
  for (const path of [dead, live, other]) Deno.writeTextFileSync(path, "half a file");
  const gallery = openGallery(memoryStore({ dim: 2, fingerprint: "m" }), {
    index: await hnswIndex({ path: file, threshold: 10 }),
  });
  gallery.enrolMany(
    Array.from({ length: 20 }, (_, i) => ({ identity: `${i}`, embeddings: [[i, 1]] })),
  );
  gallery.identify([3, 1], 1); // builds and writes the index
  gallery.close();
  const left = [...Deno.readDirSync(tmp)].map((e) => e.name).filter((n) => n.endsWith(".tmp"));
  assert.ok(!left.includes(dead.slice(tmp.length + 1)), "the dead writer's temp file is gone");
  assert.ok(left.includes(live.slice(tmp.length + 1)), "process 1 is alive: its file is kept");
  assert.ok(left.includes("someone-else.999999999.abc.index.tmp"), "not ours: kept");
  assert.ok(readIndexFile(file) !== undefined && base.length > 0);
  for (const path of [live, other]) Deno.removeSync(path);
});
