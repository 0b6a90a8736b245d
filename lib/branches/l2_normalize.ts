import type { Branch } from "../types.ts";
import { append } from "./_append.ts";
import { positive } from "./_validate.ts";

/**
 * Appends L2 normalisation of each row: `x / max(‖x‖, epsilon)`, so embeddings lie on the unit
 * sphere (Euclidean distances in [0, 2]; a margin of 1 then suits any embedding size).
 * Compiles to the registered custom layer `L2Normalize`, so saved models load.
 *
 * @example
 * ```ts
 * import { l2Normalize } from "./l2_normalize.ts";
 * import { empty } from "./empty.ts";
 * if (l2Normalize()(empty).stages[0].kind !== "l2Normalize") throw new Error("l2Normalize");
 * ```
 */
export function l2Normalize(options: { readonly epsilon?: number } = {}): (
  branch: Branch,
) => Branch {
  return append({
    kind: "l2Normalize",
    epsilon: positive("l2Normalize stage", "epsilon", options.epsilon ?? 1e-12),
  });
}
