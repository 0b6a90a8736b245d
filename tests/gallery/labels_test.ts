// Identities are arbitrary strings: every store gives back exactly what was enrolled, and
// refuses the same few (empty, too long) with the same error.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { DatabaseSync } from "node:sqlite";
import { type GalleryStore, memoryStore, openGallery, sqliteStore } from "../../lib/gallery/mod.ts";

await tf.setBackend("cpu");

const tmp = Deno.makeTempDirSync({ prefix: "likeness-labels-test-" });
globalThis.addEventListener("unload", () => Deno.removeSync(tmp, { recursive: true }));
const tempDb = () => Deno.makeTempFileSync({ dir: tmp, suffix: ".db" });

/** Each store kind, freshly made; the sqlite one also reopened from its file. */
const kinds: [string, (dim: number) => GalleryStore][] = [
  ["memory", (dim) => memoryStore({ dim, fingerprint: "m" })],
  ["sqlite", (dim) => sqliteStore(tempDb(), { dim, fingerprint: "m" })],
];

const hostile = [
  "a\0b",
  "a\0c",
  "a",
  "\0",
  "\0\0",
  "trailing\0",
  "\uD800", // lone high surrogate
  "\uDC00", // lone low surrogate
  "\uDC00\uD800", // two lone surrogates, reversed
  "x\uD800y",
  "\uFFFD", // what a lone surrogate would become in UTF-8
  "😀",
  "👩‍👩‍👧‍👦",
  "e\u0301", // é decomposed
  "\u00e9", // é composed: another identity
  "'; DROP TABLE likeness_gallery_items; --",
  'quote " and backslash \\',
  " ",
  "A", // case matters
  "\u202Eright-to-left",
  "x".repeat(65_536), // the longest allowed
];

for (const [kind, make] of kinds) {
  Deno.test(`${kind} store: hostile identities round-trip exactly and stay distinct`, () => {
    const store = make(1);
    const gallery = openGallery(store, { threshold: 0.5 });
    gallery.enrolMany(hostile.map((identity, i) => ({ identity, embeddings: [[i]] })));
    assert.deepEqual(gallery.identities(), hostile);
    assert.equal(gallery.count(), hostile.length);
    hostile.forEach((identity, i) => {
      assert.deepEqual(
        [...store.embeddings(identity)],
        [i],
        `embeddings of ${JSON.stringify(identity.slice(0, 9))}`,
      );
      const v = gallery.verify(identity, [i]);
      assert.equal(v.identity, identity);
      assert.equal(v.accepted, true);
      assert.equal(gallery.identify([i + 0.1], 1)[0].identity, identity);
      assert.equal(gallery.similar([i], 1)[0].identity, identity);
      assert.equal(gallery.has(identity), true);
    });
    // The scan (what search reads) gives every identity back exactly.
    assert.deepEqual([...store.scan(4)].flatMap((c) => c.identities), hostile);
    // Removing one NUL label removes that one only.
    assert.equal(gallery.remove("a\0b"), 1);
    assert.equal(gallery.has("a\0b"), false);
    assert.equal(gallery.has("a\0c"), true);
    assert.equal(gallery.has("a"), true);
    assert.equal(gallery.remove("\uD800"), 1);
    assert.equal(gallery.has("\uDC00"), true);
    assert.equal(gallery.has("\uFFFD"), true);
    assert.deepEqual(
      gallery.identities(),
      hostile.filter((h) => h !== "a\0b" && h !== "\uD800"),
    );
    gallery.enrol("a\0c", [[100]], { replace: true });
    assert.deepEqual([...store.embeddings("a\0c")], [100]);
    assert.deepEqual([...store.embeddings("a")], [2]);
    gallery.close();
  });

  Deno.test(`${kind} store: empty and over-long identities are refused, naming identity`, () => {
    const gallery = openGallery(make(1), { threshold: 1 });
    for (const bad of ["", "y".repeat(65_537)]) {
      const pattern = bad === ""
        ? /identity must be a non-empty string: current value is ''/
        : /identity must have at most 65536 characters: current length is 65537/;
      assert.throws(() => gallery.enrol(bad, [[1]]), pattern);
      assert.throws(
        () => gallery.store.add([{ identity: bad, embeddings: new Float32Array(1) }]),
        pattern,
      );
      assert.throws(() => gallery.store.remove([bad]), pattern);
      assert.throws(() => gallery.store.embeddings(bad), pattern);
      assert.throws(() => gallery.verify(bad, [1]), pattern);
      assert.throws(() => gallery.remove(bad), pattern);
      assert.throws(() => gallery.has(bad), pattern);
    }
    for (const bad of [undefined, 7, null, ["a"]]) {
      assert.throws(
        () =>
          gallery.store.add([{
            identity: bad as unknown as string,
            embeddings: new Float32Array(1),
          }]),
        /identity must be a non-empty string: current value is /,
      );
    }
    assert.equal(gallery.count(), 0);
    gallery.close();
  });
}

Deno.test("sqlite store: hostile identities survive closing and reopening the file", () => {
  const path = tempDb();
  const first = sqliteStore(path, { dim: 1, fingerprint: "m" });
  first.add(hostile.map((identity, i) => ({ identity, embeddings: new Float32Array([i]) })));
  first.close();
  const again = sqliteStore(path, { dim: 1, fingerprint: "m" });
  assert.deepEqual(again.identities(), hostile);
  assert.deepEqual([...again.embeddings("a\0c")], [1]);
  assert.deepEqual([...again.embeddings("\uDC00")], [7]);
  again.close();
  // Well-formed identities stay readable text in the file, NUL included.
  const db = new DatabaseSync(path, { readOnly: true });
  const row = db.prepare(
    "SELECT typeof(identity) AS kind, hex(identity) AS hex FROM likeness_gallery_items WHERE id = 1",
  ).get() as { kind: string; hex: string };
  db.close();
  assert.deepEqual({ ...row }, { kind: "text", hex: "610062" });
});

Deno.test("memory and sqlite stores agree on hostile identities, step by step", () => {
  const stores = kinds.map(([, make]) => make(2));
  const steps: [string, number[]][] = [
    ["a\0b", [0, 0]],
    ["a\0c", [1, 0]],
    ["a", [0, 1]],
    ["\uD83D", [1, 1]],
    ["\uDE00", [2, 1]],
    ["😀", [2, 2]],
    ["a\0b", [3, 3]],
  ];
  const answers = stores.map((store) => {
    const g = openGallery(store, { threshold: 1 });
    const log: unknown[] = [];
    for (const [identity, row] of steps) {
      log.push(g.enrol(identity, [row]));
      log.push(g.identify([0.5, 0.5], 10), g.identities());
    }
    log.push(g.remove("\uD83D"), g.identities(), g.verify("a\0b", [3, 3]));
    log.push(g.remove("a\0b"), g.identities(), g.similar([0, 0], 10));
    g.close();
    return log;
  });
  assert.deepEqual(answers[0], answers[1]);
});
