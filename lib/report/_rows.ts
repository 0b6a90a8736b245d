import type { ProjectionOptions } from "./types.ts";
import { seededRandom } from "./_rng.ts";

/** Rows chosen for a 2-D map: their indices and their values, packed as float64. */
export interface ChosenRows {
  readonly rows: Int32Array;
  readonly values: Float64Array;
  readonly n: number;
}

/** Checks embeddings and dim, then keeps at most `maxPoints` rows (seeded, sorted indices). */
export function chooseRows(
  what: string,
  embeddings: Float32Array,
  dim: number,
  options: ProjectionOptions,
): ChosenRows {
  if (!(embeddings instanceof Float32Array)) {
    throw new TypeError(
      `Cannot compute ${what} as embeddings must be a Float32Array: current value is ${
        Object.prototype.toString.call(embeddings)
      }`,
    );
  }
  if (!Number.isInteger(dim) || dim < 1) {
    throw new RangeError(
      `Cannot compute ${what} as dim must be a positive integer: current dim is ${dim}`,
    );
  }
  if (embeddings.length === 0) {
    throw new RangeError(`Cannot compute ${what} as embeddings are empty: current length is 0`);
  }
  if (embeddings.length % dim !== 0) {
    throw new RangeError(
      `Cannot compute ${what} as the embeddings length must be a multiple of dim ${dim}: current length is ${embeddings.length}`,
    );
  }
  const maxPoints = options.maxPoints ?? 2000;
  if (!Number.isInteger(maxPoints) || maxPoints < 1) {
    throw new RangeError(
      `Cannot compute ${what} as maxPoints must be a positive integer: current maxPoints is ${maxPoints}`,
    );
  }
  const total = embeddings.length / dim;
  for (let k = 0; k < embeddings.length; k++) {
    if (!Number.isFinite(embeddings[k])) {
      throw new RangeError(
        `Cannot compute ${what} as embeddings must be finite: row ${Math.floor(k / dim)} holds ${
          embeddings[k]
        }`,
      );
    }
  }
  let rows: Int32Array;
  if (total <= maxPoints) {
    rows = new Int32Array(total).map((_, i) => i);
  } else {
    // Partial Fisher-Yates: the first maxPoints entries become a uniform sample.
    const rand = seededRandom(options.seed ?? 1);
    const all = new Int32Array(total).map((_, i) => i);
    for (let i = 0; i < maxPoints; i++) {
      const j = i + Math.floor(rand.float() * (total - i));
      const t = all[i];
      all[i] = all[j];
      all[j] = t;
    }
    rows = all.slice(0, maxPoints).sort();
  }
  const n = rows.length;
  const values = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    const from = rows[i] * dim;
    for (let d = 0; d < dim; d++) values[i * dim + d] = embeddings[from + d];
  }
  return { rows, values, n };
}

/** Splits packed values into one plain array per row (the input format of druidjs). */
export function toRowArrays(values: Float64Array, n: number, dim: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < n; i++) out.push(Array.from(values.subarray(i * dim, (i + 1) * dim)));
  return out;
}
