import type { Branch } from "../types.ts";
import { append } from "./_append.ts";
import { fraction } from "./_validate.ts";

/**
 * Appends dropout: in training, each value is zeroed with probability `rate` (the rest scaled
 * by `1 / (1 − rate)`); identity at inference. Its masks come from the program's seed.
 *
 * @example
 * ```ts
 * import { dropout } from "./dropout.ts";
 * import { empty } from "./empty.ts";
 * if (dropout(0.5)(empty).stages[0].kind !== "dropout") throw new Error("dropout");
 * ```
 */
export function dropout(rate: number): (branch: Branch) => Branch {
  return append({ kind: "dropout", rate: fraction("dropout stage", "rate", rate) });
}
