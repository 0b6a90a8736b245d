import * as tf from "@tensorflow/tfjs";
import type { Loss, LossInput } from "../types.ts";
import { ZEROS } from "./_zero.ts";
import { sum } from "./sum.ts";

/**
 * The identity of {@linkcode plus}: the loss that is always 0. `plus(zero(), l)` and
 * `plus(l, zero())` return `l` itself.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { zero } from "./zero.ts";
 * import { plus } from "./plus.ts";
 * import { contrastive } from "./contrastive.ts";
 * const c = contrastive();
 * if (plus(zero(), c) !== c || plus(c, zero()) !== c) throw new Error("zero");
 * ```
 */
export function zero<I extends LossInput>(): Loss<I> {
  const loss: Loss<I> = { name: "zero", perItem: () => tf.zeros([1]), reduce: sum };
  ZEROS.add(loss);
  return loss;
}
