import type { Branch } from "../types.ts";

/**
 * Appends every stage of `next` (data-last, for `pipe`): a projection head on a backbone,
 * say. (Named `andThen`, not `then`: a module exporting `then` looks like a promise, and
 * `await import(…)` of it never resolves.)
 *
 * @example
 * ```ts
 * import { pipe } from "../pipe.ts";
 * import { dense } from "./dense.ts";
 * import { empty } from "./empty.ts";
 * import { andThen } from "./and_then.ts";
 * const head = pipe(empty, dense(16), dense(8));
 * const b = pipe(empty, dense(32), andThen(head));
 * // the head's stages follow the branch's
 * const units = b.stages.map((s) => s.kind === "dense" ? s.units : 0).join();
 * if (units !== "32,16,8") throw new Error(units);
 * ```
 */
export function andThen(next: Branch): (branch: Branch) => Branch {
  return (branch) => ({ kind: "branch", stages: [...branch.stages, ...next.stages] });
}
