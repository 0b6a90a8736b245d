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
 * import { pipe } from "../pipe.ts";
 * import { dense } from "./dense.ts";
 * import { empty } from "./empty.ts";
 * import { l2Normalize } from "./l2_normalize.ts";
 * const b = pipe(empty, dense(8), l2Normalize({ epsilon: 1e-6 }));
 * const last = b.stages[1];
 * if (b.stages.length !== 2 || last.kind !== "l2Normalize" || last.epsilon !== 1e-6) throw new Error("l2Normalize");
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
