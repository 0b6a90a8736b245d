/**
 * Properties of lib/protocols for arbitrary (including hostile) input: openSetEvaluation and
 * repeatOverSeeds either return a well-formed result (rates in [0, 1], no NaN, CMC rising to
 * 1) or throw an Error whose message names the argument.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { openSetEvaluation, repeatOverSeeds } from "../../lib/protocols/mod.ts";

const hostile = fc.oneof(
  fc.float({ noDefaultInfinity: false, noNaN: false }),
  fc.constantFrom(Number.NaN, Infinity, -Infinity, 0, -0, 1e30),
);
/** Mostly well-formed samples (classes `first`, `first + 1`, …), sometimes hostile ones. */
const samples = (first: number, dim: number) =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.array(fc.integer({ min: 2, max: 6 }), { minLength: 1, maxLength: 4 }).chain(
        (counts) => {
          const labels = counts.flatMap((n, c) => Array.from({ length: n }, () => first + c));
          const n = labels.length * dim;
          return fc.record({
            labels: fc.constant(labels),
            embeddings: fc.float32Array({
              minLength: n,
              maxLength: n,
              min: -10,
              max: 10,
              noNaN: true,
            }),
          });
        },
      ),
    },
    {
      weight: 1,
      arbitrary: fc.array(fc.integer({ min: -1, max: first + 3 }), { maxLength: 24 }).chain((ls) =>
        fc.record({
          labels: fc.constant(ls),
          embeddings: fc.array(hostile, { maxLength: ls.length * dim + 2 })
            .map((x) => new Float32Array(x)),
        })
      ),
    },
  );
const valid = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 6, arbitrary: good }, { weight: 1, arbitrary: bad });
const unit = (x: number) => Number.isFinite(x) && x >= 0 && x <= 1;
const named =
  /Cannot (run the open-set evaluation|enrol \d+ shots|pick shots|compute|calibrate|repeat over seeds)/;

Deno.test("openSetEvaluation: a well-formed result or an Error naming the argument", () => {
  let results = 0;
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 3 }).chain((dim) =>
        fc.record({
          dim: valid(fc.constant(dim), fc.constantFrom(0, -1, 1.5, Number.NaN)),
          shots: valid(fc.integer({ min: 1, max: 3 }), fc.constantFrom(0, 2.5, Number.NaN)),
          seed: valid(fc.integer({ min: 0, max: 100 }), fc.constantFrom(0.5, Number.NaN)),
          fars: valid(fc.constant<number[]>([0.01, 0.1]), fc.array(hostile, { maxLength: 3 })),
          seen: samples(0, dim),
          unseen: samples(4, dim),
        })
      ),
      (o) => {
        let r;
        try {
          r = openSetEvaluation(o);
        } catch (error) {
          assert.ok(error instanceof Error);
          assert.match(error.message, named);
          return;
        }
        const { cmc, rank1, rank2 } = r.identification;
        assert.ok(cmc.every(unit) && unit(rank1) && unit(rank2));
        for (let i = 1; i < cmc.length; i++) assert.ok(cmc[i] >= cmc[i - 1]);
        assert.equal(cmc.at(-1), 1);
        assert.ok(unit(r.verification.auc) && unit(r.verification.eer));
        for (const v of Object.values(r.verification.tarAtFar)) assert.ok(unit(v));
        for (const c of Object.values(r.verification.seenCalibrated)) {
          assert.ok(!Number.isNaN(c.threshold));
          for (const v of [c.seenTar, c.seenFar, c.genuineAcceptRate, c.impostorAcceptRate]) {
            assert.ok(unit(v));
          }
        }
        assert.equal(r.claims.impostor, r.claims.genuine * (r.unseenClasses.length - 1));
        results++;
      },
    ),
    { numRuns: 300, seed: 20261201 },
  );
  // The property must exercise real evaluations, not only the argument checks.
  assert.ok(results >= 30, `only ${results} of 300 inputs were evaluated`);
});

Deno.test("repeatOverSeeds: finite mean ± half-width or an Error naming the argument", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom(0.5, Number.NaN)), {
        maxLength: 5,
      }),
      fc.array(hostile, { minLength: 5, maxLength: 5 }),
      async (seeds, values) => {
        let r;
        try {
          r = await repeatOverSeeds(seeds, (seed) => ({ m: values[(seed + 5) % 5] }));
        } catch (error) {
          assert.ok(error instanceof Error);
          assert.match(error.message, named);
          return;
        }
        const m = r.metrics.m;
        assert.ok(Number.isFinite(m.mean) && Number.isFinite(m.halfWidth) && m.halfWidth >= 0);
        assert.ok(m.low <= m.mean && m.mean <= m.high);
        assert.equal(m.values.length, seeds.length);
      },
    ),
    { numRuns: 200, seed: 20261201 },
  );
});
