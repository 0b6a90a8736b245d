import type { Activation, Branch } from "../types.ts";
import { append } from "./_append.ts";
import { activationName, positiveInteger } from "./_validate.ts";

/**
 * Options of {@linkcode dense}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dense, type DenseOptions } from "./dense.ts";
 * import { empty } from "./empty.ts";
 * const options: DenseOptions = { activation: "sigmoid", useBias: false };
 * assert.deepEqual(dense(3, options)(empty).stages, [{ kind: "dense", units: 3, activation: "sigmoid", useBias: false }]);
 * ```
 */
export interface DenseOptions {
  /** Applied to the output (default `"linear"`). */
  readonly activation?: Activation;
  /** Whether the layer adds a bias (default true). */
  readonly useBias?: boolean;
}

/**
 * Appends a fully connected layer of `units` outputs. Its input must be rank 2 (add
 * `flatten()` after convolutions).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pipe } from "../pipe.ts";
 * import { dense } from "./dense.ts";
 * import { empty } from "./empty.ts";
 * const b = pipe(empty, dense(64, { activation: "relu" }), dense(32));
 * // one stage per call, in order; linear with a bias unless told otherwise
 * assert.deepEqual(b.stages, [
 *   { kind: "dense", units: 64, activation: "relu", useBias: true },
 *   { kind: "dense", units: 32, activation: "linear", useBias: true },
 * ]);
 * ```
 */
export function dense(units: number, options: DenseOptions = {}): (branch: Branch) => Branch {
  return append({
    kind: "dense",
    units: positiveInteger("dense stage", "units", units),
    activation: activationName("dense stage", options.activation ?? "linear"),
    useBias: options.useBias ?? true,
  });
}
