import type { Rng, Sampler } from "../types.ts";

/**
 * Runs a sampler `times` times in a row (data-last, for `pipe`): `times` epochs. Each epoch
 * calls the sampler again with the same, advancing rng, so every epoch has a new random
 * order. The default, `Infinity`, repeats forever: bound it with `take`.
 *
 * An epoch that yields nothing ends the repetition (so repeating an empty sampler forever
 * ends at once instead of hanging).
 *
 * @param times Number of epochs: an integer ≥ 0 or `Infinity` (default).
 * @returns A function from a sampler to a sampler of `times` epochs.
 *
 * @example
 * ```ts
 * import { repeat } from "./repeat.ts";
 * import { rng } from "./rng.ts";
 * import type { Rng } from "../types.ts";
 * const abc = function* (_: Rng) { yield* ["a", "b", "c"]; };
 * const got = [...repeat(2)(abc)(rng(0))].join("");
 * if (got !== "abcabc") throw new Error(got);
 * ```
 */
export function repeat(times: number = Infinity): <A>(sampler: Sampler<A>) => Sampler<A> {
  if (!(times === Infinity || (Number.isInteger(times) && times >= 0))) {
    throw new RangeError(
      `Cannot repeat as times must be an integer ≥ 0 or Infinity: current times is ${times}`,
    );
  }
  return <A>(sampler: Sampler<A>): Sampler<A> =>
    function* (rng: Rng): Iterable<A> {
      for (let epoch = 0; epoch < times; epoch++) {
        let yielded = false;
        for (const item of sampler(rng)) {
          yielded = true;
          yield item;
        }
        if (!yielded) return;
      }
    };
}
