import * as tf from "@tensorflow/tfjs";
import type { Loss, LossInput, Reducer, Scalar } from "../types.ts";
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

/**
 * A monoid of {@linkcode Reducer}s (fp-ts's `Monoid<Reducer>` shape), see
 * {@linkcode reducerMonoid}.
 *
 * @example
 * ```ts
 * import { reducerMonoid, type ReducerMonoid } from "./monoid.ts";
 * import { mean } from "./mean.ts";
 * const M: ReducerMonoid = reducerMonoid();
 * // the identity leaves a reducer as it is
 * if (M.concat(mean, M.empty) !== mean || M.concat(M.empty, mean) !== mean) throw new Error("identity");
 * ```
 */
export interface ReducerMonoid {
  /** The identity: the reducer whose value is always 0. */
  readonly empty: Reducer;
  /** Pointwise addition: `concat(r, s)(x)` is `r(x) + s(x)`. */
  readonly concat: (r: Reducer, s: Reducer) => Reducer;
}

/**
 * Reducers (per-item losses → one scalar) under pointwise addition:
 * `concat(r, s)(perItem) = r(perItem) + s(perItem)`, with the always-0 reducer as `empty`
 * (`concat` with it returns the other reducer itself, so the identity is exact). This is the
 * algebra {@linkcode plus} uses when two losses reduce differently; with it one loss can be
 * reduced several ways at once, e.g. `concatAll(M)([mean, meanNonZero])` from fp-ts.
 * Associative as real addition is; in float32 the grouping may change the last bit.
 *
 * @returns The monoid.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { reducerMonoid } from "./monoid.ts";
 * import { mean } from "./mean.ts";
 * import { meanNonZero } from "./mean_non_zero.ts";
 * import { sum } from "./sum.ts";
 * await tf.setBackend("cpu");
 * const M = reducerMonoid();
 * const both = [mean, meanNonZero, sum].reduce(M.concat, M.empty);
 * const perItem = tf.tensor1d([0, 2, 4]);
 * // mean 2, mean of the non-zero 3, sum 6
 * if (both(perItem).dataSync()[0] !== 11) throw new Error("pointwise sum");
 * if (M.empty(perItem).dataSync()[0] !== 0) throw new Error("empty");
 * ```
 */
export function reducerMonoid(): ReducerMonoid {
  return { empty: noReduction, concat: addReducers };
}

/** The always-0 reducer: the identity of {@linkcode reducerMonoid}. */
const noReduction: Reducer = () => tf.scalar(0);

function addReducers(r: Reducer, s: Reducer): Reducer {
  if (r === noReduction) return s;
  if (s === noReduction) return r;
  return (perItem) => tf.tidy(() => tf.add(r(perItem), s(perItem)) as Scalar);
}
