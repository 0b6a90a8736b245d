/**
 * Properties of the ranking order and its semigroup / monoid on arbitrary candidates,
 * including hostile distances (±Infinity, -0, NaN) and repeated indices: `rankingOrd` is a
 * total order (antisymmetric, transitive, `equals` agreeing with `compare`) or throws a
 * RangeError naming the NaN; `nearest` and `nearestK` are associative and give the first one /
 * k of the sorted candidates.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { type Candidate, nearest, nearestK, rankingOrd } from "../../lib/metrics/ranking_order.ts";

const distance = fc.oneof(
  fc.integer({ min: -3, max: 3 }), // exact ties
  fc.double({ noNaN: true }),
  fc.constantFrom(Infinity, -Infinity, -0, 0),
);
const candidate = (nan: boolean) =>
  fc.record({
    distance: nan ? fc.oneof(distance, fc.constant(NaN)) : distance,
    index: fc.integer({ min: 0, max: 5 }),
    match: fc.option(fc.boolean(), { nil: undefined }),
  }, { requiredKeys: ["distance", "index"] }) as fc.Arbitrary<Candidate>;
const ties = fc.constantFrom("pessimistic" as const, "optimistic" as const);

Deno.test("rankingOrd is a total order on numbers, and names a NaN", () => {
  fc.assert(
    fc.property(ties, candidate(false), candidate(false), candidate(false), (t, x, y, z) => {
      const { compare, equals } = rankingOrd(t);
      assert.equal(compare(x, x), 0);
      assert.equal(compare(x, y), -compare(y, x) || 0); // antisymmetric (no -0)
      assert.equal(equals(x, y), compare(x, y) === 0);
      if (compare(x, y) <= 0 && compare(y, z) <= 0) assert.ok(compare(x, z) <= 0, "transitive");
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(ties, fc.array(candidate(true), { maxLength: 12 }), (t, cs) => {
      const nan = cs.find((c) => Number.isNaN(c.distance));
      try {
        const sorted = [...cs].sort(rankingOrd(t).compare);
        // no NaN met: sorted, every neighbour pair in order
        for (let i = 1; i < sorted.length; i++) {
          assert.ok(rankingOrd(t).compare(sorted[i - 1], sorted[i]) <= 0);
        }
        if (cs.length > 1) assert.equal(nan, undefined, "a NaN went unnoticed");
      } catch (e) {
        assert.ok(e instanceof RangeError, String(e));
        assert.match(e.message, /distance must be a number: current value is NaN \(index \d+\)/);
      }
    }),
    { numRuns: 500 },
  );
});

Deno.test("nearest and nearestK are associative and agree with the sorted candidates", () => {
  fc.assert(
    fc.property(
      ties,
      fc.integer({ min: 1, max: 6 }),
      fc.array(fc.array(candidate(false), { maxLength: 8 }), { maxLength: 5 }),
      (t, k, chunks) => {
        const order = rankingOrd(t), S = nearest(t), M = nearestK<Candidate>(k, t);
        const all = chunks.flat();
        const expected = [...all].sort(order.compare).slice(0, k);
        const leftFold = chunks.reduce((acc, c) => M.concat(acc, c), M.empty);
        const rightFold = chunks.reduceRight((acc, c) => M.concat(c, acc), M.empty);
        // equal in the order (candidates equal in it may be different objects)
        const same = (a: readonly Candidate[], b: readonly Candidate[]) =>
          a.length === b.length && a.every((c, i) => order.equals(c, b[i]));
        assert.ok(same(leftFold, expected), "left fold");
        assert.ok(same(rightFold, expected), "right fold");
        if (all.length > 0) {
          assert.ok(order.equals(all.reduce(S.concat), expected[0]));
          assert.ok(order.equals(all.reduceRight((acc, c) => S.concat(c, acc)), expected[0]));
        }
      },
    ),
    { numRuns: 500 },
  );
  fc.assert(
    fc.property(fc.anything(), (k) => {
      if (Number.isSafeInteger(k) && (k as number) >= 1) return;
      assert.throws(() => nearestK(k as number), /k must be an integer ≥ 1: current value is/);
    }),
    { numRuns: 200 },
  );
});
