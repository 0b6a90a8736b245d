import type { Rng, Sampler } from "../types.ts";
import { checkInteger, checkOptionsObject } from "./_dataset_index.ts";

/**
 * Options of {@linkcode batch}.
 *
 * @example
 * ```ts
 * import { batch, type BatchOptions } from "./batch.ts";
 * import { rng } from "./rng.ts";
 * import type { Rng } from "../types.ts";
 * const five = function* (_: Rng) { yield* [1, 2, 3, 4, 5]; };
 * const options: BatchOptions = { dropRemainder: true };
 * // batches of 2: the short last batch [5] is dropped
 * const got = [...batch(2, options)(five)(rng(0))];
 * if (JSON.stringify(got) !== "[[1,2],[3,4]]") throw new Error(JSON.stringify(got));
 * ```
 */
export interface BatchOptions {
  /**
   * Drop a last batch smaller than `size` (default false: it is yielded). Useful when the
   * step function needs a fixed batch size.
   */
  readonly dropRemainder?: boolean;
}

/**
 * Groups consecutive items of a sampler into arrays of `size` (data-last, for `pipe`).
 *
 * Batches follow the source: `batch` after `repeat` lets batches straddle epochs; `batch`
 * before `repeat` keeps each epoch's batches to itself (the last may be smaller unless
 * `dropRemainder`). Lazy: a batch is collected only when pulled.
 *
 * @param size Items per batch, an integer ≥ 1.
 * @param options Whether to drop a short last batch.
 * @returns A function from a sampler of items to a sampler of batches.
 *
 * @example
 * ```ts
 * import { batch } from "./batch.ts";
 * import { rng } from "./rng.ts";
 * import type { Rng } from "../types.ts";
 * const five = function* (_: Rng) { yield* [1, 2, 3, 4, 5]; };
 * const got = [...batch(2)(five)(rng(0))];
 * if (JSON.stringify(got) !== "[[1,2],[3,4],[5]]") throw new Error(JSON.stringify(got));
 * const full = [...batch(2, { dropRemainder: true })(five)(rng(0))];
 * if (full.length !== 2) throw new Error("short batch dropped");
 * ```
 */
export function batch(
  size: number,
  options: BatchOptions = {},
): <A>(sampler: Sampler<A>) => Sampler<readonly A[]> {
  checkInteger("batch", "size", size, 1);
  checkOptionsObject("batch", options);
  const drop = options.dropRemainder ?? false;
  return <A>(sampler: Sampler<A>): Sampler<readonly A[]> =>
    function* (rng: Rng): Iterable<readonly A[]> {
      let current: A[] = [];
      for (const item of sampler(rng)) {
        current.push(item);
        if (current.length === size) {
          yield current;
          current = [];
        }
      }
      if (current.length > 0 && !drop) yield current;
    };
}
