import type { Branch } from "../types.ts";

/**
 * Appends every stage of `next` (data-last, for `pipe`): a projection head on a backbone,
 * say.
 *
 * @example
 * ```ts
 * import { pipe } from "../pipe.ts";
 * import { dense } from "./dense.ts";
 * import { empty } from "./empty.ts";
 * import { then } from "./then.ts";
 * const head = pipe(empty, dense(16), dense(8));
 * const b = pipe(empty, dense(32), then(head));
 * // the head's stages follow the branch's
 * const units = b.stages.map((s) => s.kind === "dense" ? s.units : 0).join();
 * if (units !== "32,16,8") throw new Error(units);
 * ```
 */
export function then(next: Branch): (branch: Branch) => Branch {
  return (branch) => ({ kind: "branch", stages: [...branch.stages, ...next.stages] });
}
