/**
 * The store conformance suite: the guarantees every gallery store gives, checked the same way
 * against memory, SQLite and Postgres (over TCP), each seen as an `AsyncGalleryStore`.
 */
import assert from "node:assert/strict";
import type { Distance } from "../../lib/types.ts";
import type { AsyncGalleryStore } from "../../lib/gallery/postgres_store.ts";
import { cosine, dot } from "../../lib/distances/mod.ts";

/** Where a store lives and how to open it again (a file, a table prefix; nothing in memory). */
export interface StoreKind {
  readonly name: string;
  /** Whether a second `open` of the same place sees the same data. */
  readonly persistent: boolean;
  /** A new, empty place for a gallery. */
  place(): string;
  /** Opens (creating when new) the gallery at `place`. */
  open(
    place: string,
    options: { dim: number; fingerprint: string; distance?: Distance },
  ): Promise<AsyncGalleryStore>;
  /** The arguments `_conformance_crash_child.ts` needs to open `place` (persistent kinds). */
  childArgs?(place: string): string[];
  /** Whether a writer's transaction is open right now, when the kind can tell. */
  inTransaction?(): boolean;
  /**
   * Steps this store is known to fail (named by their title), skipped and reported as ignored
   * until its owner fixes them.
   */
  readonly knownGaps?: readonly string[];
}

/** Row `r` of identity `i` in the crash test: the child and the checks compute the same. */
export function crashRow(i: number, r: number, dim: number): Float32Array {
  return Float32Array.from({ length: dim }, (_, j) => i * 1000 + r + j / 8);
}

/** Rows of each of the 100 entries of the crash test's big, uncommitted transaction. */
export const CRASH_ROWS = 2000;
export const CRASH_DIM = 4;

const bitsOf = (a: Float32Array) => [...new Uint32Array(a.slice().buffer)];

/** Identities no store may alter: NUL, lone surrogates, quotes, SQL and array syntax, long. */
export const HOSTILE_IDENTITIES: readonly string[] = [
  "alice",
  "a\0b",
  "\0",
  "\ud800",
  "x\udc00y",
  "\udbff\udfff", // a well-formed pair: U+10FFFF
  "é😀",
  'q"{,}\\',
  "NULL",
  "null",
  " ",
  "'; DROP TABLE likeness_gallery_items; --",
  "{}",
  "[1,2]",
  "\\x00d8",
  "00d8",
  "x".repeat(65_536),
];

const readAll = async (store: AsyncGalleryStore, rows: number) => {
  const ids: number[] = [], identities: string[] = [], values: number[] = [];
  for await (const chunk of store.scan(rows)) {
    assert.ok(chunk.ids.length <= rows && chunk.ids.length > 0, `chunk of ${chunk.ids.length}`);
    assert.equal(chunk.embeddings.length, chunk.ids.length * store.dim);
    ids.push(...chunk.ids);
    identities.push(...chunk.identities);
    values.push(...bitsOf(chunk.embeddings));
  }
  return { ids, identities, values };
};

/** Runs every conformance step against `kind` as steps of `t`. */
export async function conformance(t: Deno.TestContext, kind: StoreKind): Promise<void> {
  const step = (name: string, fn: () => Promise<void>) =>
    t.step({ name, fn, ignore: kind.knownGaps?.includes(name) === true });
  const fresh = (dim = 3, fingerprint = "model-1", distance?: Distance) =>
    kind.open(kind.place(), { dim, fingerprint, distance });

  await step("add returns increasing ids; count, identities in first-enrolment order", async () => {
    const store = await fresh(2);
    assert.equal(store.dim, 2);
    assert.equal(store.fingerprint, "model-1");
    assert.equal(store.distance, "euclidean");
    assert.equal(await store.count(), 0);
    assert.deepEqual(await store.identities(), []);
    const a = await store.add([
      { identity: "bob", embeddings: new Float32Array([1, 2, 3, 4]) },
      { identity: "alice", embeddings: new Float32Array([5, 6]) },
    ]);
    const b = await store.add([{ identity: "bob", embeddings: new Float32Array([7, 8]) }]);
    assert.equal(a.length, 3);
    assert.equal(b.length, 1);
    const ids = [...a, ...b];
    assert.ok(ids.every((id, i) => Number.isInteger(id) && (i === 0 || id > ids[i - 1])), `${ids}`);
    assert.equal(await store.count(), 4);
    assert.deepEqual(await store.identities(), ["bob", "alice"]);
    assert.deepEqual([...await store.embeddings("bob")], [1, 2, 3, 4, 7, 8]);
    assert.deepEqual([...await store.embeddings("carol")], []);
    // replace: bob's earlier items give way; bob now comes after alice (first item is new)
    const c = await store.add([{ identity: "bob", embeddings: new Float32Array([9, 9]) }], {
      replace: true,
    });
    assert.ok(c[0] > b[0]);
    assert.deepEqual([...await store.embeddings("bob")], [9, 9]);
    assert.deepEqual(await store.identities(), ["alice", "bob"]);
    assert.equal(await store.count(), 2);
    await store.close();
  });

  await step("embeddings come back bit for bit (-0, subnormals, extremes)", async () => {
    const dim = 8;
    const store = await fresh(dim);
    const values = new Float32Array([
      -0,
      0,
      1.401298464324817e-45,
      -1.1754942106924411e-38,
      3.4028234663852886e38 / 1e21,
      0.1,
      -1 / 3,
      Math.PI,
      ...Array.from(
        { length: 8 * 63 },
        (_, i) => Math.fround(Math.sin(i * 7.1) * 10 ** ((i % 13) - 6)),
      ),
    ]);
    await store.add([{ identity: "v", embeddings: values }]);
    assert.deepEqual(bitsOf(await store.embeddings("v")), bitsOf(values));
    assert.deepEqual((await readAll(store, 10)).values, bitsOf(values));
    await store.close();
  });

  await step("identities round-trip exactly and never collide", async () => {
    const store = await fresh(1);
    const entries = HOSTILE_IDENTITIES.map((identity, i) => ({
      identity,
      embeddings: new Float32Array([i]),
    }));
    await store.add(entries);
    assert.deepEqual(await store.identities(), HOSTILE_IDENTITIES);
    for (const [i, identity] of HOSTILE_IDENTITIES.entries()) {
      assert.deepEqual(
        [...await store.embeddings(identity)],
        [i],
        JSON.stringify(identity.slice(0, 9)),
      );
    }
    assert.deepEqual((await readAll(store, 5)).identities, HOSTILE_IDENTITIES);
    // a string of another form is another identity: the lone surrogate's UTF-16 bytes, the
    // text without the NUL
    for (const other of ["\u00d8", "ab", "a", "\ud800\ud800", "x\udc00"]) {
      assert.deepEqual([...await store.embeddings(other)], [], JSON.stringify(other));
    }
    assert.equal(await store.remove(["\ud800", "a\0b"]), 2);
    assert.deepEqual(
      await store.identities(),
      HOSTILE_IDENTITIES.filter((id) => id !== "\ud800" && id !== "a\0b"),
    );
    await store.close();
  });

  await step("add is all or nothing: a bad entry anywhere leaves the store as it was", async () => {
    const store = await fresh(2);
    await store.add([{ identity: "keep", embeddings: new Float32Array([1, 1]) }]);
    const revision = await store.revision();
    const bad = [
      [{ identity: "x", embeddings: new Float32Array([1, 2]) }, {
        identity: "y",
        embeddings: new Float32Array([1, 2, 3]),
      }],
      [{ identity: "x", embeddings: new Float32Array([1, 2]) }, {
        identity: "y",
        embeddings: new Float32Array([1, NaN]),
      }],
      [{ identity: "x", embeddings: new Float32Array([1, 2]) }, {
        identity: "",
        embeddings: new Float32Array([1, 2]),
      }],
    ];
    for (const entries of bad) {
      await assert.rejects(() => store.add(entries), /Cannot add|identity|embeddings/);
      await assert.rejects(() => store.add(entries, { replace: true }));
    }
    await assert.rejects(
      () => store.add("abc" as never),
      /entries must be iterable/,
    );
    assert.equal(await store.count(), 1);
    assert.deepEqual(await store.identities(), ["keep"]);
    assert.equal(await store.revision(), revision);
    await store.close();
  });

  await step("remove counts what went; revision changes with every change", async () => {
    const store = await fresh(1);
    const r0 = await store.revision();
    await store.add([
      { identity: "a", embeddings: new Float32Array([1, 2]) },
      { identity: "b", embeddings: new Float32Array([3]) },
      { identity: "c", embeddings: new Float32Array([4]) },
    ]);
    const r1 = await store.revision();
    assert.notEqual(r1, r0);
    assert.equal(await store.remove(["nobody"]), 0);
    assert.equal(await store.remove(["a", "c", "nobody"]), 3);
    const r2 = await store.revision();
    assert.notEqual(r2, r1);
    assert.deepEqual(await store.identities(), ["b"]);
    await assert.rejects(() => store.remove([""]), /identity/);
    await assert.rejects(() => store.remove("b" as never), /identities must be iterable/);
    assert.equal(await store.count(), 1);
    await store.close();
  });

  await step("scan: every item in id order, in chunks, a consistent snapshot", async () => {
    const place = kind.place();
    const store = await kind.open(place, { dim: 2, fingerprint: "model-1" });
    const ids = await store.add(
      Array.from({ length: 23 }, (_, i) => ({
        identity: `p${i % 5}`,
        embeddings: new Float32Array([i, -i]),
      })),
    );
    for (const rows of [1, 4, 23, 100]) {
      const all = await readAll(store, rows);
      assert.deepEqual(all.ids, ids);
      assert.deepEqual(all.identities, ids.map((_, i) => `p${i % 5}`));
      assert.deepEqual(all.values, bitsOf(Float32Array.from(ids.flatMap((_, i) => [i, -i]))));
    }
    // A write while a scan is under way (through another connection where the store has
    // them) does not change what the scan reads. (The write may wait for the scan's end: it is
    // not awaited until the scan is done.)
    await snapshotAgainst(
      store,
      kind.persistent ? await kind.open(place, { dim: 2, fingerprint: "model-1" }) : store,
      ids,
    );
    // a scan left early ends cleanly, and the store goes on
    for await (const _ of store.scan(2)) break;
    assert.equal(await store.count(), 19);
    await assert.rejects(async () => {
      for await (const _ of store.scan(0)) break;
    }, /rows must be a positive integer/);
    await store.close();
  });

  await step("a scan is a snapshot even against writes through the same store", async () => {
    const store = await fresh(2);
    const ids = await store.add(
      Array.from({ length: 23 }, (_, i) => ({
        identity: `p${i % 5}`,
        embeddings: new Float32Array([i, -i]),
      })),
    );
    await snapshotAgainst(store, store, ids);
    await store.close();
  });

  await step("bad arguments are refused, naming the argument and value", async () => {
    await assert.rejects(() => kind.open(kind.place(), { dim: 0, fingerprint: "m" }), /dim.*0/);
    await assert.rejects(() => kind.open(kind.place(), { dim: 2, fingerprint: "" }), /fingerprint/);
    const store = await fresh(2);
    await assert.rejects(() => store.embeddings(7 as never), /identity must be a non-empty string/);
    await assert.rejects(
      () => store.add([{ identity: "x", embeddings: [1, 2] as never }]),
      /Float32Array/,
    );
    await assert.rejects(
      () => store.add([{ identity: "x", embeddings: new Float32Array([1, Infinity]) }]),
      /finite/,
    );
    await store.close();
    await assert.rejects(() => store.count(), /closed/);
    await assert.rejects(() => store.add([]), /closed/);
  });

  await step("distances are recorded: cosine and dot stores say so", async () => {
    for (const distance of [cosine, dot]) {
      const store = await fresh(2, "m", distance);
      assert.equal(store.distance, distance.name);
      await store.close();
    }
  });

  if (!kind.persistent) return;

  await step("a fingerprint round-trips exactly (NUL, lone surrogates)", async () => {
    for (const fingerprint of ["fp\0 model", "\ud800", "a\udc00b"]) {
      const place = kind.place();
      await (await kind.open(place, { dim: 1, fingerprint })).close();
      const again = await kind.open(place, { dim: 1, fingerprint });
      assert.equal(again.fingerprint, fingerprint);
      await again.close();
      const other = fingerprint.replace(/[\0\ud800\udc00]/, "\udbff");
      await assert.rejects(() => kind.open(place, { dim: 1, fingerprint: other }), /fingerprint/);
    }
  });

  await step("a reopened store has the data; fingerprint, dim and distance enforced", async () => {
    const place = kind.place();
    const fingerprint = "model-\u00e9";
    const first = await kind.open(place, { dim: 2, fingerprint, distance: cosine });
    await first.add([{ identity: "\udc00", embeddings: new Float32Array([0.5, -2]) }]);
    await first.close();
    await assert.rejects(
      () => kind.open(place, { dim: 2, fingerprint: "other", distance: cosine }),
      /fingerprint/,
    );
    await assert.rejects(
      () => kind.open(place, { dim: 3, fingerprint, distance: cosine }),
      /dim 3/,
    );
    await assert.rejects(() => kind.open(place, { dim: 2, fingerprint }), /distance 'euclidean'/);
    const again = await kind.open(place, { dim: 2, fingerprint, distance: cosine });
    assert.deepEqual(await again.identities(), ["\udc00"]);
    assert.deepEqual([...await again.embeddings("\udc00")], [0.5, -2]);
    await again.close();
  });

  await step("a second connection sees the first's commits and its revision changes", async () => {
    const place = kind.place();
    const one = await kind.open(place, { dim: 1, fingerprint: "m" });
    const two = await kind.open(place, { dim: 1, fingerprint: "m" });
    const before = await two.revision();
    await one.add([{ identity: "a", embeddings: new Float32Array([1]) }]);
    assert.notEqual(await two.revision(), before);
    assert.deepEqual(await two.identities(), ["a"]);
    const mid = await two.revision();
    await one.remove(["a"]);
    assert.notEqual(await two.revision(), mid);
    assert.equal(await two.count(), 0);
    await one.close();
    await two.close();
  });

  if (kind.childArgs === undefined) return;
  const childArgs = kind.childArgs;

  await step("kill -9 mid-enrolment leaves exactly the committed data", async () => {
    {
      const place = kind.place();
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          new URL("./_conformance_crash_child.ts", import.meta.url).pathname,
          ...childArgs(place),
        ],
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let text = "";
      while (!text.includes("writing\n")) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
      // The big enrolment is under way; where the kind can tell, wait for its transaction.
      const until = Date.now() + 10_000;
      while (kind.inTransaction !== undefined && !kind.inTransaction() && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 5));
      }
      const midTransaction = kind.inTransaction?.() ?? true;
      child.kill("SIGKILL");
      const status = await child.status;
      await reader.cancel();
      const stderr = await new Response(child.stderr).text();
      assert.equal(status.signal, "SIGKILL", stderr);
      assert.ok(text.startsWith("committed 3\nwriting\n"), `child said ${JSON.stringify(text)}`);
      assert.ok(midTransaction, "the kill must come while the big transaction is open");

      // Let the server notice the dropped connection (it rolls the transaction back).
      const deadline = Date.now() + 10_000;
      while (kind.inTransaction?.() === true && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const store = await kind.open(place, { dim: CRASH_DIM, fingerprint: "crash-model" });
      assert.deepEqual(await store.identities(), ["c0", "c1", "c2"]);
      assert.equal(await store.count(), 3 * 3);
      for (let i = 0; i < 3; i++) {
        const expected = new Float32Array(3 * CRASH_DIM);
        for (let r = 0; r < 3; r++) expected.set(crashRow(i, r, CRASH_DIM), r * CRASH_DIM);
        assert.deepEqual(bitsOf(await store.embeddings(`c${i}`)), bitsOf(expected));
      }
      // and it takes writes again
      await store.add([{ identity: "after", embeddings: new Float32Array(CRASH_DIM) }]);
      assert.equal(await store.count(), 10);
      await store.close();
    }
  });
}

/** Scans `store` while `writer` removes and adds: the scan must read exactly `ids` (p0..p4). */
async function snapshotAgainst(
  store: AsyncGalleryStore,
  writer: AsyncGalleryStore,
  ids: readonly number[],
): Promise<void> {
  const seen: number[] = [];
  let write: Promise<unknown> | undefined;
  for await (const chunk of store.scan(5)) {
    seen.push(...chunk.ids);
    write ??= writer.remove(["p1"]).then(() =>
      writer.add([{ identity: "late", embeddings: new Float32Array([0, 0]) }])
    );
  }
  await write;
  assert.deepEqual(seen, ids);
  assert.equal(await store.count(), ids.length - 5 + 1);
  if (writer !== store) await writer.close();
}
