import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";

/** A seeded uniform [0, 1) source and a standard normal source drawn from it. */
export interface SeededRandom {
  readonly float: () => number;
  readonly gauss: () => number;
}

/** A seeded generator (xoroshiro128+ from pure-rand); same seed, same numbers. */
export function seededRandom(seed: number): SeededRandom {
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(
      `Cannot seed the generator as seed must be a safe integer: current seed is ${seed}`,
    );
  }
  const gen = xoroshiro128plus(seed | 0);
  const float = () => uniformFloat64(gen);
  let spare: number | undefined;
  const gauss = () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    // Box-Muller on (0, 1] so that the logarithm stays finite.
    const u = 1 - float();
    const v = float();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  return { float, gauss };
}
