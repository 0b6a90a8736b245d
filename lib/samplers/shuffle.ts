import type { Rng, Sampler } from "../types.ts";
import { checkInteger, checkOptionsObject } from "./_dataset_index.ts";

/**
 * Options of {@linkcode shuffle}.
 *
 * @example
 * ```ts
 * import { shuffle, type ShuffleOptions } from "./shuffle.ts";
 * import { take } from "./take.ts";
 * import { rng } from "./rng.ts";
 * import type { Rng } from "../types.ts";
 * const naturals = function* (_: Rng) { for (let i = 0; ; i++) yield i; };
 * const options: ShuffleOptions = { buffer: 2 };
 * const got = [...take(20)(shuffle(options)(naturals))(rng(5))];
 * // an endless source still streams: with 2 items held, position t can only hold an item ≤ t + 1
 * if (got.some((v, t) => v > t + 1) || new Set(got).size !== 20) throw new Error(got.join());
 * if (got.every((v, t) => v === t)) throw new Error("not shuffled");
 * ```
 */
export interface ShuffleOptions {
  /**
   * Items held in the shuffle buffer (default 65,536). A source no longer than the buffer is
   * shuffled uniformly; a longer (or endless) one is shuffled locally, with bounded memory.
   */
  readonly buffer?: number;
}

/**
 * Shuffles a sampler's items with its rng (data-last, for `pipe`), through a buffer of
 * bounded size: fill the buffer, then for each new item emit a random buffered one and put
 * the new one in its place; at the end emit the rest in random order.
 *
 * The generators already shuffle within an epoch; use `shuffle` to mix items across epochs
 * (`pipe(s, repeat(3), shuffle())`) or to shuffle a user sampler.
 *
 * @param options The buffer size.
 * @returns A function from a sampler to a sampler of the same items in random order.
 *
 * @example
 * ```ts
 * import { shuffle } from "./shuffle.ts";
 * import { rng } from "./rng.ts";
 * import type { Rng } from "../types.ts";
 * const ten = function* (_: Rng) { for (let i = 0; i < 10; i++) yield i; };
 * const got = [...shuffle()(ten)(rng(5))];
 * if ([...got].sort((a, b) => a - b).join() !== "0,1,2,3,4,5,6,7,8,9") throw new Error("lost items");
 * if (got.join() === "0,1,2,3,4,5,6,7,8,9") throw new Error("not shuffled");
 * ```
 */
export function shuffle(options: ShuffleOptions = {}): <A>(sampler: Sampler<A>) => Sampler<A> {
  checkOptionsObject("shuffle", options);
  const size = options.buffer ?? 65536;
  checkInteger("shuffle", "buffer", size, 1);
  return <A>(sampler: Sampler<A>): Sampler<A> =>
    function* (rng: Rng): Iterable<A> {
      const buffer: A[] = [];
      for (const item of sampler(rng)) {
        if (buffer.length < size) {
          buffer.push(item);
          continue;
        }
        const j = rng.int(size);
        const out = buffer[j];
        buffer[j] = item;
        yield out;
      }
      for (let i = buffer.length - 1; i >= 0; i--) {
        const j = rng.int(i + 1);
        const out = buffer[j];
        buffer[j] = buffer[i];
        yield out;
      }
    };
}
