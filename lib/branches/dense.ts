import type { Activation, Branch } from "../types.ts";
import { append } from "./_append.ts";
import { activationName, positiveInteger } from "./_validate.ts";

/** Options of {@linkcode dense}. */
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
 * import { pipe } from "../pipe.ts";
 * import { dense } from "./dense.ts";
 * import { empty } from "./empty.ts";
 * const b = pipe(empty, dense(64, { activation: "relu" }), dense(32));
 * if (b.stages.length !== 2) throw new Error("dense");
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
