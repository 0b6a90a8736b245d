import assert from "node:assert/strict";
import fc from "fast-check";
import { calibrateThreshold } from "../../lib/gallery/mod.ts";

const accepted = (t: number, xs: number[]) => xs.filter((x) => x <= t).length;

Deno.test("calibrateThreshold: worked example with ties", () => {
  const impostor = [0.4, 0.4, 0.6, 0.8, 1.0];
  const genuine = [0.1, 0.3, 0.39, 0.5, 0.7];
  // far 0.2 allows one impostor, but the two smallest tie at 0.4: accepting one accepts
  // both, so the threshold stays at the largest distance below 0.4.
  assert.deepEqual(calibrateThreshold(genuine, impostor, { far: 0.2 }), {
    threshold: 0.39,
    far: 0,
    tar: 3 / 5,
  });
  // far 0.4 allows both tied impostors and not 0.6.
  assert.deepEqual(calibrateThreshold(genuine, impostor, { far: 0.4 }), {
    threshold: 0.5,
    far: 0.4,
    tar: 4 / 5,
  });
  // far 1 accepts everything.
  assert.deepEqual(calibrateThreshold(genuine, impostor, { far: 1 }), {
    threshold: 1,
    far: 1,
    tar: 1,
  });
  // far 0 when the smallest distance is an impostor's: nothing can be accepted.
  assert.deepEqual(calibrateThreshold([0.5], [0, 1], { far: 0 }), {
    threshold: -Infinity,
    far: 0,
    tar: 0,
  });
});

Deno.test("calibrateThreshold: FAR never exceeds the target and no larger data threshold keeps it", () => {
  const distances = fc.array(fc.integer({ min: 0, max: 20 }).map((v) => v / 10), {
    minLength: 1,
    maxLength: 30,
  });
  fc.assert(
    fc.property(
      distances,
      distances,
      fc.double({ min: 0, max: 1, noNaN: true }),
      (gen, imp, far) => {
        const c = calibrateThreshold(gen, imp, { far });
        assert.ok(accepted(c.threshold, imp) / imp.length <= far);
        assert.equal(c.far, accepted(c.threshold, imp) / imp.length);
        assert.equal(c.tar, accepted(c.threshold, gen) / gen.length);
        // Every larger distance seen in the data would break the target.
        for (const t of [...gen, ...imp].filter((x) => x > c.threshold)) {
          assert.ok(accepted(t, imp) / imp.length > far);
        }
      },
    ),
  );
});

Deno.test("calibrateThreshold: clear errors", () => {
  assert.throws(
    () => calibrateThreshold([0.1], [0.2], { far: 1.5 }),
    /options.far must be a number in \[0, 1\]: current value is 1.5/,
  );
  assert.throws(
    () => calibrateThreshold([0.1], [], { far: 0.1 }),
    /impostor must hold at least one distance/,
  );
  assert.throws(
    () => calibrateThreshold([0.1, NaN], [0.2], { far: 0.1 }),
    /genuine distances must be finite: value at index 1 is NaN/,
  );
});
