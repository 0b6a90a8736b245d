import type { Branch, Model, NWay, Tensor2D } from "../types.ts";
import { checkBranch } from "./_check_branch.ts";

/**
 * An N-way model: one branch (one weight set) applied to `n` items — an anchor, a positive and
 * `n − 2` negatives (see {@linkcode NWay}). `n` must be an integer ≥ 2.
 *
 * The arity is part of the type: `nWay(4, b)` is a `Model<NWay<Tensor2D, 4>>`, so a compiled
 * program's `trainStep` takes batches whose `items` hold exactly 4 tensors (a batch of another
 * length does not compile, and is refused at run time with both numbers named). Feed it with
 * `samplers.nWay(dataset, { n: 4 })` and `data.tensorBatches(dataset)`.
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
export function nWay<N extends number>(n: N, branch: Branch): Model<NWay<Tensor2D, N>> {
  if (!Number.isInteger(n) || n < 2) {
    throw new Error(`Cannot build nWay model as n must be an integer ≥ 2: current value is ${n}`);
  }
  const model: Model<NWay<Tensor2D, number>> = {
    kind: "nway",
    arity: n,
    branch: checkBranch("nWay", branch),
  };
  // `arity` is the `n` given, so the literal type `N` is its type (TypeScript cannot see
  // through the conditional `ArityOf` on an unresolved `N`).
  return model as unknown as Model<NWay<Tensor2D, N>>;
}
