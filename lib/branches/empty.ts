import type { Branch } from "../types.ts";

/**
 * The branch with no stages (the identity): the start of a hand-built branch.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { empty } from "./empty.ts";
 * import { dense } from "./dense.ts";
 * // the branch with no stages: the start of every pipe, and left unchanged by it
 * assert.deepEqual(empty, { kind: "branch", stages: [] });
 * assert.equal(dense(4)(empty).stages.length, 1);
 * assert.equal(empty.stages.length, 0);
 * ```
 */
export const empty: Branch = { kind: "branch", stages: [] };
