import type { Rng, Sampler } from "../types.ts";
import { checkInteger } from "./_dataset_index.ts";

/**
 * The first `count` items of a sampler (data-last, for `pipe`). Never pulls more than `count`
 * items from the source, so it bounds an endless sampler such as `repeat()`'s.
 *
 * @param count How many items, an integer ≥ 0.
 * @returns A function from a sampler to a sampler of at most `count` items.
 *
 * @example
 * ```ts
 * import { take } from "./take.ts";
 * import { rng } from "./rng.ts";
 * import type { Rng } from "../types.ts";
 * const naturals = function* (_: Rng) { for (let i = 0; ; i++) yield i; };
 * const got = [...take(3)(naturals)(rng(0))];
 * if (JSON.stringify(got) !== "[0,1,2]") throw new Error(JSON.stringify(got));
 * ```
 */
export function take(count: number): <A>(sampler: Sampler<A>) => Sampler<A> {
  checkInteger("take", "count", count, 0);
  return <A>(sampler: Sampler<A>): Sampler<A> =>
    function* (rng: Rng): Iterable<A> {
      if (count === 0) return;
      let n = 0;
      for (const item of sampler(rng)) {
        yield item;
        if (++n >= count) return;
      }
    };
}
