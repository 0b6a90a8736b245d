/**
 * All-pairs distances, one query row at a time (no tensors): queries are processed four
 * at a time against all references, so memory holds 4 rows of distances, never the whole
 * matrix. The default kernel is WebAssembly SIMD in float32 (`_simd_kernel.ts`), computing
 * differences directly (no `‖a‖² + ‖b‖² − 2a·b` cancellation); the JavaScript fallback
 * uses a 4 × 4 register-blocked dot-product kernel in float64. Rows are float32 either way.
 * The kernel is picked by the distance's `host.kind`; `dot` always takes the JavaScript
 * kernel, and a `"custom"` distance runs its own host form, one query row at a time.
 *
 * @module
 */
import type { Distance } from "../types.ts";
import type { EmbeddingSet } from "./embedding_set.ts";
import { hostRow } from "../distances/host.ts";
import { type SimdKernel, simdKernel } from "./_simd_kernel.ts";

const BLOCK = 4;

type Values = Float32Array | Float64Array;

/**
 * Copies `rows` rows of `dim` values into an array of the same precision padded with zero
 * rows to a multiple of 4 rows (float32 storage halves memory traffic; every product and
 * sum is still computed in float64).
 */
function padded(values: Values, rows: number, dim: number): Values {
  const padRows = Math.ceil(rows / BLOCK) * BLOCK;
  const out = values instanceof Float32Array
    ? new Float32Array(padRows * dim)
    : new Float64Array(padRows * dim);
  out.set(values.subarray(0, rows * dim));
  return out;
}

function squaredNorms(x: Values, dim: number): Float64Array {
  const out = new Float64Array(x.length / dim);
  for (let i = 0, o = 0; o < x.length; i++, o += dim) {
    let s = 0;
    for (let k = 0; k < dim; k++) s += x[o + k] * x[o + k];
    out[i] = s;
  }
  return out;
}

/** rows[r * stride + j] = q_(q0 + r) · x_j for r < 4 and every padded reference j. */
function dotBlock(
  q: Values,
  q0: number,
  x: Values,
  dim: number,
  rows: Float64Array,
  stride: number,
): void {
  const o0 = q0 * dim, o1 = o0 + dim, o2 = o1 + dim, o3 = o2 + dim;
  for (let j = 0; j < stride; j += 4) {
    const p0 = j * dim, p1 = p0 + dim, p2 = p1 + dim, p3 = p2 + dim;
    let a00 = 0, a01 = 0, a02 = 0, a03 = 0, a10 = 0, a11 = 0, a12 = 0, a13 = 0;
    let a20 = 0, a21 = 0, a22 = 0, a23 = 0, a30 = 0, a31 = 0, a32 = 0, a33 = 0;
    for (let k = 0; k < dim; k++) {
      const q0v = q[o0 + k], q1v = q[o1 + k], q2v = q[o2 + k], q3v = q[o3 + k];
      const r0 = x[p0 + k], r1 = x[p1 + k], r2 = x[p2 + k], r3 = x[p3 + k];
      a00 += q0v * r0;
      a01 += q0v * r1;
      a02 += q0v * r2;
      a03 += q0v * r3;
      a10 += q1v * r0;
      a11 += q1v * r1;
      a12 += q1v * r2;
      a13 += q1v * r3;
      a20 += q2v * r0;
      a21 += q2v * r1;
      a22 += q2v * r2;
      a23 += q2v * r3;
      a30 += q3v * r0;
      a31 += q3v * r1;
      a32 += q3v * r2;
      a33 += q3v * r3;
    }
    rows[j] = a00;
    rows[j + 1] = a01;
    rows[j + 2] = a02;
    rows[j + 3] = a03;
    const s1 = stride + j, s2 = 2 * stride + j, s3 = 3 * stride + j;
    rows[s1] = a10;
    rows[s1 + 1] = a11;
    rows[s1 + 2] = a12;
    rows[s1 + 3] = a13;
    rows[s2] = a20;
    rows[s2 + 1] = a21;
    rows[s2 + 2] = a22;
    rows[s2 + 3] = a23;
    rows[s3] = a30;
    rows[s3 + 1] = a31;
    rows[s3 + 2] = a32;
    rows[s3 + 3] = a33;
  }
}

/** rows[r * stride + j] = Σ |q_(q0 + r) − x_j| for r < 4. */
function manhattanBlock(
  q: Values,
  q0: number,
  x: Values,
  dim: number,
  rows: Float64Array,
  stride: number,
): void {
  const o0 = q0 * dim, o1 = o0 + dim, o2 = o1 + dim, o3 = o2 + dim;
  for (let j = 0; j < stride; j++) {
    const p = j * dim;
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (let k = 0; k < dim; k++) {
      const r = x[p + k];
      a0 += Math.abs(q[o0 + k] - r);
      a1 += Math.abs(q[o1 + k] - r);
      a2 += Math.abs(q[o2 + k] - r);
      a3 += Math.abs(q[o3 + k] - r);
    }
    rows[j] = a0;
    rows[stride + j] = a1;
    rows[2 * stride + j] = a2;
    rows[3 * stride + j] = a3;
  }
}

/** Which implementation computes the rows: WebAssembly SIMD (default when available) or JS. */
export type Kernel = "simd" | "js";

/**
 * Calls `visit(i, row)` for every query row `i` in order, where `row[j]` is the distance
 * from query `i` to reference `j` (`row.length === references.labels.length`), rounded to
 * float32. The row buffer is reused: `visit` must not keep it, nor call this function
 * again (the SIMD kernel's memory is shared).
 */
export function forEachDistanceRow(
  queries: EmbeddingSet,
  references: EmbeddingSet,
  distance: Distance,
  visit: (query: number, row: Float32Array) => void,
  kernel: Kernel = "simd",
): void {
  if (queries.labels.length === 0 || references.labels.length === 0) return;
  const kind = distance.host.kind;
  if (kind === "custom") return customRows(queries, references, distance, visit);
  const simd = kernel === "simd" && kind !== "dot" ? simdKernel() : null;
  if (simd) simdRows(simd, queries, references, kind, visit);
  else jsRows(queries, references, kind, visit);
}

/** Built-in kinds with a blocked kernel. */
type Kind = Exclude<Distance["host"]["kind"], "custom">;

/** A custom distance's host form, one query row against all references at a time. */
function customRows(
  queries: EmbeddingSet,
  references: EmbeddingSet,
  distance: Distance,
  visit: (query: number, row: Float32Array) => void,
): void {
  const dim = queries.dim;
  const nq = queries.labels.length, nr = references.labels.length;
  const refs = Float32Array.from(references.embeddings.subarray(0, nr * dim));
  const out = new Float64Array(nr), row = new Float32Array(nr);
  for (let i = 0; i < nq; i++) {
    const query = Float32Array.from(queries.embeddings.subarray(i * dim, (i + 1) * dim));
    hostRow(distance.host, query, refs, nr, dim, out);
    row.set(out);
    visit(i, row);
  }
}

/** Inverse norms of each row (0 for a zero row). */
function inverseNorms(x: ArrayLike<number>, rows: number, dim: number): Float64Array {
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let k = 0; k < dim; k++) s += x[i * dim + k] * x[i * dim + k];
    out[i] = s > 0 ? 1 / Math.sqrt(s) : 0;
  }
  return out;
}

function simdRows(
  simd: SimdKernel,
  queries: EmbeddingSet,
  references: EmbeddingSet,
  distance: Kind,
  visit: (query: number, row: Float32Array) => void,
): void {
  const dim = queries.dim;
  const nq = queries.labels.length, nr = references.labels.length;
  const blocks = Math.ceil(nr / BLOCK), stride = blocks * BLOCK;
  const refsOff = 0, qsOff = refsOff + blocks * dim * 16, outOff = qsOff + BLOCK * dim * 16;
  const need = outOff + BLOCK * stride * 4;
  const have = simd.memory.buffer.byteLength;
  if (need > have) simd.memory.grow(Math.ceil((need - have) / 65536));
  const mem = new Float32Array(simd.memory.buffer);
  const cosine = distance === "cosine";
  // cosine distance 1 − cos(a, b) = ‖â − b̂‖² / 2 with unit vectors â, b̂ (no cancellation)
  const qScale = cosine ? inverseNorms(queries.embeddings, nq, dim) : null;
  const rScale = cosine ? inverseNorms(references.embeddings, nr, dim) : null;
  const x = references.embeddings;
  mem.fill(0, refsOff / 4, qsOff / 4);
  for (let j = 0; j < nr; j++) {
    const base = refsOff / 4 + ((j >> 2) * dim) * 4 + (j & 3), s = rScale ? rScale[j] : 1;
    for (let k = 0; k < dim; k++) mem[base + k * 4] = x[j * dim + k] * s;
  }
  const zeroRefs: number[] = [];
  if (rScale) rScale.forEach((s, j) => s === 0 && zeroRefs.push(j));
  const rows = Array.from(
    { length: BLOCK },
    (_, i) => mem.subarray(outOff / 4 + i * stride, outOff / 4 + i * stride + nr),
  );
  const run = distance === "manhattan" ? simd.l1 : simd.sq;
  const q = queries.embeddings;
  for (let q0 = 0; q0 < nq; q0 += BLOCK) {
    const last = Math.min(BLOCK, nq - q0);
    for (let i = 0; i < BLOCK; i++) {
      const base = qsOff / 4 + i * dim * 4, s = i < last ? (qScale ? qScale[q0 + i] : 1) : 0;
      for (let k = 0; k < dim; k++) {
        const v = i < last ? q[(q0 + i) * dim + k] * s : 0;
        mem[base + k * 4] = v;
        mem[base + k * 4 + 1] = v;
        mem[base + k * 4 + 2] = v;
        mem[base + k * 4 + 3] = v;
      }
    }
    run(refsOff, blocks, dim, qsOff, outOff);
    for (let i = 0; i < last; i++) {
      const row = rows[i];
      if (cosine) {
        if (qScale![q0 + i] === 0) row.fill(1);
        else {
          for (let j = 0; j < nr; j++) {
            const d = row[j] * 0.5;
            row[j] = d < 2 ? d : 2;
          }
          for (const j of zeroRefs) row[j] = 1;
        }
      } else if (distance === "euclidean") {
        for (let j = 0; j < nr; j++) row[j] = Math.sqrt(row[j]);
      }
      visit(q0 + i, row);
    }
  }
}

function jsRows(
  queries: EmbeddingSet,
  references: EmbeddingSet,
  distance: Kind,
  visit: (query: number, row: Float32Array) => void,
): void {
  const dim = queries.dim;
  const nq = queries.labels.length;
  const nr = references.labels.length;
  const q = padded(queries.embeddings, nq, dim);
  const x = padded(references.embeddings, nr, dim);
  const stride = x.length / dim;
  const rows = new Float64Array(BLOCK * stride);
  const out = new Float32Array(nr);
  const qn = squaredNorms(q, dim);
  const xn = squaredNorms(x, dim);
  if (distance === "cosine") {
    // 1 / norm, 0 for a zero row (which then has cosine similarity 0 with everything)
    for (let i = 0; i < qn.length; i++) qn[i] = qn[i] > 0 ? 1 / Math.sqrt(qn[i]) : 0;
    for (let i = 0; i < xn.length; i++) xn[i] = xn[i] > 0 ? 1 / Math.sqrt(xn[i]) : 0;
  }
  for (let q0 = 0; q0 < nq; q0 += BLOCK) {
    if (distance === "manhattan") manhattanBlock(q, q0, x, dim, rows, stride);
    else dotBlock(q, q0, x, dim, rows, stride);
    const last = Math.min(BLOCK, nq - q0);
    for (let r = 0; r < last; r++) {
      const o = r * stride;
      if (distance === "cosine") {
        const a = qn[q0 + r];
        for (let j = 0; j < nr; j++) {
          const d = 1 - rows[o + j] * a * xn[j];
          out[j] = d > 0 ? (d < 2 ? d : 2) : 0;
        }
      } else if (distance === "euclidean" || distance === "squaredEuclidean") {
        const a = qn[q0 + r];
        const root = distance === "euclidean";
        for (let j = 0; j < nr; j++) {
          const s = a + xn[j] - 2 * rows[o + j];
          const d = s > 0 ? s : 0;
          out[j] = root ? Math.sqrt(d) : d;
        }
      } else if (distance === "dot") {
        for (let j = 0; j < nr; j++) out[j] = rows[o + j] === 0 ? 0 : -rows[o + j];
      } else {
        for (let j = 0; j < nr; j++) out[j] = rows[o + j];
      }
      visit(q0 + r, out);
    }
  }
}

/** The distance between row `i` of `a` and row `j` of `b`, computed directly in float64. */
export function rowDistance(
  a: Float32Array | Float64Array,
  i: number,
  b: Float32Array | Float64Array,
  j: number,
  dim: number,
  distance: Distance,
): number {
  return distance.host.pair(
    a.subarray(i * dim, (i + 1) * dim),
    b.subarray(j * dim, (j + 1) * dim),
  );
}
