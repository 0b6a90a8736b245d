import type { Branch } from "../types.ts";

/**
 * The branch with no stages (the identity): the start of a hand-built branch.
 *
 * @example
 * ```ts
 * import { empty } from "./empty.ts";
 * import { dense } from "./dense.ts";
 * const b = dense(4)(empty);
 * if (b.stages.length !== 1) throw new Error("empty");
 * ```
 */
export const empty: Branch = { kind: "branch", stages: [] };
