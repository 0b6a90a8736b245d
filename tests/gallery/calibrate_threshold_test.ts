import assert from "node:assert/strict";
import fc from "fast-check";
import { calibrateThreshold } from "../../lib/gallery/mod.ts";

Deno.test("calibrateThreshold: worked example with ties", () => {
  const impostor = [0.4, 0.4, 0.6, 0.8, 1.0];
  const genuine = [0.1, 0.3, 0.39, 0.5, 0.7];
  // far 0.2 allows one impostor, but the two smallest tie at 0.4: accepting one accepts both,
  // so the threshold must stay below 0.4.
  const a = calibrateThreshold(genuine, impostor, { far: 0.2 });
  assert.ok(a.threshold < 0.4 && a.threshold > 0.39999999);
  assert.equal(a.far, 0);
  assert.equal(a.tar, 3 / 5);
  // far 0.4 allows both tied impostors and not 0.6.
  const b = calibrateThreshold(genuine, impostor, { far: 0.4 });
  assert.ok(b.threshold < 0.6 && b.threshold >= 0.4);
  assert.equal(b.far, 0.4);
  assert.equal(b.tar, 4 / 5);
  // far 1 accepts everything.
  assert.equal(calibrateThreshold(genuine, impostor, { far: 1 }).threshold, Infinity);
  // far 0 with the smallest impostor at 0 gives a negative threshold: nothing accepted.
  const z = calibrateThreshold([0], [0, 1], { far: 0 });
  assert.ok(z.threshold < 0);
  assert.equal(z.tar, 0);
});

Deno.test("calibrateThreshold: FAR never exceeds the target and the threshold is the largest that keeps it", () => {
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
        const accepted = (t: number, xs: number[]) => xs.filter((x) => x <= t).length;
        const allowed = Math.floor(far * imp.length + 1e-9);
        assert.ok(accepted(c.threshold, imp) <= allowed);
        assert.equal(c.far, accepted(c.threshold, imp) / imp.length);
        assert.equal(c.tar, accepted(c.threshold, gen) / gen.length);
        // The next larger impostor distance would break the target.
        const next = imp.filter((x) => x > c.threshold).sort((x, y) => x - y)[0];
        if (next !== undefined) assert.ok(accepted(next, imp) > allowed);
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
