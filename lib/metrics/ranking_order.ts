/**
 * The order in which likeness ranks candidates for a query, as values users of fp-ts
 * recognise: an `Ord` (sort with it: fp-ts's `ReadonlyArray.sort(ord)`), the `Semigroup`
 * "the nearer of two", and the `Monoid` "the k nearest of two lists" (merge the k nearest of
 * chunks or shards into the k nearest of all). The shapes are fp-ts's (`Ord`, `Semigroup`,
 * `Monoid` from `fp-ts/Ord`, `fp-ts/Semigroup`, `fp-ts/Monoid`), declared here so that
 * likeness does not depend on fp-ts.
 *
 * @module
 */
import type { TieRule } from "./embedding_set.ts";

/**
 * A total order (fp-ts's `Ord<A>` shape): `compare` answers -1 (first before second), 0 or
 * 1, and `equals` agrees with it.
 *
 * @example
 * ```ts
 * import type { Ord } from "./ranking_order.ts";
 * const byLength: Ord<string> = {
 *   equals: (x, y) => x.length === y.length,
 *   compare: (x, y) => (x.length < y.length ? -1 : x.length > y.length ? 1 : 0),
 * };
 * if (["ccc", "a", "bb"].sort(byLength.compare).join() !== "a,bb,ccc") throw new Error("sort");
 * ```
 */
export interface Ord<A> {
  /** Whether `x` and `y` are equal in this order (`compare(x, y) === 0`). */
  readonly equals: (x: A, y: A) => boolean;
  /** -1 when `first` comes before `second`, 1 when after, 0 when equal. */
  readonly compare: (first: A, second: A) => -1 | 0 | 1;
}

/**
 * An associative combination (fp-ts's `Semigroup<A>` shape): `concat(concat(a, b), c)` equals
 * `concat(a, concat(b, c))`.
 *
 * @example
 * ```ts
 * import type { Semigroup } from "./ranking_order.ts";
 * const longest: Semigroup<string> = { concat: (x, y) => (y.length > x.length ? y : x) };
 * if (["a", "ccc", "bb"].reduce(longest.concat) !== "ccc") throw new Error("longest");
 * ```
 */
export interface Semigroup<A> {
  /** Combines two values, associatively. */
  readonly concat: (x: A, y: A) => A;
}

/**
 * A semigroup with an identity (fp-ts's `Monoid<A>` shape): `concat(empty, a)` and
 * `concat(a, empty)` equal `a`.
 *
 * @example
 * ```ts
 * import type { Monoid } from "./ranking_order.ts";
 * const total: Monoid<number> = { concat: (x, y) => x + y, empty: 0 };
 * if ([1, 2, 3].reduce(total.concat, total.empty) !== 6) throw new Error("sum");
 * ```
 */
export interface Monoid<A> extends Semigroup<A> {
  /** The identity of `concat`. */
  readonly empty: A;
}

/**
 * A candidate in a query's ranking: its distance to the query, its position among the rows,
 * and (optionally) whether it is of the query's class.
 *
 * @example
 * ```ts
 * import type { Candidate } from "./ranking_order.ts";
 * const c: Candidate = { distance: 0.5, index: 3, match: true };
 * if (c.index !== 3) throw new Error("index");
 * ```
 */
export interface Candidate {
  /** Distance to the query: smaller is nearer. Any number but NaN (-Infinity to Infinity). */
  readonly distance: number;
  /** Position among the candidates (a row number, an insertion order): the last tie-breaker. */
  readonly index: number;
  /** Whether the candidate shares the query's class; decides exact ties by the tie rule. */
  readonly match?: boolean;
}

/** The ranking's compare, fixed for one tie rule. */
function comparator(ties: TieRule): (a: Candidate, b: Candidate) => -1 | 0 | 1 {
  if (ties !== "pessimistic" && ties !== "optimistic") {
    throw new RangeError(
      `Cannot order candidates as ties must be "pessimistic" or "optimistic": current value is ${
        JSON.stringify(ties)
      }`,
    );
  }
  // At an exact tie, pessimistic: a non-match (match false) first, then a candidate that does
  // not say, then a match; optimistic: the reverse. (Three ranks, not "only when both say",
  // which would make equality intransitive: false ~ unknown ~ true but false ≠ true.)
  const firstMatch = ties === "optimistic";
  const rank = (m: boolean | undefined) => (m === undefined ? 1 : m === firstMatch ? 0 : 2);
  return (a, b) => {
    const da = a.distance, db = b.distance;
    if (da < db) return -1;
    if (da > db) return 1;
    if (da !== db) {
      // only NaN compares neither less, greater nor equal: it has no place in a ranking
      const [bad, which] = da !== da ? [a, "first"] : [b, "second"];
      throw new RangeError(
        `Cannot order candidates as the ${which} candidate's distance must be a number: current value is ${bad.distance} (index ${bad.index})`,
      );
    }
    if (a.match !== b.match) return rank(a.match) < rank(b.match) ? -1 : 1;
    return a.index < b.index ? -1 : a.index > b.index ? 1 : 0;
  };
}

/**
 * The order in which likeness ranks candidates for a query (fp-ts's `Ord` shape): nearest
 * first; at exactly the same distance a non-match before a match (`ties: "pessimistic"`,
 * the default — ties never flatter an embedding) or a match first (`"optimistic"`), as the
 * retrieval metrics count them ({@linkcode TieRule}); then the lower `index`. A candidate
 * without `match` sits between a non-match and a match at its distance (so the order stays
 * transitive); candidates that all lack it are ordered by distance, then index — the order of
 * `evaluate`'s neighbour lists and of gallery hits. A NaN distance is a RangeError naming the
 * candidate, never a silent place in the ranking.
 *
 * @param ties The tie rule between a match and a non-match at the same distance.
 * @returns The order; its `compare` works with `Array.prototype.sort` and fp-ts's `sort`.
 *
 * @example
 * ```ts
 * import { rankingOrd } from "./ranking_order.ts";
 * const candidates = [
 *   { distance: 2, index: 0, match: true },
 *   { distance: 1, index: 1, match: true },
 *   { distance: 1, index: 2, match: false },
 *   { distance: 3, index: 3, match: false },
 * ];
 * const order = (ties?: "pessimistic" | "optimistic") => [...candidates].sort(rankingOrd(ties).compare).map((c) => c.index).join();
 * // the tie at distance 1: the non-match (2) first, or with optimistic ties the match (1)
 * if (order() !== "2,1,0,3") throw new Error(order());
 * if (order("optimistic") !== "1,2,0,3") throw new Error(order("optimistic"));
 * // NaN has no place in a ranking
 * const nan = { distance: NaN, index: 7 };
 * let message = "";
 * try { rankingOrd().compare(nan, candidates[0]); } catch (e) { message = (e as Error).message; }
 * if (!message.includes("NaN (index 7)")) throw new Error(message);
 * ```
 */
export function rankingOrd(ties: TieRule = "pessimistic"): Ord<Candidate> {
  const compare = comparator(ties);
  return { compare, equals: (x, y) => compare(x, y) === 0 };
}

/**
 * "The nearer of two candidates" in the ranking order (fp-ts's `Semigroup` shape; fp-ts's
 * `min(rankingOrd(ties))`): folding it over candidates gives the first of their ranking, the
 * same as folding it over any grouping of them (e.g. the nearest of each chunk, then the
 * nearest of those).
 *
 * @param ties The tie rule, as {@linkcode rankingOrd} takes it.
 * @returns The semigroup.
 *
 * @example
 * ```ts
 * import { nearest } from "./ranking_order.ts";
 * const chunks = [
 *   [{ distance: 4, index: 0 }, { distance: 2, index: 1 }],
 *   [{ distance: 2, index: 2 }, { distance: 5, index: 3 }],
 * ];
 * const S = nearest();
 * // the nearest of the chunks' nearest is the nearest of all: distance 2, index 1 before 2
 * const best = chunks.map((c) => c.reduce(S.concat)).reduce(S.concat);
 * if (best.index !== 1) throw new Error(`${best.index}`);
 * ```
 */
export function nearest(ties: TieRule = "pessimistic"): Semigroup<Candidate> {
  const compare = comparator(ties);
  return { concat: (x, y) => (compare(x, y) <= 0 ? x : y) };
}

/**
 * "The k nearest of two lists" (fp-ts's `Monoid` shape; `empty` is `[]`): `concat(a, b)` is
 * the first `k` of the ranking of `a` and `b` together, in ranking order. Merging the k
 * nearest of each chunk (or shard, or gallery partition) this way gives the k nearest of all
 * of them, whatever the grouping: fp-ts's `concatAll(nearestK(k))(chunks)` or
 * `chunks.reduce(M.concat, M.empty)`. The monoid's values are lists of at most `k` in ranking
 * order, as `concat` returns them (for those, `concat(a, empty)` is `a`); they merge in O(k).
 * A longer or unordered list is accepted and brought into that form (sorted, then cut).
 *
 * @param k How many to keep, an integer ≥ 1.
 * @param ties The tie rule, as {@linkcode rankingOrd} takes it.
 * @returns The monoid.
 *
 * @example
 * ```ts
 * import { nearestK } from "./ranking_order.ts";
 * const M = nearestK(2);
 * const a = [{ distance: 1, index: 0 }, { distance: 5, index: 1 }];
 * const b = [{ distance: 3, index: 2 }, { distance: 0.5, index: 3 }]; // not in order: sorted first
 * const top = [a, b].reduce(M.concat, M.empty);
 * if (top.map((c) => c.index).join() !== "3,0") throw new Error(top.map((c) => c.index).join());
 * // k must be a positive integer
 * let message = "";
 * try { nearestK(0); } catch (e) { message = (e as Error).message; }
 * if (!message.includes("current value is 0")) throw new Error(message);
 * ```
 */
export function nearestK<C extends Candidate>(
  k: number,
  ties: TieRule = "pessimistic",
): Monoid<readonly C[]> {
  if (!Number.isSafeInteger(k) || k < 1) {
    throw new RangeError(
      `Cannot keep the k nearest candidates as k must be an integer ≥ 1: current value is ${k}`,
    );
  }
  const compare = comparator(ties);
  const ordered = (list: readonly C[]): readonly C[] => {
    for (let i = 1; i < list.length; i++) {
      if (compare(list[i - 1], list[i]) > 0) return [...list].sort(compare);
    }
    // a one-item list is in order, but its distance must still be a number
    if (list.length === 1) compare(list[0], list[0]);
    return list;
  };
  const empty: readonly C[] = [];
  return {
    empty,
    concat: (x, y) => {
      const a = ordered(x), b = ordered(y);
      const out: C[] = [];
      let i = 0, j = 0;
      while (out.length < k && (i < a.length || j < b.length)) {
        if (j >= b.length || (i < a.length && compare(a[i], b[j]) <= 0)) out.push(a[i++]);
        else out.push(b[j++]);
      }
      return out;
    },
  };
}
