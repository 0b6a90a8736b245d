// removeGallery deletes a likeness gallery (and its companions) and nothing else.
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { openGallery, removeGallery, sqliteStore } from "../../lib/gallery/mod.ts";

const tmp = Deno.makeTempDirSync({ prefix: "likeness-remove-gallery-" });
globalThis.addEventListener("unload", () => Deno.removeSync(tmp, { recursive: true }));
let serial = 0;
const fresh = () => `${Deno.makeTempDirSync({ dir: tmp, prefix: `${serial++}-` })}/gallery.db`;
const quoted = (path: string) => JSON.stringify(path).replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const exists = (path: string) => {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
};

Deno.test("removeGallery deletes a gallery with its log, open or closed, and then a new one starts", () => {
  const path = fresh();
  assert.equal(removeGallery(path), false, "nothing there");
  const g = openGallery(sqliteStore(path, { dim: 1, fingerprint: "old-model" }));
  g.enrol("a", [[1]]);
  // Still open: the write-ahead log is beside the file.
  assert.ok(exists(`${path}-wal`));
  g.close();
  const kept = openGallery(sqliteStore(path, { dim: 1, fingerprint: "old-model" }));
  kept.enrol("b", [[2]]);
  assert.equal(removeGallery(path), true);
  kept.close();
  for (const suffix of ["", "-wal", "-shm", "-journal"]) assert.ok(!exists(path + suffix), suffix);
  // A gallery of another model and dim can now be made at the path.
  const fresh2 = sqliteStore(path, { dim: 3, fingerprint: "new-model" });
  assert.deepEqual(fresh2.identities(), []);
  fresh2.close();
  assert.equal(removeGallery(path), true);
});

Deno.test("removeGallery refuses anything that is not a likeness gallery, deleting nothing", () => {
  const cases: [string, (path: string) => void, RegExp][] = [
    [
      "another program's database",
      (p) => {
        const db = new DatabaseSync(p);
        db.exec("CREATE TABLE orders (id INTEGER); INSERT INTO orders VALUES (1)");
        db.close();
      },
      /as it is a database of another program, not a likeness gallery: it holds 'orders'\. Nothing was deleted$/,
    ],
    [
      "a text file",
      (p) => Deno.writeTextFileSync(p, "my notes\n".repeat(500)),
      /: the file is not a SQLite database \(or is encrypted or damaged\)$/,
    ],
    ["a folder", (p) => Deno.mkdirSync(p), /as it is not a file \(a folder or a device\)/],
    [
      "a gallery of another format",
      (p) => {
        const db = new DatabaseSync(p);
        db.exec(
          "CREATE TABLE likeness_gallery_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);" +
            "CREATE TABLE likeness_gallery_items (id INTEGER PRIMARY KEY, identity, embedding);" +
            "INSERT INTO likeness_gallery_meta VALUES ('format', 'likeness-gallery/9')",
        );
        db.close();
      },
      /as its format must be 'likeness-gallery\/1': current format is 'likeness-gallery\/9'/,
    ],
  ];
  for (const [what, make, reason] of cases) {
    const path = fresh();
    make(path);
    const before = Deno.statSync(path).isFile ? Deno.readFileSync(path) : null;
    assert.throws(
      () => removeGallery(path),
      new RegExp(`^Error: Cannot remove gallery ${quoted(path)}.*${reason.source}`),
      what,
    );
    assert.ok(exists(path), `${what} must still be there`);
    if (before !== null) assert.deepEqual(Deno.readFileSync(path), before, what);
  }
  // An empty file or an empty database is left alone (sqliteStore makes a gallery of it).
  const empty = fresh();
  Deno.writeFileSync(empty, new Uint8Array());
  assert.equal(removeGallery(empty), false);
  assert.ok(exists(empty));
  assert.throws(() => removeGallery(""), /path must be a non-empty string: current value is ''/);
});
