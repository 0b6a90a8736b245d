import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { DatabaseSync } from "node:sqlite";
import { memoryStore, openGallery, sqliteStore } from "../../lib/gallery/mod.ts";
import { cosine, distance, euclidean } from "../../lib/distances/mod.ts";

await tf.setBackend("cpu");

const tmp = Deno.makeTempDirSync({ prefix: "likeness-gallery-test-" });
globalThis.addEventListener("unload", () => Deno.removeSync(tmp, { recursive: true }));
const tempDb = () => Deno.makeTempFileSync({ dir: tmp, suffix: ".db" });

Deno.test("a sqlite gallery persists across openings and records its model", () => {
  const path = tempDb();
  const first = openGallery(sqliteStore(path, { dim: 2, fingerprint: "model-A" }));
  first.enrol("alice", [[0, 0], [0, 1]]);
  first.enrol("bob", [[3, 0]]);
  first.remove("alice");
  first.enrol("carol", [[0.25, -1.5]]);
  first.close();

  const again = openGallery(sqliteStore(path, { dim: 2, fingerprint: "model-A" }));
  assert.deepEqual(again.identities(), ["bob", "carol"]);
  assert.deepEqual([...again.store.embeddings("carol")], [0.25, -1.5]);
  assert.deepEqual(again.identify([0, -1], 1), [{
    identity: "carol",
    distance: Math.hypot(0.25, 0.5),
  }]);
  assert.deepEqual(again.similar([3, 0], 1)[0], { id: 3, identity: "bob", distance: 0 });
  again.close();

  assert.throws(
    () => sqliteStore(path, { dim: 2, fingerprint: "model-B" }),
    /with model fingerprint 'model-B' as its embeddings were made by the model with fingerprint 'model-A'/,
  );
  assert.throws(
    () => sqliteStore(path, { dim: 3, fingerprint: "model-A" }),
    /with dim 3 as its embeddings have dim 2/,
  );
  // A refused open leaves the file as it was.
  const still = sqliteStore(path, { dim: 2, fingerprint: "model-A" });
  assert.equal(still.count(), 2);
  still.close();
  Deno.removeSync(path);
});

Deno.test("a sqlite gallery records its distance and refuses to open with another", () => {
  const path = tempDb();
  const made = openGallery(sqliteStore(path, { dim: 2, fingerprint: "m", distance: cosine }));
  assert.equal(made.distance, cosine);
  made.enrol("east", [[1, 0]]);
  made.enrol("north", [[0, 1]]);
  made.close();
  const db = new DatabaseSync(path);
  const row = db.prepare("SELECT value FROM likeness_gallery_meta WHERE key = 'distance'").get();
  db.close();
  assert.deepEqual({ ...row }, { value: "cosine" });
  // the default (euclidean) and an explicit euclidean are both refused, naming both distances
  for (const options of [{}, { distance: euclidean }]) {
    assert.throws(
      () => sqliteStore(path, { dim: 2, fingerprint: "m", ...options }),
      /Cannot open gallery ".*" with distance 'euclidean' as it was created with distance 'cosine'/,
    );
  }
  // reopened with cosine, the gallery searches by angle: (10, 1) is nearly east
  const again = openGallery(sqliteStore(path, { dim: 2, fingerprint: "m", distance: cosine }));
  assert.equal(again.distance, cosine);
  const [first] = again.identify([10, 1], 1);
  assert.equal(first.identity, "east");
  assert.ok(Math.abs(first.distance - (1 - 10 / Math.hypot(10, 1))) < 1e-9);
  again.close();
  // a user-defined distance is recorded by name; opening its store needs its record
  const mine = distance({ name: "l-inf", rows: (a, b) => tf.max(tf.abs(tf.sub(a, b)), 1) });
  const other = tempDb();
  const custom = openGallery(sqliteStore(other, { dim: 2, fingerprint: "m", distance: mine }), {
    distance: mine,
  });
  custom.enrol("a", [[0, 0]]);
  custom.enrol("b", [[3, 1]]);
  // L∞ of (2.5, 0) to a is 2.5 and to b 1: b (euclidean would also say b; check the value)
  assert.deepEqual(custom.identify([2.5, 0], 2), [
    { identity: "b", distance: 1 },
    { identity: "a", distance: 2.5 },
  ]);
  custom.close();
  const store = sqliteStore(other, { dim: 2, fingerprint: "m", distance: mine });
  assert.throws(() => openGallery(store), /distance 'l-inf', which is not built in/);
  store.close();
  Deno.removeSync(path);
  Deno.removeSync(other);
});

Deno.test("a gallery file made before distances were recorded takes the distance it is reopened with", () => {
  const path = tempDb();
  sqliteStore(path, { dim: 1, fingerprint: "m" }).close();
  const db = new DatabaseSync(path);
  db.exec("DELETE FROM likeness_gallery_meta WHERE key = 'distance'");
  db.close();
  sqliteStore(path, { dim: 1, fingerprint: "m", distance: cosine }).close();
  assert.throws(
    () => sqliteStore(path, { dim: 1, fingerprint: "m" }),
    /with distance 'euclidean' as it was created with distance 'cosine'/,
  );
  Deno.removeSync(path);
});

Deno.test("a second connection sees committed writes (the index is rebuilt)", () => {
  const path = tempDb();
  const reader = openGallery(sqliteStore(path, { dim: 1, fingerprint: "m" }));
  const writer = openGallery(sqliteStore(path, { dim: 1, fingerprint: "m" }));
  writer.enrol("one", [[1]]);
  assert.equal(reader.identify([0], 1)[0].identity, "one");
  writer.enrol("zero", [[0]]);
  assert.equal(reader.identify([0], 1)[0].identity, "zero");
  writer.remove("zero");
  assert.equal(reader.identify([0], 1)[0].identity, "one");
  reader.close();
  writer.close();
});

Deno.test("a gallery of another format is refused", () => {
  const path = tempDb();
  const db = new DatabaseSync(path);
  db.exec("CREATE TABLE likeness_gallery_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
  db.exec("CREATE TABLE likeness_gallery_items (id INTEGER PRIMARY KEY, identity, embedding)");
  db.exec("INSERT INTO likeness_gallery_meta VALUES ('format', 'something-else')");
  db.close();
  assert.throws(
    () => sqliteStore(path, { dim: 2, fingerprint: "m" }),
    /its format must be 'likeness-gallery\/1': current format is 'something-else'/,
  );
});

Deno.test("a process killed mid-transaction loses nothing committed and leaves no partial write", async () => {
  const dir = Deno.makeTempDirSync({ dir: tmp });
  const path = `${dir}/gallery.db`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./_crash_child.ts", import.meta.url).pathname, path],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!lines.includes("writing")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
    lines.push(...text.split("\n").slice(0, -1));
    text = text.slice(text.lastIndexOf("\n") + 1);
  }
  assert.deepEqual(lines, ["committed", "writing"]);
  // The big transaction is under way: its pages already spill into the write-ahead log.
  const walBytes = Deno.statSync(`${path}-wal`).size;
  child.kill("SIGKILL");
  const status = await child.status;
  await reader.cancel();
  await child.stderr.cancel();
  assert.equal(status.signal, "SIGKILL");
  assert.ok(walBytes > 1_000_000, `expected a large uncommitted write, log is ${walBytes} bytes`);

  const gallery = openGallery(sqliteStore(path, { dim: 64, fingerprint: "crash-model" }));
  assert.deepEqual(gallery.identities(), ["alice", "bob"]);
  assert.equal(gallery.count(), 3);
  const alice = gallery.store.embeddings("alice");
  assert.deepEqual([alice[0], alice[63], alice[64], alice[127]], [1, 1, 2, 2]);
  assert.equal(gallery.identify(new Float32Array(64).fill(3), 1)[0].identity, "bob");
  // And the gallery is writable again.
  gallery.enrol("carol", [new Float32Array(64).fill(9)]);
  assert.equal(gallery.count(), 4);
  gallery.close();
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("a memory store and a sqlite store give the same rankings", () => {
  const rows = Array.from({ length: 40 }, (_, i) => [Math.sin(i), Math.cos(3 * i), i % 5]);
  const stores = [
    memoryStore({ dim: 3, fingerprint: "m" }),
    sqliteStore(tempDb(), { dim: 3, fingerprint: "m" }),
  ];
  const answers = stores.map((store, i) => {
    // the sqlite gallery streams from the file on every search (no in-memory copy)
    const g = openGallery(store, { chunkSize: 7, cache: i === 0 });
    g.enrolMany(rows.map((r, i) => ({ identity: `p${i % 9}`, embeddings: [r] })));
    const out = [g.identifyBatch(rows.slice(0, 5), 4), g.similarBatch(rows.slice(5, 8), 6)];
    g.close();
    return out;
  });
  assert.deepEqual(answers[0], answers[1]);
});

Deno.test("a write that waits too long for another connection fails naming the file and the wait", () => {
  const path = tempDb();
  const gallery = openGallery(sqliteStore(path, { dim: 1, fingerprint: "m", busyTimeoutMs: 200 }));
  gallery.enrol("a", [[1]]);
  const other = new DatabaseSync(path);
  other.exec("BEGIN IMMEDIATE"); // holds the write lock
  const started = performance.now();
  assert.throws(
    () => gallery.enrol("b", [[2]]),
    new RegExp(
      `^Error: Cannot add to the store of gallery ${
        JSON.stringify(path).replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")
      }: database is locked: other connections held its write lock for all of busyTimeoutMs \\(200 ms\\)$`,
    ),
  );
  const waited = performance.now() - started;
  assert.ok(waited >= 150, `gave up after ${waited.toFixed(0)} ms, before the busy timeout`);
  // Reads go on meanwhile (write-ahead log), and the write succeeds once the lock is gone.
  assert.deepEqual(gallery.identities(), ["a"]);
  other.exec("ROLLBACK");
  other.close();
  gallery.enrol("b", [[2]]);
  assert.deepEqual(gallery.identities(), ["a", "b"]);
  gallery.close();
  for (const bad of [-1, 1.5, NaN, "10", 2 ** 31]) {
    assert.throws(
      () => sqliteStore(tempDb(), { dim: 1, fingerprint: "m", busyTimeoutMs: bad as number }),
      /options.busyTimeoutMs must be a whole number of milliseconds \(0 to 2147483647\): current value is/,
    );
  }
});
