import { xoroshiro128plusFromState } from "pure-rand/generator/xoroshiro128plus";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import type { Rng } from "../types.ts";
import { checkOptionsObject } from "./_dataset_index.ts";

/**
 * Options of {@linkcode rng}.
 *
 * @example
 * ```ts
 * import { rng, type RngOptions } from "./rng.ts";
 * const options: RngOptions = { stream: 2 };
 * if (rng(1, options).float() === rng(1).float()) throw new Error("stream 2 differs from stream 0");
 * ```
 */
export interface RngOptions {
  /**
   * Index of an independent stream derived from the same seed (default 0). Stream `i` starts
   * `i × 2^64` steps into the xoroshiro128+ sequence of `seed`, so streams never overlap in
   * practice: use one stream for sampling, another for weight initialisation, and so on.
   * An integer in `[0, 65536]`.
   */
  readonly stream?: number;
}

/**
 * A seeded random generator (xoroshiro128+ from the `pure-rand` package) implementing
 * {@linkcode Rng}. The same seed and stream always give the same numbers.
 *
 * The generator is stateful: each call of `float` or `int` advances it. Pass it to a
 * {@linkcode Sampler} to get a reproducible stream of samples.
 *
 * @param seed Any safe integer.
 * @param options Which independent stream of that seed to use.
 * @returns A fresh generator.
 *
 * @example
 * ```ts
 * import { rng } from "./rng.ts";
 * const a = rng(42);
 * const b = rng(42);
 * const drawsA = [a.int(10), a.int(10), a.float()];
 * const drawsB = [b.int(10), b.int(10), b.float()];
 * if (JSON.stringify(drawsA) !== JSON.stringify(drawsB)) throw new Error("not reproducible");
 * const other = rng(42, { stream: 1 });
 * if (other.float() === rng(42).float()) throw new Error("streams should differ");
 * ```
 */
export function rng(seed: number, options: RngOptions = {}): Rng {
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(
      `Cannot create rng as seed must be a safe integer: current seed is ${seed}`,
    );
  }
  checkOptionsObject("create rng", options);
  const stream = options.stream ?? 0;
  if (!Number.isInteger(stream) || stream < 0 || stream > 65536) {
    throw new RangeError(
      `Cannot create rng as stream must be an integer in [0, 65536]: current stream is ${stream}`,
    );
  }
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 4294967296) | 0;
  // Same state as pure-rand's xoroshiro128plus(seed) for 32-bit seeds; the high half of
  // larger seeds goes into the otherwise-constant words.
  const gen = xoroshiro128plusFromState([~hi, ~lo, lo | 0, hi]);
  for (let i = 0; i < stream; i++) gen.jump();
  return {
    float: () => uniformFloat64(gen),
    int: (n: number) => {
      if (!(n >= 1 && n <= 4294967296 && Number.isInteger(n))) {
        throw new RangeError(
          `Cannot draw rng.int(n) as n must be an integer in [1, 2^32]: current n is ${n}`,
        );
      }
      return uniformInt(gen, 0, n - 1);
    },
  };
}
