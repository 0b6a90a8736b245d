// sqliteStore opens only a new (empty) file or a likeness gallery: another program's database
// is refused before anything is written to it, and every store error names the file.
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { openGallery, sqliteStore } from "../../lib/gallery/mod.ts";

const tmp = Deno.makeTempDirSync({ prefix: "likeness-foreign-test-" });
globalThis.addEventListener("unload", () => Deno.removeSync(tmp, { recursive: true }));
let serial = 0;
const fresh = (name = "x.db") =>
  `${Deno.makeTempDirSync({ dir: tmp, prefix: `${serial++}-` })}/${name}`;

/** The bytes of a file and of its -wal/-shm/-journal companions (absent ones as null). */
function snapshot(path: string) {
  const read = (p: string) => {
    try {
      return Deno.readFileSync(p);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
  };
  return ["", "-wal", "-shm", "-journal"].map((suffix) => read(path + suffix));
}

/** Escapes a path for use in a RegExp. */
const quoted = (path: string) => JSON.stringify(path).replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** Makes a database as another program would: a table of its own, rollback journal. */
function foreignDb(path: string, setup: string) {
  const db = new DatabaseSync(path);
  db.exec(setup);
  db.close();
}

Deno.test("another program's database is refused before any write (no WAL, no tables)", () => {
  const cases: [string, string, RegExp][] = [
    [
      "a table of its own",
      "CREATE TABLE users (name TEXT); INSERT INTO users VALUES ('ann')",
      /it holds 'users'/,
    ],
    [
      "many tables",
      Array.from({ length: 7 }, (_, i) => `CREATE TABLE t${i} (x);`).join(""),
      /it holds 't0', 't1', 't2', 't3', 't4' and 2 more/,
    ],
    [
      "a gallery's tables among its own",
      "CREATE TABLE likeness_gallery_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);" +
      "CREATE TABLE likeness_gallery_items (id INTEGER PRIMARY KEY, identity, embedding);" +
      "INSERT INTO likeness_gallery_meta VALUES ('format', 'likeness-gallery/1');" +
      "CREATE TABLE orders (n)",
      /it holds 'orders'/,
    ],
    ["no tables but a user version", "PRAGMA user_version = 3", /user version 3/],
    ["no tables but an application id", "PRAGMA application_id = 42", /application id is 42/],
    ["a view only", "CREATE VIEW v AS SELECT 1", /it holds 'v'/],
    [
      "half of a gallery's tables",
      "CREATE TABLE likeness_gallery_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
      /lacks the gallery's tables \(it has 'likeness_gallery_meta'\)/,
    ],
  ];
  for (const [what, setup, reason] of cases) {
    const path = fresh();
    foreignDb(path, setup);
    const before = snapshot(path);
    assert.throws(
      () => sqliteStore(path, { dim: 2, fingerprint: "m" }),
      new RegExp(
        `^Error: Cannot open gallery ${
          quoted(path)
        } as it is a database of another program, not a likeness gallery: .*${reason.source}`,
      ),
      what,
    );
    assert.deepEqual(snapshot(path), before, `${what}: the file must be left as it was`);
    const db = new DatabaseSync(path, { readOnly: true });
    const mode = db.prepare("PRAGMA journal_mode").get() as { journal_mode: string };
    const names = db.prepare("SELECT name FROM sqlite_schema WHERE name LIKE 'likeness%'").all();
    db.close();
    assert.equal(mode.journal_mode, "delete", `${what}: journal mode`);
    assert.ok(!setup.includes("likeness") || names.length > 0);
    if (!setup.includes("likeness")) assert.deepEqual(names, [], `${what}: no table added`);
  }
});

Deno.test("a new path, an empty file and an empty database all become galleries", () => {
  const emptyDb = fresh();
  foreignDb(emptyDb, "CREATE TABLE gone (x); DROP TABLE gone");
  const emptyFile = fresh();
  Deno.writeFileSync(emptyFile, new Uint8Array(0));
  for (const path of [fresh(), emptyFile, emptyDb]) {
    const g = openGallery(sqliteStore(path, { dim: 1, fingerprint: "m" }));
    g.enrol("a", [[1]]);
    g.close();
    const again = sqliteStore(path, { dim: 1, fingerprint: "m" });
    assert.deepEqual(again.identities(), ["a"]);
    again.close();
  }
});

Deno.test("a file that is not a database is refused with its name, and left as it was", () => {
  const cases: [string, Uint8Array][] = [
    ["text", new TextEncoder().encode("name,score\nann,3\n".repeat(400))],
    ["zeros", new Uint8Array(8192)],
    ["random bytes", crypto.getRandomValues(new Uint8Array(8192))],
    ["a SQLite header alone", new TextEncoder().encode("SQLite format 3\0")],
  ];
  for (const [what, bytes] of cases) {
    const path = fresh();
    Deno.writeFileSync(path, bytes);
    assert.throws(
      () => sqliteStore(path, { dim: 2, fingerprint: "m" }),
      new RegExp(`^Error: Cannot open gallery ${quoted(path)}: `),
      what,
    );
    assert.deepEqual(Deno.readFileSync(path), bytes, `${what}: unchanged`);
  }
  const path = fresh();
  Deno.writeTextFileSync(path, "hello, I am a text file ".repeat(100));
  assert.throws(
    () => sqliteStore(path, { dim: 2, fingerprint: "m" }),
    new RegExp(
      `^Error: Cannot open gallery ${
        quoted(path)
      }: the file is not a SQLite database \\(or is encrypted or damaged\\)$`,
    ),
  );
});

/** A closed gallery file of `rows` items (checkpointed: everything is in the main file). */
function galleryFile(rows: number): string {
  const path = fresh("g.db");
  const g = openGallery(sqliteStore(path, { dim: 32, fingerprint: "m" }));
  g.enrolMany(
    Array.from({ length: rows }, (_, i) => ({
      identity: `person ${i % 50}`,
      embeddings: [new Float32Array(32).fill(i)],
    })),
  );
  g.close();
  assert.equal(snapshot(path)[1], null, "the log was checkpointed on close");
  return path;
}

/** Runs every reading and writing operation; each works or throws an Error naming the file. */
function everyOperationNamesTheFile(path: string, what: string): string[] {
  const outcomes: string[] = [];
  const check = (op: string, body: () => unknown) => {
    try {
      body();
      outcomes.push(`${op}: ok`);
    } catch (error) {
      assert.ok(error instanceof Error, `${what}, ${op}: ${String(error)}`);
      // What the gallery says about what it could read (nothing, or not that identity).
      if (/as the gallery is empty|as it is not enrolled/.test(error.message)) {
        outcomes.push(`${op}: refused`);
        return;
      }
      assert.ok(
        !(error instanceof TypeError) || error.message.includes(JSON.stringify(path)),
        `${what}, ${op}: a raw TypeError: ${error.message}`,
      );
      assert.ok(
        error.message.includes(JSON.stringify(path)),
        `${what}, ${op}: the error must name the file: ${error.message}`,
      );
      outcomes.push(`${op}: error`);
    }
  };
  let store: ReturnType<typeof sqliteStore> | undefined;
  check("open", () => store = sqliteStore(path, { dim: 32, fingerprint: "m" }));
  if (store === undefined) return outcomes;
  const g = openGallery(store, { threshold: 1, cache: false });
  const q = new Float32Array(32).fill(3);
  check("count", () => g.count());
  check("identities", () => g.identities());
  check("identify", () => g.identify(q, 3));
  check("similar", () => g.similar(q, 3));
  check("verify", () => g.verify("person 3", q));
  check("scan", () => [...store!.scan(100)]);
  check("enrol", () => g.enrol("new", [q]));
  check("remove", () => g.remove("person 4"));
  check("revision", () => store!.revision());
  g.close();
  return outcomes;
}

Deno.test("a truncated or damaged gallery gives errors naming the file, never a raw TypeError", () => {
  const original = galleryFile(3000);
  const bytes = Deno.readFileSync(original);
  const damaged: [string, Uint8Array][] = [];
  for (
    const size of [50, 100, 1024, 4096, 4097, Math.floor(bytes.length / 2), bytes.length - 4096]
  ) {
    damaged.push([`truncated to ${size} bytes`, bytes.slice(0, size)]);
  }
  for (const page of [1, 2, 5, Math.floor(bytes.length / 4096) - 2]) {
    const copy = bytes.slice();
    const junk = new Uint8Array(4096);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 131 + page * 17) & 0xff;
    copy.set(junk, page * 4096);
    damaged.push([`page ${page} overwritten`, copy]);
  }
  const header = bytes.slice();
  header.set(new Uint8Array(20).fill(0xee), 20);
  damaged.push(["header fields overwritten", header]);
  let errors = 0;
  for (const [what, content] of damaged) {
    const path = fresh("g.db");
    Deno.writeFileSync(path, content);
    const outcomes = everyOperationNamesTheFile(path, what);
    errors += outcomes.filter((o) => o.endsWith("error")).length;
  }
  assert.ok(errors >= damaged.length - 2, `damage must be noticed, saw ${errors} errors`);
});

Deno.test("a file the process may not open is reported with its name", async () => {
  const path = galleryFile(3);
  // Without --allow-read, the permission error names the gallery.
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", new URL("./_open_child.ts", import.meta.url).pathname, path],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  });
  const { stdout } = await child.output();
  const said = new TextDecoder().decode(stdout).trim();
  assert.match(said, new RegExp(`^Error: Cannot open gallery ${quoted(path)}: .*read access`));
  // A folder where the file should be.
  const dir = fresh("folder.db");
  Deno.mkdirSync(dir);
  assert.throws(
    () => sqliteStore(dir, { dim: 1, fingerprint: "m" }),
    new RegExp(`^Error: Cannot open gallery ${quoted(dir)}: `),
  );
  // A file in a folder that does not exist.
  const missing = `${tmp}/no/such/folder/g.db`;
  assert.throws(
    () => sqliteStore(missing, { dim: 1, fingerprint: "m" }),
    new RegExp(`^Error: Cannot open gallery ${quoted(missing)}: `),
  );
});

Deno.test("rows damaged inside the file give errors naming the file and the item", () => {
  const cases: [string, string, RegExp][] = [
    [
      "a short embedding",
      "UPDATE likeness_gallery_items SET embedding = x'000000' WHERE id = 2",
      /stored embedding of item 2 must have 128 bytes \(dim 32\): current value is 3 bytes/,
    ],
    [
      "an embedding that is text",
      "UPDATE likeness_gallery_items SET embedding = 'oops' WHERE id = 2",
      /stored embedding of item 2 must have 128 bytes \(dim 32\): current value is 'oops'/,
    ],
    [
      "an odd-sized identity blob",
      "UPDATE likeness_gallery_items SET identity = x'414243' WHERE id = 2",
      /a stored identity blob must have an even size \(UTF-16\): current size is 3 bytes/,
    ],
  ];
  for (const [what, sql, reason] of cases) {
    const path = galleryFile(3);
    foreignDb(path, sql);
    const store = sqliteStore(path, { dim: 32, fingerprint: "m" });
    const g = openGallery(store, { threshold: 1 });
    assert.throws(
      () => g.identify(new Float32Array(32), 3),
      new RegExp(`^Error: Cannot read gallery ${quoted(path)} as `),
      what,
    );
    assert.throws(() => [...store.scan(10)], reason, what);
    g.close();
  }
});
