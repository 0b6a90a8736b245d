import * as tf from "@tensorflow/tfjs";
import type { Distance, DistanceMatrix, HostDistance, Tensor1D, Tensor2D } from "../types.ts";
import { checkRows } from "./_check.ts";
import { checkMatrixInputs, matrixFromRows } from "./_matrix.ts";
import { BUILT_IN_NAMES } from "./_names.ts";

/** What {@linkcode distance} needs: a name and the row-wise tensor form, optionally more. */
export interface DistanceSpec {
  /** A name for metadata (gallery files, saved models); not a built-in distance's name. */
  readonly name: string;
  /** Row `i` of `a` against row `i` of `b`: one value per row, smaller = closer. */
  readonly rows: (a: Tensor2D, b: Tensor2D) => Tensor1D;
  /** All pairs at once (default: `rows` on every row pair, `n·m` rows). */
  readonly matrix?: DistanceMatrix;
  /**
   * The distance of two plain vectors, for metrics and the gallery (default: `rows` on one
   * row pair at a time, which is slow: give this for large evaluations and galleries).
   */
  readonly host?: (a: ArrayLike<number>, b: ArrayLike<number>) => number;
}

const show = (value: unknown): string => {
  if (typeof value === "function") return "a function";
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
};

/**
 * Makes your own {@linkcode Distance} from its row-wise tensor form. The all-pairs form is
 * derived from `rows` unless you give `matrix`; the host form (metrics, gallery) calls your
 * `host` function, or else `rows` on one pair at a time. Every form checks its inputs'
 * shapes and what your functions return (a NaN distance is an error naming the distance).
 * Metrics and galleries use it through `host.kind === "custom"`: exactly your distance,
 * never silently another.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { distance } from "./distance.ts";
 * await tf.setBackend("cpu");
 * // Chebyshev (L∞): the largest coordinate difference
 * const chebyshev = distance({
 *   name: "chebyshev",
 *   rows: (a, b) => tf.max(tf.abs(tf.sub(a, b)), 1),
 * });
 * const a = tf.tensor2d([[0, 0], [1, 1]]), b = tf.tensor2d([[3, -4], [1, 2]]);
 * if (chebyshev.rows(a, b).dataSync().join() !== "4,1") throw new Error("rows");
 * if (chebyshev.matrix(a, b).dataSync().join() !== "4,2,5,1") throw new Error("matrix");
 * if (chebyshev.host.pair([0, 0], [3, -4]) !== 4 || chebyshev.host.kind !== "custom") throw new Error("host");
 * ```
 */
export function distance(spec: DistanceSpec): Distance {
  const what = "define a distance";
  if (typeof spec !== "object" || spec === null) {
    throw new TypeError(
      `Cannot ${what} as spec must be an object { name, rows }: current value is ${show(spec)}`,
    );
  }
  const { name, rows, matrix, host } = spec;
  if (typeof name !== "string" || name.trim().length === 0) {
    throw new TypeError(
      `Cannot ${what} as spec.name must be a non-empty string: current value is ${show(name)}`,
    );
  }
  if ((BUILT_IN_NAMES as readonly string[]).includes(name)) {
    throw new RangeError(
      `Cannot ${what} named '${name}' as that is a built-in distance's name (use distances.${name}, or choose another name)`,
    );
  }
  for (
    const [key, value, optional] of [["rows", rows, false], ["matrix", matrix, true], [
      "host",
      host,
      true,
    ]] as const
  ) {
    if (typeof value !== "function" && !(optional && value === undefined)) {
      throw new TypeError(
        `Cannot ${what} '${name}' as spec.${key} must be a function${
          optional ? " or absent" : ""
        }: current value is ${show(value)}`,
      );
    }
  }
  const checkedRows = (a: Tensor2D, b: Tensor2D): Tensor1D => {
    checkRows(name, a, b);
    const out = tf.tidy(() => rows(a, b));
    if (!(out instanceof tf.Tensor) || out.rank !== 1 || out.shape[0] !== a.shape[0]) {
      const seen = out instanceof tf.Tensor ? `shape [${out.shape}]` : show(out);
      throw new Error(
        `Cannot compute distance '${name}' as its rows function must return a rank-1 tensor of ${
          a.shape[0]
        } values (one per row): it returned ${seen}`,
      );
    }
    return out;
  };
  const checkedMatrix: DistanceMatrix = matrix === undefined
    ? matrixFromRows(name, checkedRows)
    : (a: Tensor2D, b: Tensor2D): Tensor2D => {
      checkMatrixInputs(name, a, b);
      const out = tf.tidy(() => matrix(a, b));
      if (
        !(out instanceof tf.Tensor) || out.rank !== 2 || out.shape[0] !== a.shape[0] ||
        out.shape[1] !== b.shape[0]
      ) {
        const seen = out instanceof tf.Tensor ? `shape [${out.shape}]` : show(out);
        throw new Error(
          `Cannot compute distance '${name}' of all pairs as its matrix function must return a [${
            a.shape[0]
          }, ${b.shape[0]}] tensor: it returned ${seen}`,
        );
      }
      return out;
    };
  const checkValue = (d: number): number => {
    if (typeof d !== "number" || Number.isNaN(d)) {
      throw new Error(
        `Cannot compute distance '${name}' of two vectors as it gave ${show(d)}, not a number`,
      );
    }
    return d;
  };
  const hostForm: HostDistance = host !== undefined
    ? { kind: "custom", pair: (a, b) => checkValue(host(a, b)) }
    : {
      kind: "custom",
      pair: (a, b) => {
        const out = new Float64Array(1);
        many(Float32Array.from(a), Float32Array.from(b), 1, a.length, out);
        return out[0];
      },
      many,
    };
  function many(
    query: Float32Array,
    rowsOf: Float32Array,
    n: number,
    dim: number,
    out: Float64Array,
  ): void {
    if (n === 0) return;
    const values = tf.tidy(() => {
      const q = tf.tile(tf.tensor2d(query, [1, dim]), [n, 1]) as Tensor2D;
      const r = tf.tensor2d(rowsOf.subarray(0, n * dim), [n, dim]);
      return checkedRows(q, r);
    });
    try {
      const data = values.dataSync();
      for (let j = 0; j < n; j++) out[j] = checkValue(data[j]);
    } finally {
      values.dispose();
    }
  }
  return Object.freeze({
    name,
    rows: checkedRows,
    matrix: checkedMatrix,
    host: Object.freeze(hostForm),
  });
}
