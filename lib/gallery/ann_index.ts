import type { GalleryIndex } from "./types.ts";
import { type AnnSettings, loadNative, register } from "./_ann.ts";
import { show } from "./_validate.ts";

/** Options of {@linkcode hnswIndex}. */
export interface HnswIndexOptions {
  /**
   * Where to keep the index between runs, beside the store (e.g. `gallery.db.hnsw` next to
   * `gallery.db`). It is written atomically when built and when the gallery closes,
   * rebuilt when it no longer matches the store (another model's fingerprint, other items,
   * other settings), and refused with an error when it is not a likeness index or is
   * damaged. Default: none (the index lives in memory and is rebuilt on each open).
   */
  readonly path?: string;
  /**
   * Galleries with fewer items than this are searched exactly (default 10,000: below it
   * exact search answers single queries in about a millisecond and there is nothing to
   * gain).
   */
  readonly threshold?: number;
  /** Links per node of the HNSW graph, `M` (default 16). */
  readonly connectivity?: number;
  /** Candidate list while inserting, `efConstruction` (default 128). */
  readonly expansionAdd?: number;
  /**
   * Candidates fetched from the graph and re-scored exactly per query, `ef` (default 128;
   * at least `k`): larger is slower and finds more of the true neighbours (see
   * `bench/gallery.ts --ann` for measured recall). It is a search setting: changing it
   * does not rebuild the index file.
   */
  readonly expansionSearch?: number;
  /** Threads used to build and to answer batches (default 0: all cores). */
  readonly threads?: number;
}

const defaults = {
  threshold: 10_000,
  connectivity: 16,
  expansionAdd: 128,
  expansionSearch: 128,
  threads: 0,
};

function integer(value: unknown, name: string, least: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < least) {
    throw new RangeError(
      `Cannot make an HNSW index as options.${name} must be an integer of at least ${least}: current value is ${
        show(value)
      }`,
    );
  }
  return value;
}

/**
 * An approximate nearest-neighbour index (HNSW, through the native `usearch` engine) for
 * `openGallery(store, { index })`: identification over "all" templates and `similar`
 * search then visit a small part of the gallery instead of all of it. The gallery's API does
 * not change; answers carry exact distances (candidates are re-scored in float64), and an
 * identity or item is missed only when the graph does not reach it. Recall is measured,
 * not assumed (`deno run -A bench/gallery.ts --ann`): at 100k × 32 with the default
 * `expansionSearch` 128, recall@10 against exact search is 0.98 for queries near an
 * enrolled sample and 0.945 for unrelated random queries (the worst case); at 1M × 32,
 * `expansionSearch` 256 gives 0.96 and 0.93, at ~50× exact search's queries per second.
 * Raise `expansionSearch` with the gallery's size.
 *
 * The index follows the gallery: enrolments are added to it and removals taken out of it
 * as they happen; a change made by another process (or an index file that no longer
 * matches the store) makes it rebuild from the store. Below `threshold` items, with
 * `"mean"` templates, a `k` beyond a quarter of the gallery, and for distances without an
 * HNSW form (manhattan, user-defined: refused at open), search stays exact.
 *
 * Loading the native engine needs `--allow-ffi --allow-read --allow-env --allow-sys`; it
 * is loaded by this call, never by importing likeness.
 *
 * @example
 * ```ts
 * import { hnswIndex } from "./ann_index.ts";
 * import { memoryStore } from "./memory_store.ts";
 * import { openGallery } from "./open_gallery.ts";
 * const index = await hnswIndex({ threshold: 100 });
 * const gallery = openGallery(memoryStore({ dim: 2, fingerprint: "m" }), { index });
 * // 400 identities on a circle; identity i sits at angle i
 * gallery.enrolMany(Array.from({ length: 400 }, (_, i) => ({
 *   identity: `id${i}`,
 *   embeddings: [[Math.cos(i), Math.sin(i)]],
 * })));
 * const [best] = gallery.identify([Math.cos(7), Math.sin(7)], 1);
 * if (best.identity !== "id7" || best.distance > 1e-7) throw new Error(`${best.identity}`);
 * gallery.remove("id7");
 * if (gallery.identify([Math.cos(7), Math.sin(7)], 1)[0].identity === "id7") throw new Error("removed");
 * ```
 */
export async function hnswIndex(options: HnswIndexOptions = {}): Promise<GalleryIndex> {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `Cannot make an HNSW index as options must be an object: current value is ${show(options)}`,
    );
  }
  const path = options.path;
  if (path !== undefined && (typeof path !== "string" || path.length === 0)) {
    throw new TypeError(
      `Cannot make an HNSW index as options.path must be a non-empty string: current value is ${
        show(path)
      }`,
    );
  }
  const settings: AnnSettings = {
    path,
    threshold: integer(options.threshold, "threshold", 0, defaults.threshold),
    connectivity: integer(options.connectivity, "connectivity", 2, defaults.connectivity),
    expansionAdd: integer(options.expansionAdd, "expansionAdd", 1, defaults.expansionAdd),
    expansionSearch: integer(
      options.expansionSearch,
      "expansionSearch",
      1,
      defaults.expansionSearch,
    ),
    threads: integer(options.threads, "threads", 0, defaults.threads),
  };
  const native = await loadNative();
  const index: GalleryIndex = Object.freeze({ kind: "hnsw" as const, ...settings });
  register(index, { native, settings });
  return index;
}
