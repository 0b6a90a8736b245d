// Shared by the loss fuzz tests: the backends they run on and arbitrary labelled batches that
// include the degenerate ones (one class, one item per class, one row, no rows, duplicate
// rows, zero vectors, huge values and, when asked, unit rows).
import fc from "fast-check";
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../../lib/backend/mod.ts";
import type { Labelled, Tensor2D } from "../../lib/types.ts";
import { skipReason, useNative } from "../backend/_native.ts";
import { rng } from "../losses/_oracle.ts";

/** cpu and wasm, and native where it runs. */
export const backends = ["cpu", "wasm", ...(skipReason === undefined ? ["native"] : [])];

/** Makes `backend` (one of {@linkcode backends}) the active one. */
export async function activate(backend: string): Promise<void> {
  if (backend === "native") await useNative();
  else await useBackend(backend as "cpu" | "wasm");
}

/** A labelled batch as plain numbers, `dim` wide. */
export interface Batch {
  rows: number[][];
  labels: number[];
  dim: number;
}

/**
 * 0 to 6 rows of 1 to 4 dims, seeded: labels all `sameLabel`, all distinct or mixed in 0 … 2;
 * rows zero, duplicate, random in ±3, huge (×1e12) or, with `unit`, L2-normalised.
 */
export function degenerateBatches(
  { sameLabel, unit = false }: { sameLabel: number; unit?: boolean },
): fc.Arbitrary<Batch> {
  const kinds = ["zero", "duplicate", "random", "huge", ...(unit ? ["unit"] : [])];
  return fc.record({
    n: fc.integer({ min: 0, max: 6 }),
    dim: fc.integer({ min: 1, max: 4 }),
    labels: fc.constantFrom("same", "distinct", "mixed"),
    values: fc.constantFrom(...kinds),
    seed: fc.integer(),
  }).map(({ n, dim, labels, values, seed }): Batch => {
    const next = rng(seed);
    const row = () => Array.from({ length: dim }, () => Math.fround(3 * next()));
    const first = row();
    const rows = Array.from({ length: n }, () => {
      if (values === "zero") return Array(dim).fill(0);
      if (values === "duplicate") return [...first];
      if (values === "huge") return row().map((v) => Math.fround(v * 1e12));
      const r = row();
      if (values === "unit") {
        const norm = Math.hypot(...r);
        return r.map((v) => (norm > 0 ? Math.fround(v / norm) : 0));
      }
      return r;
    });
    const ids = Array.from({ length: n }, (_, i) => {
      if (labels === "same") return sameLabel;
      if (labels === "distinct") return i;
      return Math.floor((next() + 1) * 1.5);
    });
    return { rows, labels: ids, dim };
  });
}

/** The batch as a {@linkcode Labelled} input (int32 labels). */
export const labelledOf = (b: Batch): Labelled => ({
  kind: "labelled",
  embeddings: tf.tensor2d(b.rows.flat(), [b.rows.length, b.dim]) as Tensor2D,
  labels: tf.tensor1d(b.labels, "int32"),
});
