/**
 * Gallery benchmark: identify against 100k enrolled 32-d templates with batched queries,
 * reporting queries per second and resident memory before and after; with `--ann`, exact
 * search against the HNSW index (`hnswIndex`) at 100k and 1M items: build time, memory,
 * queries/s single and batched, recall@1 and recall@10 against exact search.
 *
 *     deno run -A bench/gallery.ts
 *     deno run -A bench/gallery.ts --ann [--sizes 100000,1000000] [--ef 32,64,128]
 *     deno run -A bench/gallery.ts --metrics [--rows 100000]
 *
 * @module
 */
import { useBackend } from "../lib/backend/mod.ts";
import { cosine, type Distance, euclidean } from "../lib/distances/mod.ts";
import {
  type GalleryStore,
  type ItemMatch,
  memoryStore,
  openGallery,
  sqliteStore,
  type TemplateMode,
} from "../lib/gallery/mod.ts";
import { hnswIndex } from "../lib/gallery/ann_index.ts";

/** One measured configuration. */
export interface GalleryBenchRow {
  /**
   * `memory`: memoryStore with the in-memory search copy (the default); `sqlite-stream`:
   * sqliteStore opened with `cache: false`, every search streams the file.
   */
  readonly store: "memory" | "sqlite-stream";
  readonly backend: string;
  /** The distance's name. */
  readonly distance: string;
  readonly templates: TemplateMode;
  readonly gallery: number;
  readonly dim: number;
  readonly queries: number;
  /** Queries per identifyBatch call (1 = one identify call per query). */
  readonly batch: number;
  readonly queriesPerSecond: number;
  /**
   * Queries per second of CPU time this process used (Linux): what one otherwise idle core
   * would give, since the search is single-threaded; NaN where /proc is unreadable.
   */
  readonly queriesPerCpuSecond: number;
  /** Share of queries whose rank-1 identity is the one they were drawn from. */
  readonly rank1: number;
  /** Seconds to enrol and to build the searchable index (first query). */
  readonly enrolSeconds: number;
  readonly indexSeconds: number;
  readonly rssBeforeMiB: number;
  readonly rssAfterMiB: number;
  readonly rssPeakDeltaMiB: number;
  /** The machine's 1-minute load average after the run (other processes share the CPUs). */
  readonly load1: number;
}

/** Options of {@linkcode benchGallery}. */
export interface GalleryBenchOptions {
  readonly gallery?: number;
  readonly dim?: number;
  readonly queries?: number;
  readonly batches?: readonly number[];
  readonly distances?: readonly Distance[];
  readonly backend?: "wasm" | "cpu";
  /** Add the row that streams from SQLite (default true). */
  readonly sqlite?: boolean;
  readonly seed?: number;
}

/** A small seeded generator (mulberry32) with a Box–Muller normal. */
function normals(seed: number) {
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

const mib = (bytes: number) => Math.round(bytes / 2 ** 20);

/** CPU seconds (user + system, all threads) this process has used, from /proc. */
function cpuSeconds(): number {
  try {
    const stat = Deno.readTextFileSync("/proc/self/stat");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in 1/100 s ticks
  } catch {
    return NaN;
  }
}

/** Runs the benchmark; one row per (distance, batch size), plus one streaming from SQLite. */
export async function benchGallery(options: GalleryBenchOptions = {}): Promise<GalleryBenchRow[]> {
  const n = options.gallery ?? 100_000;
  const dim = options.dim ?? 32;
  const nq = options.queries ?? 2_000;
  const backend = (await useBackend(options.backend ?? "wasm")).name;
  const normal = normals(options.seed ?? 1);
  // Unit-length templates (as an l2-normalised embedding would give), one per identity,
  // and queries = a template plus noise.
  const templates = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    let sq = 0;
    for (let t = 0; t < dim; t++) {
      const v = normal();
      templates[i * dim + t] = v;
      sq += v * v;
    }
    for (let t = 0; t < dim; t++) templates[i * dim + t] /= Math.sqrt(sq);
  }
  const truth = Array.from({ length: nq }, (_, i) => (i * 7919) % n);
  const queries = new Float32Array(nq * dim);
  truth.forEach((who, i) => {
    for (let t = 0; t < dim; t++) {
      queries[i * dim + t] = templates[who * dim + t] + 0.05 * normal();
    }
  });
  const configs: { store: GalleryBenchRow["store"]; distance: Distance; batch: number }[] = [];
  for (const distance of options.distances ?? [euclidean, cosine]) {
    for (const batch of options.batches ?? [1, 256, 1000]) {
      configs.push({ store: "memory", distance, batch });
    }
  }
  if (options.sqlite ?? true) {
    configs.push({ store: "sqlite-stream", distance: euclidean, batch: 1000 });
  }
  const rows: GalleryBenchRow[] = [];
  for (const { store: kind, distance, batch } of configs) {
    (globalThis as { gc?: () => void }).gc?.();
    const rssBefore = Deno.memoryUsage().rss;
    const path = kind === "memory" ? "" : Deno.makeTempFileSync({ suffix: ".db" });
    const store: GalleryStore = kind === "memory"
      ? memoryStore({ dim, fingerprint: "bench", distance })
      : sqliteStore(path, { dim, fingerprint: "bench", distance });
    const gallery = openGallery(store, { distance, cache: kind === "memory" });
    let t0 = performance.now();
    gallery.enrolMany(
      (function* () {
        for (let i = 0; i < n; i++) {
          yield { identity: `id${i}`, embeddings: templates.subarray(i * dim, (i + 1) * dim) };
        }
      })(),
    );
    const enrolSeconds = (performance.now() - t0) / 1000;
    t0 = performance.now();
    gallery.identify(queries.subarray(0, dim), 1);
    const indexSeconds = (performance.now() - t0) / 1000;
    // Single queries are slow by design: time fewer of them.
    const count = batch === 1 ? Math.min(nq, 50) : nq;
    let peak = Deno.memoryUsage().rss;
    let hits = 0;
    const cpu0 = cpuSeconds();
    t0 = performance.now();
    for (let q0 = 0; q0 < count; q0 += batch) {
      const size = Math.min(batch, count - q0);
      const block = queries.subarray(q0 * dim, (q0 + size) * dim);
      const ranked = size === 1 && batch === 1
        ? [gallery.identify(block, 5)]
        : gallery.identifyBatch(block, 5);
      ranked.forEach((r, i) => {
        if (r[0].identity === `id${truth[q0 + i]}`) hits++;
      });
      peak = Math.max(peak, Deno.memoryUsage().rss);
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds() - cpu0;
    const rssAfter = Deno.memoryUsage().rss;
    rows.push({
      store: kind,
      backend,
      distance: distance.name,
      templates: "all",
      gallery: n,
      dim,
      queries: count,
      batch,
      queriesPerSecond: Math.round(count / seconds),
      queriesPerCpuSecond: Math.round(count / cpu),
      rank1: hits / count,
      enrolSeconds: +enrolSeconds.toFixed(2),
      indexSeconds: +indexSeconds.toFixed(2),
      rssBeforeMiB: mib(rssBefore),
      rssAfterMiB: mib(rssAfter),
      rssPeakDeltaMiB: mib(peak - rssBefore),
      load1: +Deno.loadavg()[0].toFixed(1),
    });
    gallery.close();
    if (path !== "") {
      for (const suffix of ["", "-wal", "-shm"]) {
        try {
          Deno.removeSync(path + suffix);
        } catch {
          // absent after a clean close
        }
      }
    }
  }
  return rows;
}

/** One measured search method at one gallery size (see {@linkcode benchAnn}). */
export interface AnnBenchRow {
  /** `exact`, or `hnsw ef=<expansionSearch>`. */
  readonly method: string;
  /** `random`: unit vectors and unrelated random queries (the worst case); `near`: queries are a stored vector plus noise (identification). */
  readonly data: "random" | "near";
  readonly distance: string;
  readonly gallery: number;
  readonly dim: number;
  /**
   * Seconds to make the searchable form (exact: the in-memory copy; hnsw: build the graph
   * for the first ef, read it back from its file for the others).
   */
  readonly buildSeconds: number;
  /** Resident memory it added (MiB). */
  readonly memoryMiB: number;
  /** Queries per second, one `similar` call per query. */
  readonly singleQps: number;
  /** Queries per second, `similarBatch` of 1000 queries. */
  readonly batchQps: number;
  /** Share of queries whose exact nearest item is the first answer. */
  readonly recallAt1: number;
  /** Mean share of the exact 10 nearest items among the 10 answers. */
  readonly recallAt10: number;
  /** Queries the recall is measured over. */
  readonly recallQueries: number;
  readonly load1: number;
}

/** Options of {@linkcode benchAnn}. */
export interface AnnBenchOptions {
  readonly sizes?: readonly number[];
  readonly dim?: number;
  /** `expansionSearch` values to measure (one graph, searched with each). */
  readonly ef?: readonly number[];
  readonly distance?: Distance;
  readonly data?: readonly ("random" | "near")[];
  readonly seed?: number;
}

/**
 * Exact search against the HNSW index on the same gallery: for each size, the exact
 * searches (single queries are sampled at large sizes) give the ground truth that the
 * index's recall is measured against.
 */
export async function benchAnn(options: AnnBenchOptions = {}): Promise<AnnBenchRow[]> {
  const dim = options.dim ?? 32;
  const distance = options.distance ?? euclidean;
  const kinds = options.data ?? ["random", "near"];
  await useBackend("wasm");
  const rows: AnnBenchRow[] = [];
  const file = Deno.makeTempFileSync({ suffix: ".hnsw" });
  Deno.removeSync(file);
  const gc = () => (globalThis as { gc?: () => void }).gc?.();
  const load1 = () => +Deno.loadavg()[0].toFixed(1);
  for (const n of options.sizes ?? [100_000, 1_000_000]) {
    const normal = normals((options.seed ?? 1) + n);
    const unit = (out: Float32Array, at: number) => {
      let sq = 0;
      for (let t = 0; t < dim; t++) {
        const v = normal();
        out[at + t] = v;
        sq += v * v;
      }
      for (let t = 0; t < dim; t++) out[at + t] /= Math.sqrt(sq);
    };
    // Unit-length templates, one per identity; the same gallery for both query sets.
    const templates = new Float32Array(n * dim);
    for (let i = 0; i < n; i++) unit(templates, i * dim);
    const nq = 1000;
    const queries = {} as Record<"random" | "near", Float32Array>;
    for (const data of kinds) {
      const q = new Float32Array(nq * dim);
      for (let i = 0; i < nq; i++) {
        if (data === "random") unit(q, i * dim);
        else {
          const who = (i * 7919) % n;
          for (let t = 0; t < dim; t++) q[i * dim + t] = templates[who * dim + t] + 0.05 * normal();
        }
      }
      queries[data] = q;
    }
    const store = memoryStore({ dim, fingerprint: "bench", distance });
    store.add(
      (function* () {
        for (let i = 0; i < n; i++) {
          yield { identity: `id${i}`, embeddings: templates.subarray(i * dim, (i + 1) * dim) };
        }
      })(),
    );
    const base = { distance: distance.name, gallery: n, dim };
    // Exact: the ground truth. At 1M a sample of the queries (single ones are slow).
    const exact = openGallery(store, { distance });
    gc();
    let rss = Deno.memoryUsage().rss;
    let t0 = performance.now();
    exact.similar(templates.subarray(0, dim), 1);
    const exactBuild = +((performance.now() - t0) / 1000).toFixed(2);
    const exactMiB = mib(Deno.memoryUsage().rss - rss);
    const sample = n >= 1_000_000 ? 200 : 1000;
    const singles = n >= 1_000_000 ? 10 : 40;
    const truth = {} as Record<"random" | "near", ItemMatch[][]>;
    for (const data of kinds) {
      const q = queries[data];
      t0 = performance.now();
      truth[data] = exact.similarBatch(q.subarray(0, sample * dim), 10);
      const batchQps = sample / ((performance.now() - t0) / 1000);
      t0 = performance.now();
      for (let i = 0; i < singles; i++) exact.similar(q.subarray(i * dim, (i + 1) * dim), 10);
      const singleQps = singles / ((performance.now() - t0) / 1000);
      rows.push({
        method: "exact",
        data,
        ...base,
        buildSeconds: exactBuild,
        memoryMiB: exactMiB,
        singleQps: Math.round(singleQps),
        batchQps: Math.round(batchQps),
        recallAt1: 1,
        recallAt10: 1,
        recallQueries: sample,
        load1: load1(),
      });
      console.error(JSON.stringify(rows.at(-1)));
    }
    const recall = (data: "random" | "near", found: ItemMatch[][]) => {
      let at1 = 0, at10 = 0;
      for (let q = 0; q < sample; q++) {
        if (found[q][0]?.id === truth[data][q][0].id) at1++;
        const ids = new Set(found[q].map((m) => m.id));
        at10 += truth[data][q].filter((m) => ids.has(m.id)).length / 10;
      }
      return { recallAt1: +(at1 / sample).toFixed(4), recallAt10: +(at10 / sample).toFixed(4) };
    };
    // One graph, built once and written to a file; each ef reads it back.
    let first = true;
    for (const ef of options.ef ?? [32, 64, 128]) {
      gc();
      rss = Deno.memoryUsage().rss;
      const index = await hnswIndex({ path: file, expansionSearch: ef, threshold: 0 });
      const gallery = openGallery(store, { distance, index });
      t0 = performance.now();
      gallery.similar(templates.subarray(0, dim), 1);
      const build = +((performance.now() - t0) / 1000).toFixed(2);
      const memory = mib(Deno.memoryUsage().rss - rss);
      for (const data of kinds) {
        const q = queries[data];
        t0 = performance.now();
        const found = gallery.similarBatch(q, 10);
        const batchQps = nq / ((performance.now() - t0) / 1000);
        t0 = performance.now();
        for (let i = 0; i < nq; i++) gallery.similar(q.subarray(i * dim, (i + 1) * dim), 10);
        const singleQps = nq / ((performance.now() - t0) / 1000);
        rows.push({
          method: `hnsw ef=${ef}`,
          data,
          ...base,
          // the first ef builds the graph; later ones read it from the file (load time)
          buildSeconds: build,
          memoryMiB: first ? memory : NaN,
          singleQps: Math.round(singleQps),
          batchQps: Math.round(batchQps),
          ...recall(data, found),
          recallQueries: sample,
          load1: load1(),
        });
        console.error(JSON.stringify(rows.at(-1)));
      }
      first = false;
    }
    try {
      Deno.removeSync(file);
    } catch {
      // not written
    }
  }
  return rows;
}

/** One `metrics.retrievalMetrics` run (see {@linkcode benchRetrieval}). */
export interface RetrievalBenchRow {
  /** `exact` or `hnsw`. */
  readonly method: string;
  readonly rows: number;
  readonly dim: number;
  readonly seconds: number;
  readonly precisionAt1: number;
  readonly mapAtR: number;
  readonly knnAccuracy: number;
  /** The index's stated recall@10 (exact: 1). */
  readonly recallAt10: number;
  readonly load1: number;
}

/**
 * `retrievalMetrics` exact and through the HNSW index over `n` rows: `n / 5` classes of 5
 * noisy copies of a random vector (an identification-style set).
 */
export async function benchRetrieval(n = 100_000, dim = 32): Promise<RetrievalBenchRow[]> {
  const { retrievalMetrics } = await import("../lib/metrics/retrieval_metrics.ts");
  const normal = normals(5);
  const classes = Math.floor(n / 5);
  const centres = new Float32Array(classes * dim).map(() => normal() / Math.sqrt(dim));
  const embeddings = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const c = r % classes;
    labels[r] = c;
    for (let t = 0; t < dim; t++) {
      embeddings[r * dim + t] = centres[c * dim + t] + (0.5 * normal()) / Math.sqrt(dim);
    }
  }
  const set = { embeddings, labels, dim };
  const out: RetrievalBenchRow[] = [];
  for (const method of ["hnsw", "exact"]) {
    const t0 = performance.now();
    const m = retrievalMetrics(set, method === "hnsw" ? { index: await hnswIndex() } : {});
    out.push({
      method,
      rows: n,
      dim,
      seconds: +((performance.now() - t0) / 1000).toFixed(1),
      precisionAt1: +m.precisionAt1.toFixed(4),
      mapAtR: +m.mapAtR.toFixed(4),
      knnAccuracy: +m.knnAccuracy.toFixed(4),
      recallAt10: m.indexRecall?.recall ?? 1,
      load1: +Deno.loadavg()[0].toFixed(1),
    });
    console.error(JSON.stringify(out.at(-1)));
  }
  return out;
}

function printTable<T extends object>(rows: readonly T[]): void {
  const keys = Object.keys(rows[0]) as (keyof T)[];
  console.log(`| ${keys.join(" | ")} |`);
  console.log(`|${keys.map(() => "---").join("|")}|`);
  for (const row of rows) console.log(`| ${keys.map((k) => row[k]).join(" | ")} |`);
}

if (import.meta.main && Deno.args.includes("--metrics")) {
  const i = Deno.args.indexOf("--rows");
  printTable(await benchRetrieval(i < 0 ? undefined : Number(Deno.args[i + 1])));
} else if (import.meta.main && Deno.args.includes("--ann")) {
  const arg = (name: string) => {
    const i = Deno.args.indexOf(name);
    return i < 0 ? undefined : Deno.args[i + 1].split(",").map(Number);
  };
  printTable(await benchAnn({ sizes: arg("--sizes"), ef: arg("--ef") }));
} else if (import.meta.main) {
  const quick = Deno.args.includes("--quick");
  const rows = await benchGallery(quick ? { gallery: 20_000, queries: 500 } : {});
  const keys = Object.keys(rows[0]) as (keyof GalleryBenchRow)[];
  console.log(`| ${keys.join(" | ")} |`);
  console.log(`|${keys.map(() => "---").join("|")}|`);
  for (const row of rows) console.log(`| ${keys.map((k) => row[k]).join(" | ")} |`);
}
