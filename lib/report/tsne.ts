import type { Projection, ProjectionOptions } from "./types.ts";
import { chooseRows } from "./_rows.ts";
import { seededRandom } from "./_rng.ts";

/**
 * Options of {@linkcode tsne}.
 *
 * @example
 * ```ts
 * import { tsne, type TsneOptions } from "./tsne.ts";
 * const x = new Float32Array(30).map((_, i) => (i % 3) + (i < 15 ? 0 : 9)); // ten 3-d rows
 * const options: TsneOptions = { perplexity: 2, iterations: 100, learningRate: 50, exaggeration: 4, seed: 2, maxPoints: 6 };
 * const map = tsne(x, 3, options);
 * // six of the ten rows are mapped; the same options give the same map, another rate another
 * if (map.rows.length !== 6 || map.points.length !== 12) throw new Error("6 points");
 * if (tsne(x, 3, options).points.join() !== map.points.join()) throw new Error("reproducible");
 * if (tsne(x, 3, { ...options, learningRate: 10 }).points.join() === map.points.join()) throw new Error("rate");
 * ```
 */
export interface TsneOptions extends ProjectionOptions {
  /** Effective number of neighbours. Default 30; lowered to `(n - 1) / 3` for small inputs. */
  readonly perplexity?: number;
  /** Gradient steps. Default 500 (the first 250, or a half when fewer, exaggerated). */
  readonly iterations?: number;
  /** Step size. Default `max(n / 12, 50)` for `n` mapped points. */
  readonly learningRate?: number;
  /** Early exaggeration factor of the input affinities. Default 12. */
  readonly exaggeration?: number;
}

/**
 * Maps embeddings to 2-D with exact t-SNE (van der Maaten & Hinton, 2008): Gaussian input
 * affinities calibrated to a perplexity by bisection, a Student-t output kernel, early
 * exaggeration, momentum and per-coordinate gains. Distances are Euclidean.
 *
 * Cost is O(n²) time and memory per step for `n` mapped rows, so inputs larger than
 * `maxPoints` (default 2000) are subsampled uniformly under `seed`; `rows` says which rows
 * were kept. About 10 s for 2,000 points on one CPU core. The same seed gives the same map.
 *
 * This is a typed-array implementation written for likeness rather than druidjs's `TSNE`,
 * which computes the same algorithm about six times slower at 2,000 points; `umap` and `pca`
 * use druidjs.
 *
 * @param embeddings `n × dim` values, row-major.
 * @param dim Length of one embedding.
 * @param options Seed, subsampling cap and the optimiser's settings.
 * @returns The 2-D points and the indices of the rows they stand for.
 *
 * @example
 * ```ts
 * import { tsne } from "./tsne.ts";
 * // two clusters of three points each, in 3-D
 * const x = new Float32Array([0, 0, 0, 0.1, 0, 0, 0, 0.1, 0, 9, 9, 9, 9.1, 9, 9, 9, 9.1, 9]);
 * const map = tsne(x, 3, { seed: 1, iterations: 200 });
 * if (map.points.length !== 12) throw new Error("expected 6 points");
 * // the map keeps the clusters apart: every distance across them beats every one within
 * const d = (i: number, j: number) =>
 *   Math.hypot(map.points[2 * i] - map.points[2 * j], map.points[2 * i + 1] - map.points[2 * j + 1]);
 * const within = [d(0, 1), d(0, 2), d(1, 2), d(3, 4), d(3, 5), d(4, 5)];
 * const across = [0, 1, 2].flatMap((i) => [3, 4, 5].map((j) => d(i, j)));
 * if (Math.max(...within) >= Math.min(...across)) throw new Error("clusters merged");
 * const again = tsne(x, 3, { seed: 1, iterations: 200 });
 * if (map.points.join() !== again.points.join()) throw new Error("not reproducible");
 * ```
 */
export function tsne(embeddings: Float32Array, dim: number, options: TsneOptions = {}): Projection {
  const { rows, values, n } = chooseRows("t-SNE", embeddings, dim, options);
  const iterations = options.iterations ?? 500;
  const perplexity = options.perplexity ?? 30;
  const exaggeration = options.exaggeration ?? 12;
  const learningRate = options.learningRate ?? Math.max(n / 12, 50);
  positive("iterations", iterations, true);
  positive("perplexity", perplexity, false);
  positive("exaggeration", exaggeration, false);
  positive("learningRate", learningRate, false);
  if (n < 2) return { points: new Float64Array(2 * n), rows };

  const p = affinities(values, n, dim, Math.min(perplexity, Math.max((n - 1) / 3, 1)));
  const rand = seededRandom(options.seed ?? 1);
  const y = new Float64Array(2 * n).map(() => rand.gauss() * 1e-4);
  const update = new Float64Array(2 * n);
  const gains = new Float64Array(2 * n).fill(1);
  const grad = new Float64Array(2 * n);
  const kernel = new Float64Array((n * (n - 1)) / 2);
  const exaggerated = Math.min(250, Math.floor(iterations / 2));

  for (let it = 0; it < iterations; it++) {
    const pScale = it < exaggerated ? exaggeration : 1;
    const momentum = it < exaggerated ? 0.5 : 0.8;
    // Student-t kernel over the upper triangle, and its sum Z over all ordered pairs.
    let z = 0;
    for (let i = 0, k = 0; i < n; i++) {
      const yi0 = y[2 * i], yi1 = y[2 * i + 1];
      for (let j = i + 1; j < n; j++, k++) {
        const a = yi0 - y[2 * j], b = yi1 - y[2 * j + 1];
        const q = 1 / (1 + a * a + b * b);
        kernel[k] = q;
        z += q;
      }
    }
    const invZ = 1 / (2 * z);
    // Gradient: 4 Σ_j (pScale·p_ij − q_ij) · kernel_ij · (y_i − y_j).
    grad.fill(0);
    for (let i = 0, k = 0; i < n; i++) {
      const yi0 = y[2 * i], yi1 = y[2 * i + 1];
      const row = i * n;
      let g0 = 0, g1 = 0;
      for (let j = i + 1; j < n; j++, k++) {
        const q = kernel[k];
        const m = 4 * (pScale * p[row + j] - q * invZ) * q;
        const a = (yi0 - y[2 * j]) * m, b = (yi1 - y[2 * j + 1]) * m;
        g0 += a;
        g1 += b;
        grad[2 * j] -= a;
        grad[2 * j + 1] -= b;
      }
      grad[2 * i] += g0;
      grad[2 * i + 1] += g1;
    }
    let mean0 = 0, mean1 = 0;
    for (let c = 0; c < 2 * n; c++) {
      const g = grad[c];
      const gain = (g > 0) !== (update[c] > 0) ? gains[c] + 0.2 : gains[c] * 0.8;
      gains[c] = gain < 0.01 ? 0.01 : gain;
      update[c] = momentum * update[c] - learningRate * gains[c] * g;
      y[c] += update[c];
      if (c % 2 === 0) mean0 += y[c];
      else mean1 += y[c];
    }
    mean0 /= n;
    mean1 /= n;
    for (let i = 0; i < n; i++) {
      y[2 * i] -= mean0;
      y[2 * i + 1] -= mean1;
    }
  }
  return { points: y, rows };
}

function positive(name: string, value: number, integer: boolean): void {
  if (!(Number.isFinite(value) && value > 0 && (!integer || Number.isInteger(value)))) {
    throw new RangeError(
      `Cannot compute t-SNE as ${name} must be a positive ${
        integer ? "integer" : "number"
      }: current ${name} is ${value}`,
    );
  }
}

/** Symmetric joint probabilities P (full n × n, zero diagonal) at the given perplexity. */
function affinities(x: Float64Array, n: number, dim: number, perplexity: number): Float64Array {
  const d2 = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let d = 0; d < dim; d++) {
        const t = x[i * dim + d] - x[j * dim + d];
        s += t * t;
      }
      d2[i * n + j] = s;
      d2[j * n + i] = s;
    }
  }
  const target = Math.log(perplexity);
  const cond = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const row = i * n;
    let dmin = Infinity;
    for (let j = 0; j < n; j++) if (j !== i && d2[row + j] < dmin) dmin = d2[row + j];
    let beta = 1, lo = 0, hi = Infinity;
    for (let tries = 0; tries < 100; tries++) {
      let sum = 0, weighted = 0;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const dd = d2[row + j] - dmin;
        const v = Math.exp(-beta * dd);
        cond[row + j] = v;
        sum += v;
        weighted += dd * v;
      }
      const entropy = Math.log(sum) + (beta * weighted) / sum;
      if (Math.abs(entropy - target) < 1e-5) break;
      if (entropy > target) {
        lo = beta;
        beta = hi === Infinity ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = (beta + lo) / 2;
      }
    }
    let sum = 0;
    for (let j = 0; j < n; j++) if (j !== i) sum += cond[row + j];
    for (let j = 0; j < n; j++) cond[row + j] = j === i ? 0 : cond[row + j] / sum;
  }
  const p = d2; // reuse the buffer
  const scale = 1 / (2 * n);
  for (let i = 0; i < n; i++) {
    p[i * n + i] = 0;
    for (let j = i + 1; j < n; j++) {
      const v = Math.max((cond[i * n + j] + cond[j * n + i]) * scale, 1e-12);
      p[i * n + j] = v;
      p[j * n + i] = v;
    }
  }
  return p;
}
