/**
 * Benchmark of the retrieval metrics (precision@1, R-precision, MAP@R, MAP, MRR, kNN) over
 * 10 000 clustered 32-d embeddings in 10 classes, the size of the Fashion-MNIST test set,
 * plus the CMC curve and the full `evaluate` block.
 *
 * Run: `deno run -A bench/metrics.ts` (prints a markdown table).
 *
 * @module
 */
import process from "node:process";
import { cmcCurve, evaluate, galleryProbeSplit, retrievalMetrics } from "../lib/metrics/mod.ts";
import type { EmbeddingSet } from "../lib/metrics/mod.ts";
import { cosine, type Distance, euclidean, manhattan } from "../lib/distances/mod.ts";

/** One benchmark result. */
export interface MetricsBenchRow {
  /** What was measured. */
  readonly name: string;
  /** Rows × dim of the set. */
  readonly size: string;
  /** Wall-clock milliseconds. */
  readonly ms: number;
  /** CPU milliseconds of this process (user + system): less noisy on a shared machine. */
  readonly cpuMs: number;
  /** A headline number of the result (to show the work was done). */
  readonly result: string;
}

/** Deterministic clustered embeddings: class centres plus noise (a small LCG, no Math.random). */
export function clusteredSet(
  n: number,
  dim: number,
  classes: number,
  options: { seed?: number; noise?: number } = {},
): EmbeddingSet {
  const seed = options.seed ?? 1, noise = options.noise ?? 0.8;
  let s = seed >>> 0;
  const uniform = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const gauss = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  const centres = Float64Array.from({ length: classes * dim }, gauss);
  const embeddings = new Float32Array(n * dim), labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const y = i % classes;
    labels[i] = y;
    for (let k = 0; k < dim; k++) embeddings[i * dim + k] = centres[y * dim + k] + noise * gauss();
  }
  return { embeddings, labels, dim };
}

function time<T>(f: () => T): [T, number, number] {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const out = f();
  const c = process.cpuUsage(c0);
  return [out, performance.now() - t0, (c.user + c.system) / 1000];
}

/** Runs the benchmark and returns its rows. */
export async function benchMetrics(
  options: { n?: number; dim?: number; classes?: number; distances?: Distance[] } = {},
): Promise<MetricsBenchRow[]> {
  const n = options.n ?? 10_000, dim = options.dim ?? 32, classes = options.classes ?? 10;
  const set = clusteredSet(n, dim, classes);
  const size = `${n} × ${dim}`;
  const rows: MetricsBenchRow[] = [];
  for (const distance of options.distances ?? [euclidean, cosine, manhattan]) {
    const [m, ms, cpuMs] = time(() => retrievalMetrics(set, { distance }));
    rows.push({
      name: `retrievalMetrics (${distance.name})`,
      size,
      ms,
      cpuMs,
      result: `P@1 ${m.precisionAt1.toFixed(3)}, MAP@R ${m.mapAtR.toFixed(3)}`,
    });
    await new Promise((r) => setTimeout(r, 0));
  }
  // heavily overlapping classes: the ranking work is largest when matches and non-matches mix
  const hard = clusteredSet(n, dim, classes, { noise: 4 });
  const [h, hMs, hCpu] = time(() => retrievalMetrics(hard));
  rows.push({
    name: "retrievalMetrics (euclidean, overlapping classes)",
    size,
    ms: hMs,
    cpuMs: hCpu,
    result: `P@1 ${h.precisionAt1.toFixed(3)}, MAP@R ${h.mapAtR.toFixed(3)}`,
  });
  const { gallery, probes } = galleryProbeSplit(set, { galleryPerClass: 100 });
  const [cmc, cmcMs, cmcCpu] = time(() => cmcCurve(gallery, probes));
  rows.push({
    name: "cmcCurve (100 per class enrolled)",
    size: `${probes.labels.length} probes × ${gallery.labels.length}`,
    ms: cmcMs,
    cpuMs: cmcCpu,
    result: `rank-1 ${cmc.accuracy[0].toFixed(3)}`,
  });
  const [e, evalMs, evalCpu] = time(() => evaluate(set));
  rows.push({
    name: "evaluate (200k pairs, 1 per class enrolled, retrieval)",
    size,
    ms: evalMs,
    cpuMs: evalCpu,
    result: `AUC ${e.verification.auc.toFixed(3)}, EER ${e.verification.eer.toFixed(3)}`,
  });
  return rows;
}

if (import.meta.main) {
  const rows = await benchMetrics();
  console.log("| benchmark | size | wall ms | cpu ms | result |\n|---|---|---:|---:|---|");
  for (const r of rows) {
    console.log(
      `| ${r.name} | ${r.size} | ${r.ms.toFixed(0)} | ${r.cpuMs.toFixed(0)} | ${r.result} |`,
    );
  }
}
