import type { Rng, Sampler } from "../types.ts";

/**
 * Applies `f` to every item of a sampler, lazily (data-last, for `pipe`): `f` runs when an
 * item is pulled, so `map(toTensors(dataset))` creates a batch's tensors only when the
 * training loop asks for that batch.
 *
 * @param f The function applied to each item.
 * @returns A function from a sampler of `A` to a sampler of `B`.
 *
 * @example
 * ```ts
 * import { map } from "./map.ts";
 * import { rng } from "./rng.ts";
 * import type { Rng } from "../types.ts";
 * const three = function* (_: Rng) { yield* [1, 2, 3]; };
 * const got = [...map((n: number) => n * 10)(three)(rng(0))];
 * if (got.join() !== "10,20,30") throw new Error(got.join());
 * ```
 */
export function map<A, B>(f: (a: A) => B): (sampler: Sampler<A>) => Sampler<B> {
  return (sampler: Sampler<A>): Sampler<B> =>
    function* (rng: Rng): Iterable<B> {
      for (const item of sampler(rng)) yield f(item);
    };
}
