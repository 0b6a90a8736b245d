// Plain-number helpers for the loop oracles of the labelled-batch losses (no tensors).
import * as tf from "@tensorflow/tfjs";
import type { Labelled, Tensor2D } from "../../lib/types.ts";

export type Rows = number[][];

/** Cosine similarity (norms floored at 1e-12, as likeness's `cosine`). */
export function cos(a: number[], b: number[]): number {
  const dot = a.reduce((s, v, k) => s + v * b[k], 0);
  const na = Math.max(Math.hypot(...a), 1e-12), nb = Math.max(Math.hypot(...b), 1e-12);
  return dot / (na * nb);
}

/** `log(Σ exp(xs))` (plus `exp(0)` when `addOne`); 0 for an empty list. */
export function logSumExp(xs: number[], addOne: boolean): number {
  const all = addOne ? [0, ...xs] : xs;
  if (all.length === 0) return 0;
  const m = Math.max(...all);
  return m + Math.log(all.reduce((s, x) => s + Math.exp(x - m), 0));
}

/** A seeded generator of values in [-1, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

export interface Batch {
  readonly rows: Rows;
  readonly labels: number[];
}

/**
 * Random batches and degenerate ones: one class, singletons, ties (duplicate rows), one row,
 * no rows, a zero row, a two-view (SimCLR) batch.
 */
export function batches(dim = 3): [string, Batch][] {
  const out: [string, Batch][] = [];
  for (let seed = 1; seed <= 6; seed++) {
    const next = rng(seed);
    const n = 4 + (seed % 5);
    const rows = Array.from(
      { length: n },
      () => Array.from({ length: dim }, () => Math.fround(next())),
    );
    out.push([`random ${seed}`, { rows, labels: rows.map(() => Math.floor((next() + 1) * 1.5)) }]);
  }
  const next = rng(99);
  const rows = Array.from(
    { length: 5 },
    () => Array.from({ length: dim }, () => Math.fround(next())),
  );
  out.push(["one class", { rows, labels: [3, 3, 3, 3, 3] }]);
  out.push(["singletons", { rows, labels: [0, 1, 2, 3, 4] }]);
  out.push(["ties", {
    rows: [rows[0], rows[0], rows[0], rows[1], rows[1]],
    labels: [0, 0, 1, 1, 0],
  }]);
  out.push(["one row", { rows: [rows[0]], labels: [0] }]);
  out.push(["no rows", { rows: [], labels: [] }]);
  out.push(["zero row", { rows: [Array(dim).fill(0), ...rows.slice(1)], labels: [0, 0, 1, 1, 2] }]);
  out.push(["two views", {
    rows: [...rows.slice(0, 3), ...rows.slice(0, 3).map((r) => r.map((v) => Math.fround(v + 0.1)))],
    labels: [0, 1, 2, 0, 1, 2],
  }]);
  return out;
}

export const labelled = (b: Batch, dim = 3): Labelled => ({
  kind: "labelled",
  embeddings: tf.tensor2d(b.rows.flat(), [b.rows.length, dim]) as Tensor2D,
  labels: tf.tensor1d(b.labels, "int32"),
});

/** Indices `j ≠ i` of `i`'s class, and of other classes. */
export function partners(b: Batch, i: number): { pos: number[]; neg: number[] } {
  const pos: number[] = [], neg: number[] = [];
  b.labels.forEach((l, j) => {
    if (j === i) return;
    (l === b.labels[i] ? pos : neg).push(j);
  });
  return { pos, neg };
}
