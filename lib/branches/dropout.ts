import type { Branch } from "../types.ts";
import { append } from "./_append.ts";
import { fraction } from "./_validate.ts";

/**
 * Appends dropout: in training, each value is zeroed with probability `rate` (the rest scaled
 * by `1 / (1 − rate)`); identity at inference. Its masks come from the program's seed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dropout } from "./dropout.ts";
 * import { empty } from "./empty.ts";
 * assert.deepEqual(dropout(0.3)(empty).stages, [{ kind: "dropout", rate: 0.3 }]);
 * ```
 */
export function dropout(rate: number): (branch: Branch) => Branch {
  return append({ kind: "dropout", rate: fraction("dropout stage", "rate", rate) });
}
