/**
 * Lazy, seeded samplers: index tuples for metric learning, and combinators over them.
 *
 * A {@linkcode Sampler} is a function of an {@linkcode Rng} giving an `Iterable`; nothing is
 * drawn until the iterable is consumed, and all randomness comes from the rng passed in.
 * Generators ({@linkcode pairs}, {@linkcode triplets}, {@linkcode pk}, {@linkcode nWay}) yield one epoch per
 * iteration; combinators ({@linkcode batch}, {@linkcode take}, {@linkcode shuffle},
 * {@linkcode repeat}, {@linkcode map}) are data-last, for `pipe`; {@linkcode seeded} ends a
 * pipe with a plain iterable.
 *
 * What one epoch means:
 * - `pairs`: every sample once as the left item; exactly `round(positiveFraction × size)`
 *   positive pairs.
 * - `triplets`: every sample whose class has ≥ 2 samples once as the anchor.
 * - `pk`: every sample at least once, in batches of exactly p classes × k samples.
 * - `nWay`: like `triplets`, with `n − 2` negatives of pairwise different classes.
 *
 * @example
 * ```ts
 * import { batch, seeded, take, triplets, repeat } from "./mod.ts";
 * import { pipe } from "../pipe.ts";
 * const labels = Int32Array.from([0, 0, 1, 1, 2, 2, 3, 3]);
 * const train = { images: new Float32Array(8), labels, shape: [1], size: 8, classNames: ["a", "b", "c", "d"] };
 * // 10 batches of 3 triplets, epochs chained: an Iterable<readonly TripletIndex[]>.
 * const batches = pipe(triplets(train), repeat(), batch(3), take(10), seeded(42));
 * let n = 0;
 * for (const b of batches) n += b.length;
 * if (n !== 30) throw new Error(`expected 30 triplets, got ${n}`);
 * ```
 *
 * @module
 */
export type {
  Dataset,
  IndexTuple,
  LabelledIndex,
  NWayIndex,
  PairIndex,
  Rng,
  Sampler,
  TripletIndex,
} from "../types.ts";
export { rng, type RngOptions } from "./rng.ts";
export { pairs, type PairsOptions } from "./pairs.ts";
export { triplets } from "./triplets.ts";
export { pk, type PkOptions } from "./pk.ts";
export { nWay, type NWayOptions } from "./n_way.ts";
export { batch, type BatchOptions } from "./batch.ts";
export { take } from "./take.ts";
export { shuffle, type ShuffleOptions } from "./shuffle.ts";
export { repeat } from "./repeat.ts";
export { map } from "./map.ts";
export { seeded } from "./seeded.ts";
