import type { Distance, HostDistance } from "../types.ts";
import { cosine } from "./cosine.ts";
import { dot } from "./dot.ts";
import { euclidean } from "./euclidean.ts";
import { manhattan } from "./manhattan.ts";
import { squaredEuclidean } from "./squared_euclidean.ts";

/**
 * Writes into `out[j]` the distance of `query` to row `j` of `rows` (`n × dim`, row-major)
 * with `host`'s `many` when it has one, else its `pair` on each row. The one host loop that
 * the metrics' scans and the gallery's search run for `"custom"` distances.
 *
 * @example
 * ```ts
 * import { hostRow } from "./host.ts";
 * import { manhattan } from "./manhattan.ts";
 * const out = new Float64Array(2);
 * hostRow(manhattan.host, new Float32Array([0, 0]), new Float32Array([1, 2, -3, 0]), 2, 2, out);
 * if (out.join() !== "3,3") throw new Error(`${out}`);
 * ```
 */
export function hostRow(
  host: HostDistance,
  query: Float32Array,
  rows: Float32Array,
  n: number,
  dim: number,
  out: Float64Array,
): void {
  if (host.many !== undefined) return host.many(query, rows, n, dim, out);
  for (let j = 0; j < n; j++) out[j] = host.pair(query, rows.subarray(j * dim, (j + 1) * dim));
}

const BUILT_INS: readonly Distance[] = [euclidean, squaredEuclidean, cosine, manhattan, dot];

/**
 * The built-in distance of that name, or undefined (e.g. to reopen a gallery file that
 * records its distance's name).
 *
 * @example
 * ```ts
 * import { builtInDistance } from "./host.ts";
 * import { cosine } from "./cosine.ts";
 * if (builtInDistance("cosine") !== cosine || builtInDistance("mine") !== undefined) throw new Error("lookup");
 * ```
 */
export function builtInDistance(name: string): Distance | undefined {
  return BUILT_INS.find((d) => d.name === name);
}

/**
 * Throws unless `value` is a {@linkcode Distance} record (a name, `rows`, `matrix` and a
 * `host` with a kind and `pair`); `what` says what was being done, `arg` names the argument.
 *
 * @example
 * ```ts
 * import { checkDistance } from "./host.ts";
 * import { cosine } from "./cosine.ts";
 * checkDistance("evaluate", "options.distance", cosine); // fine
 * let message = "";
 * try {
 *   checkDistance("evaluate", "options.distance", "cosine");
 * } catch (error) {
 *   message = String(error);
 * }
 * if (!message.includes("options.distance")) throw new Error(message);
 * ```
 */
export function checkDistance(what: string, arg: string, value: unknown): Distance {
  const d = value as Partial<Distance> | null;
  const ok = typeof d === "object" && d !== null && typeof d.name === "string" &&
    typeof d.rows === "function" && typeof d.matrix === "function" &&
    typeof d.host === "object" && d.host !== null && typeof d.host.pair === "function" &&
    typeof d.host.kind === "string";
  if (!ok) {
    const seen = typeof value === "string"
      ? `the string ${JSON.stringify(value)}${
        builtInDistance(value) ? ` (pass distances.${value} instead)` : ""
      }`
      : typeof value === "function"
      ? "a function (pass a Distance record: distances.euclidean, or distances.distance({ name, rows }))"
      : String(value === null ? "null" : JSON.stringify(value) ?? value);
    throw new TypeError(
      `Cannot ${what} as ${arg} must be a Distance record (distances.euclidean, distances.cosine, …): current value is ${seen}`,
    );
  }
  return value as Distance;
}
