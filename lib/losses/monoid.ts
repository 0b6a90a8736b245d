import type { Loss, LossInput } from "../types.ts";
import { plus } from "./plus.ts";
import { zero } from "./zero.ts";

/** A monoid: an associative `concat` with an identity `empty` (fp-ts's shape). */
export interface LossMonoid<I extends LossInput> {
  /** The identity. */
  readonly empty: Loss<I>;
  /** Associative combination. */
  readonly concat: (a: Loss<I>, b: Loss<I>) => Loss<I>;
}

/**
 * The monoid of losses over input `I` under {@linkcode plus}, with {@linkcode zero} as
 * identity; usable with fp-ts's `concatAll`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import type { Pair } from "../types.ts";
 * import { lossMonoid } from "./monoid.ts";
 * import { contrastive } from "./contrastive.ts";
 * await tf.setBackend("cpu");
 * const M = lossMonoid<Pair>();
 * const total = [contrastive(), contrastive({ squared: true })].reduce(M.concat, M.empty);
 * if (total.name !== "contrastive + contrastive-squared") throw new Error(total.name);
 * // a same-class pair 2 apart costs 2 + 4; the identity alone costs 0
 * const pair = { kind: "pair" as const, left: tf.tensor2d([[0, 0]]), right: tf.tensor2d([[0, 2]]), same: tf.tensor1d([1]) };
 * if (total.reduce(total.perItem(pair)).dataSync()[0] !== 6) throw new Error("concat");
 * if (M.empty.reduce(M.empty.perItem(pair)).dataSync()[0] !== 0) throw new Error("empty");
 * ```
 */
export function lossMonoid<I extends LossInput>(): LossMonoid<I> {
  return { empty: zero<I>(), concat: plus };
}
