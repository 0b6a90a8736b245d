/**
 * A seeded random generator (xoroshiro128+ from pure-rand) for the metrics' sampling.
 *
 * @module
 */
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { uniformInt } from "pure-rand/distribution/uniformInt";

/** A uniform integer source in [0, n), seeded. */
export interface IntSource {
  /** A uniform integer in [0, n). */
  int(n: number): number;
}

/** A generator seeded with `seed` (an integer); the same seed gives the same draws. */
export function seededInts(seed: number): IntSource {
  const rng = xoroshiro128plus(seed | 0);
  return { int: (n: number) => uniformInt(rng, 0, n - 1) };
}
