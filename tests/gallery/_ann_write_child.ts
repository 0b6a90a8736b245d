// Child process of ann_index_test.ts: builds an indexed SQLite gallery, then keeps
// enrolling and closing (each close rewrites the index file) until the parent kills it.
import { openGallery, sqliteStore } from "../../lib/gallery/mod.ts";
import { hnswIndex } from "../../lib/gallery/ann_index.ts";

const [db, file] = Deno.args;
const dim = 16;
const index = await hnswIndex({ path: file, threshold: 100 });
const row = (i: number) => Float32Array.from({ length: dim }, (_, t) => Math.sin(i * 31 + t));
const say = (text: string) => Deno.stdout.writeSync(new TextEncoder().encode(text + "\n"));
for (let round = 0;; round++) {
  const gallery = openGallery(sqliteStore(db, { dim, fingerprint: "m" }), { index });
  if (gallery.count() === 0) {
    gallery.enrolMany(Array.from({ length: 1500 }, (_, i) => ({
      identity: `id${i}`,
      embeddings: [row(i)],
    })));
  }
  gallery.identify(row(1), 1); // builds (or reads) the index
  gallery.enrol(`more${round}`, [row(5000 + round)]);
  gallery.close(); // writes the index file
  if (round === 0) say("writing");
}
