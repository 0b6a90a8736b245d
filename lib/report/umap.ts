import type { Projection, ProjectionOptions } from "./types.ts";
import { chooseRows, toRowArrays } from "./_rows.ts";

/** Options of {@linkcode umap}. */
export interface UmapOptions extends ProjectionOptions {
  /** Size of the local neighbourhood. Default 15; lowered to `n - 1` for small inputs. */
  readonly neighbours?: number;
  /** How tightly points may pack together. Default 0.1. */
  readonly minDist?: number;
  /** Optimisation epochs. Default 350. */
  readonly epochs?: number;
}

/**
 * Maps embeddings to 2-D with UMAP (McInnes, Healy & Melville, 2018), computed by druidjs
 * (`@saehrimnir/druidjs`) with Euclidean distances. Inputs larger than `maxPoints` (default
 * 2000) are subsampled uniformly under `seed`; `rows` says which rows were kept.
 *
 * The same seed gives the same map on the same machine; druidjs notes that its WASM and
 * JavaScript paths may diverge in the last bit, which UMAP's optimiser amplifies, so maps are
 * not guaranteed identical across engines.
 *
 * Asynchronous: druidjs loads on the first call, not when likeness is imported (it reads
 * the environment variable `DRUID_DISABLE_WASM` as it loads, which without `--allow-env`
 * would make Deno prompt). Bad arguments reject before it loads.
 *
 * @param embeddings `n × dim` values, row-major.
 * @param dim Length of one embedding.
 * @param options Seed, subsampling cap and UMAP's settings.
 * @returns The 2-D points and the indices of the rows they stand for.
 *
 * @example
 * ```ts
 * import { umap } from "./umap.ts";
 * const x = new Float32Array(40).map((_, k) => (k < 20 ? 0 : 5) + (k % 7) * 0.01);
 * const map = await umap(x, 2, { seed: 3, epochs: 50 });
 * if (map.rows.length !== 20 || map.points.some((v) => !Number.isFinite(v))) {
 *   throw new Error("expected 20 finite points");
 * }
 * ```
 */
export async function umap(
  embeddings: Float32Array,
  dim: number,
  options: UmapOptions = {},
): Promise<Projection> {
  const { rows, values, n } = chooseRows("UMAP", embeddings, dim, options);
  const neighbours = options.neighbours ?? 15;
  const minDist = options.minDist ?? 0.1;
  const epochs = options.epochs ?? 350;
  if (!Number.isInteger(neighbours) || neighbours < 2) {
    throw new RangeError(
      `Cannot compute UMAP as neighbours must be an integer of at least 2: current neighbours is ${neighbours}`,
    );
  }
  if (!(Number.isFinite(minDist) && minDist >= 0)) {
    throw new RangeError(
      `Cannot compute UMAP as minDist must be a number of at least 0: current minDist is ${minDist}`,
    );
  }
  if (!Number.isInteger(epochs) || epochs < 1) {
    throw new RangeError(
      `Cannot compute UMAP as epochs must be a positive integer: current epochs is ${epochs}`,
    );
  }
  if (n < 3) return { points: new Float64Array(2 * n), rows };
  const { UMAP } = await import("@saehrimnir/druidjs");
  const reducer = new UMAP(toRowArrays(values, n, dim), {
    d: 2,
    seed: options.seed ?? 1,
    n_neighbors: Math.min(neighbours, n - 1),
    min_dist: minDist,
    _n_epochs: epochs,
  });
  const out = reducer.transform() as number[][];
  return { points: Float64Array.from(out.flatMap((r) => [r[0], r[1]])), rows };
}
