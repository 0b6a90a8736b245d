import type { Branch, Model, NWay } from "../types.ts";
import { checkBranch } from "./_check_branch.ts";

/**
 * An N-way model: one branch (one weight set) applied to `n` items — an anchor, a positive and
 * `n − 2` negatives (see {@linkcode NWay}). `n` must be at least 2.
 *
 * @example
 * ```ts
 * import { nWay } from "./n_way.ts";
 * import { dense } from "./dense.ts";
 * import { empty } from "./empty.ts";
 * const branch = dense(8)(empty);
 * const m = nWay(5, branch);
 * if (m.kind !== "nway" || m.arity !== 5 || m.branch !== branch) throw new Error("nWay");
 * ```
 */
export function nWay(n: number, branch: Branch): Model<NWay> {
  if (!Number.isInteger(n) || n < 2) {
    throw new Error(`Cannot build nWay model as n must be an integer ≥ 2: current value is ${n}`);
  }
  return { kind: "nway", arity: n, branch: checkBranch("nWay", branch) };
}
