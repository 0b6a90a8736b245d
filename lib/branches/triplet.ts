import type { Branch, Model, Triplet } from "../types.ts";
import { checkBranch } from "./_check_branch.ts";

/**
 * A triplet model: one branch (one weight set) applied to anchor, positive and negative.
 * Compiled with a `Loss<Triplet>` (triplet margin, soft-margin triplet, …).
 *
 * @example
 * ```ts
 * import { triplet } from "./triplet.ts";
 * import { dense } from "./dense.ts";
 * import { empty } from "./empty.ts";
 * const branch = dense(8)(empty);
 * const m = triplet(branch);
 * if (m.kind !== "triplet" || m.arity !== 3 || m.branch !== branch) throw new Error("triplet");
 * ```
 */
export function triplet(branch: Branch): Model<Triplet> {
  return { kind: "triplet", arity: 3, branch: checkBranch("triplet", branch) };
}
