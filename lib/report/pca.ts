import type { Projection, ProjectionOptions } from "./types.ts";
import { chooseRows } from "./_rows.ts";
import { seededRandom } from "./_rng.ts";

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Scales `v` to unit length after removing its components along the orthonormal `basis`
 * (twice, for accuracy); false when less than 1e-10 of its length is left (it lies in the
 * span of `basis`).
 */
function orthonormalise(v: Float64Array, basis: readonly Float64Array[]): boolean {
  const length = Math.sqrt(dot(v, v));
  if (!(length > 0)) return false;
  for (let pass = 0; pass < 2; pass++) {
    for (const b of basis) {
      const along = dot(v, b);
      for (let i = 0; i < v.length; i++) v[i] -= along * b[i];
    }
  }
  const left = Math.sqrt(dot(v, v));
  if (!(left > 1e-10 * length)) return false;
  for (let i = 0; i < v.length; i++) v[i] /= left;
  return true;
}

/** `c · v` for a symmetric `dim × dim` matrix `c` (row-major). */
function times(c: Float64Array, v: Float64Array): Float64Array {
  const dim = v.length;
  const out = new Float64Array(dim);
  for (let i = 0; i < dim; i++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += c[i * dim + j] * v[j];
    out[i] = s;
  }
  return out;
}

/** Eigenvalues and eigenvectors (columns of `vectors`, `p × p` row-major) by cyclic Jacobi. */
function jacobi(t: Float64Array, p: number): { values: number[]; vectors: Float64Array } {
  const a = Float64Array.from(t);
  const v = new Float64Array(p * p);
  for (let i = 0; i < p; i++) v[i * p + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) off += a[i * p + j] ** 2;
    if (off < 1e-30) break;
    for (let i = 0; i < p; i++) {
      for (let j = i + 1; j < p; j++) {
        const aij = a[i * p + j];
        if (aij === 0) continue;
        const theta = (a[j * p + j] - a[i * p + i]) / (2 * aij);
        const tan = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const cos = 1 / Math.sqrt(tan * tan + 1);
        const sin = tan * cos;
        for (let k = 0; k < p; k++) {
          const [aki, akj] = [a[k * p + i], a[k * p + j]];
          a[k * p + i] = cos * aki - sin * akj;
          a[k * p + j] = sin * aki + cos * akj;
        }
        for (let k = 0; k < p; k++) {
          const [aik, ajk] = [a[i * p + k], a[j * p + k]];
          a[i * p + k] = cos * aik - sin * ajk;
          a[j * p + k] = sin * aik + cos * ajk;
        }
        for (let k = 0; k < p; k++) {
          const [vki, vkj] = [v[k * p + i], v[k * p + j]];
          v[k * p + i] = cos * vki - sin * vkj;
          v[k * p + j] = sin * vki + cos * vkj;
        }
      }
    }
  }
  return { values: Array.from({ length: p }, (_, i) => a[i * p + i]), vectors: v };
}

/** `Σ_k basis[k] · m[k][col]`: the basis rotated by column `col` of the `p × p` matrix `m`. */
function combine(basis: readonly Float64Array[], m: Float64Array, col: number): Float64Array {
  const p = basis.length;
  const out = new Float64Array(basis[0].length);
  for (let k = 0; k < p; k++) {
    const w = m[k * p + col];
    if (w === 0) continue;
    for (let i = 0; i < out.length; i++) out[i] += w * basis[k][i];
  }
  return out;
}

/**
 * The two leading eigenvectors of the symmetric positive semi-definite `c` with their
 * eigenvalues: block subspace iteration on up to 8 seeded vectors (it converges at the rate
 * of the 9th eigenvalue over the 2nd, so close leading eigenvalues cost little), each step
 * followed by the Rayleigh–Ritz problem solved by Jacobi.
 */
function leadingPair(c: Float64Array, dim: number, seed: number): [Float64Array, number][] {
  const rand = seededRandom(seed);
  const p = Math.min(dim, 8);
  const random = () => Float64Array.from({ length: dim }, () => rand.gauss());
  let q: Float64Array[] = [];
  while (q.length < p) {
    const v = random();
    if (orthonormalise(v, q)) q.push(v);
  }
  let values: number[] = [];
  let cq = q.map((v) => times(c, v));
  for (let iteration = 0; iteration < 500; iteration++) {
    const z: Float64Array[] = [];
    for (const v of cq) if (orthonormalise(v, z)) z.push(v);
    while (z.length < p) {
      // Rank below p: complete the basis with directions orthogonal to it (variance 0).
      const v = random();
      if (orthonormalise(v, z)) z.push(v);
    }
    const cz = z.map((v) => times(c, v));
    const t = new Float64Array(p * p);
    for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) t[i * p + j] = dot(z[i], cz[j]);
    const eig = jacobi(t, p);
    const order = [...eig.values.keys()].sort((i, j) => eig.values[j] - eig.values[i]);
    const next = order.map((col) => combine(z, eig.vectors, col));
    values = order.map((i) => eig.values[i]);
    const change = Math.max(...[0, 1].map((k) => 1 - Math.abs(dot(next[k], q[k]))));
    q = next;
    if (iteration > 0 && change < 1e-12) break;
    cq = order.map((col) => combine(cz, eig.vectors, col)); // C·q without another product
  }
  return [[q[0], Math.max(0, values[0])], [q[1], Math.max(0, values[1])]];
}

/**
 * Maps embeddings to 2-D by principal component analysis (the two directions of largest
 * variance). Linear and fast: a good first look and a baseline for `tsne` and `umap`. Inputs
 * larger than `maxPoints` (default 2000) are subsampled uniformly under `seed`; `rows` says
 * which rows were kept. The map is centred; each axis points so that its largest loading is
 * positive, and a component without variance (all points on a line) maps to 0. Computed here
 * (no dependency): the covariance, then subspace iteration seeded by `seed`.
 *
 * @param embeddings `n × dim` values, row-major.
 * @param dim Length of one embedding.
 * @param options Seed and subsampling cap.
 * @returns The 2-D points and the indices of the rows they stand for.
 *
 * @example
 * ```ts
 * import { pca } from "./pca.ts";
 * // points spread along the first axis only
 * const x = new Float32Array([0, 0, 0, 1, 0, 0, 2, 0, 0, 3, 0, 0]);
 * const map = pca(x, 3);
 * const spreadX = Math.abs(map.points[6] - map.points[0]);
 * if (Math.abs(spreadX - 3) > 1e-6) throw new Error(`first component should span 3: ${spreadX}`);
 * if (map.points.some((v, i) => i % 2 === 1 && v !== 0)) throw new Error("no second component");
 * ```
 */
export function pca(
  embeddings: Float32Array,
  dim: number,
  options: ProjectionOptions = {},
): Projection {
  const { rows, values, n } = chooseRows("PCA", embeddings, dim, options);
  if (n < 2) return { points: new Float64Array(2 * n), rows };
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) mean[j] += values[i * dim + j] / n;
  }
  const x = values.map((v, k) => v - mean[k % dim]);
  const points = new Float64Array(2 * n);
  if (dim === 1) {
    for (let i = 0; i < n; i++) points[2 * i] = x[i];
    return { points, rows };
  }
  const c = new Float64Array(dim * dim);
  for (let i = 0; i < n; i++) {
    const r = i * dim;
    for (let j = 0; j < dim; j++) {
      const xj = x[r + j];
      if (xj === 0) continue;
      for (let k = j; k < dim; k++) c[j * dim + k] += xj * x[r + k];
    }
  }
  for (let j = 0; j < dim; j++) {
    for (let k = 0; k < j; k++) c[j * dim + k] = c[k * dim + j];
  }
  const pair = leadingPair(c, dim, options.seed ?? 1);
  const top = pair[0][1];
  pair.forEach(([v, variance], axis) => {
    // Below rounding of the leading variance: no variance, the axis maps to 0.
    if (!(variance > top * 1e-12)) return;
    let largest = 0;
    for (let j = 0; j < dim; j++) if (Math.abs(v[j]) > Math.abs(v[largest])) largest = j;
    const sign = v[largest] < 0 ? -1 : 1;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < dim; j++) s += x[i * dim + j] * v[j];
      points[2 * i + axis] = sign * s;
    }
  });
  return { points, rows };
}
