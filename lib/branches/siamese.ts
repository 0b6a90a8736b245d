import type { Branch, Model, Pair } from "../types.ts";
import { checkBranch } from "./_check_branch.ts";

/**
 * A Siamese model: one branch (one weight set) applied to the left and the right item of each
 * pair. Compiled with a `Loss<Pair>` (BCE head, contrastive, …).
 *
 * @example
 * ```ts
 * import { siamese } from "./siamese.ts";
 * import { dense } from "./dense.ts";
 * import { empty } from "./empty.ts";
 * const branch = dense(8)(empty);
 * const m = siamese(branch);
 * if (m.kind !== "pair" || m.arity !== 2 || m.branch !== branch) throw new Error("siamese");
 * ```
 */
export function siamese(branch: Branch): Model<Pair> {
  return { kind: "pair", arity: 2, branch: checkBranch("siamese", branch) };
}
