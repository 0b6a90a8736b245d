// Child process of sqlite_store_test.ts: commits two enrolments, then starts one huge
// enrolMany transaction and announces it on stdout; the parent kills it with SIGKILL.
import { openGallery, sqliteStore } from "../../lib/gallery/mod.ts";

const path = Deno.args[0];
const gallery = openGallery(sqliteStore(path, { dim: 64, fingerprint: "crash-model" }));
const row = (v: number) => new Float32Array(64).fill(v);
gallery.enrol("alice", [row(1), row(2)]);
gallery.enrol("bob", [row(3)]);
const say = (text: string) => Deno.stdout.writeSync(new TextEncoder().encode(text + "\n"));
say("committed");

function* forever() {
  for (let i = 0;; i++) {
    // 4 rows of 64 floats per entry: megabytes are written before the announcement.
    yield { identity: `ghost${i}`, embeddings: [row(i), row(i), row(i), row(i)] };
    if (i === 20_000) say("writing");
  }
}
gallery.enrolMany(forever());
say("finished"); // never reached
