import { PCA } from "@saehrimnir/druidjs";
import type { Projection, ProjectionOptions } from "./types.ts";
import { chooseRows, toRowArrays } from "./_rows.ts";

/**
 * Maps embeddings to 2-D by principal component analysis (the two directions of largest
 * variance), computed by druidjs (`@saehrimnir/druidjs`). Linear and fast: a good first look
 * and a baseline for `tsne` and `umap`. Inputs larger than `maxPoints` (default 2000) are
 * subsampled uniformly under `seed`; `rows` says which rows were kept. The map is centred;
 * the sign of each axis is arbitrary (fixed by the seed), and a component without variance
 * (all points on a line) maps to 0.
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
 * ```
 */
export function pca(
  embeddings: Float32Array,
  dim: number,
  options: ProjectionOptions = {},
): Projection {
  const { rows, values, n } = chooseRows("PCA", embeddings, dim, options);
  if (n < 2) return { points: new Float64Array(2 * n), rows };
  const data = toRowArrays(values, n, dim);
  if (dim === 1) {
    const mean = data.reduce((sum, r) => sum + r[0], 0) / n;
    return { points: Float64Array.from(data.flatMap((r) => [r[0] - mean, 0])), rows };
  }
  const out = new PCA(data, { d: 2, seed: options.seed ?? 1 }).transform() as number[][];
  const points = Float64Array.from(out.flatMap((r) => [r[0], r[1]]));
  for (const c of [0, 1]) {
    // A component without variance (rank-deficient input) comes back as NaN: it is 0.
    let mean = 0;
    for (let i = 0; i < n; i++) {
      mean += Number.isFinite(points[2 * i + c]) ? points[2 * i + c] / n : 0;
    }
    for (let i = 0; i < n; i++) {
      points[2 * i + c] = Number.isFinite(points[2 * i + c]) ? points[2 * i + c] - mean : 0;
    }
  }
  return { points, rows };
}
