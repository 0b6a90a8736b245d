import type { Branch, Labelled, Model } from "../types.ts";
import { checkBranch } from "./_check_branch.ts";

/**
 * A single-branch model over labelled items: for in-batch mining losses (every pair or
 * triplet of the batch) and for classification baselines (`losses.softmaxCrossEntropy`).
 *
 * @example
 * ```ts
 * import { labelled } from "./labelled.ts";
 * import { dense } from "./dense.ts";
 * import { empty } from "./empty.ts";
 * const branch = dense(8)(empty);
 * const m = labelled(branch);
 * if (m.kind !== "labelled" || m.arity !== 1 || m.branch !== branch) throw new Error("labelled");
 * ```
 */
export function labelled(branch: Branch): Model<Labelled> {
  return { kind: "labelled", arity: 1, branch: checkBranch("labelled", branch) };
}
