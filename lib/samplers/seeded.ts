import type { Sampler } from "../types.ts";
import { rng, type RngOptions } from "./rng.ts";

/**
 * Runs a sampler from a seed (data-last, the last step of a `pipe`): the result is a plain
 * `Iterable`, e.g. the `Iterable<readonly TripletIndex[]>` of batches a training loop consumes.
 *
 * The generator is created once, from `seed`: the first iteration gives the sampler's first
 * epoch; iterating the same iterable again continues the same random stream (the next epoch,
 * in a new order), so a loop that iterates it once per epoch sees fresh epochs, and the whole
 * run is reproducible. Call `seeded(seed)` again to replay from the start.
 *
 * @param seed The seed of {@linkcode rng}.
 * @param options Which independent stream of that seed.
 * @returns A function from a sampler to an iterable of its items.
 *
 * @example
 * ```ts
 * import { seeded } from "./seeded.ts";
 * import { triplets } from "./triplets.ts";
 * import { batch } from "./batch.ts";
 * import { take } from "./take.ts";
 * import { repeat } from "./repeat.ts";
 * import { pipe } from "../pipe.ts";
 * const labels = Int32Array.from([0, 0, 1, 1, 2, 2]);
 * const train = { images: new Float32Array(6), labels, shape: [1], size: 6, classNames: ["a", "b", "c"] };
 * const batches = pipe(triplets(train), repeat(), batch(4), take(5), seeded(1));
 * const first = [...batches];
 * if (first.length !== 5 || first[0].length !== 4) throw new Error("5 batches of 4");
 * const again = [...pipe(triplets(train), repeat(), batch(4), take(5), seeded(1))];
 * if (JSON.stringify(again) !== JSON.stringify(first)) throw new Error("same seed, same batches");
 * ```
 */
export function seeded(
  seed: number,
  options: RngOptions = {},
): <A>(sampler: Sampler<A>) => Iterable<A> {
  return <A>(sampler: Sampler<A>): Iterable<A> => {
    const r = rng(seed, options);
    return { [Symbol.iterator]: () => sampler(r)[Symbol.iterator]() };
  };
}
