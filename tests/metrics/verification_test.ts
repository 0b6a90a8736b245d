import assert from "node:assert/strict";
import fc from "fast-check";
import {
  auc,
  bestAccuracyThreshold,
  equalErrorRate,
  rocCurve,
  tarAtFar,
  thresholdAtFar,
} from "../../lib/metrics/mod.ts";
import { bruteAuc, lcg } from "./_brute.ts";

// Worked example used below (by hand):
//   distances 0.2 0.5 0.5 0.7 0.9 1.2
//   same       T   T   F   T   F   F      → 3 same (P), 3 different (N)
// thresholds and accepted pairs (accept when d ≤ t):
//   -∞  : tar 0/3, far 0/3
//   0.2 : tar 1/3, far 0
//   0.5 : tar 2/3, far 1/3   (tie at 0.5 between a same and a different pair)
//   0.7 : tar 3/3, far 1/3
//   0.9 : tar 1,   far 2/3
//   1.2 : tar 1,   far 1
const D = [0.2, 0.5, 0.5, 0.7, 0.9, 1.2];
const S = [true, true, false, true, false, false];

Deno.test("rocCurve: hand-computed points with a tie", () => {
  const roc = rocCurve(D, S);
  assert.deepEqual(roc.thresholds, [-Infinity, 0.2, 0.5, 0.7, 0.9, 1.2]);
  assert.deepEqual(roc.tar, [0, 1 / 3, 2 / 3, 1, 1, 1]);
  assert.deepEqual(roc.far, [0, 0, 1 / 3, 1 / 3, 2 / 3, 1]);
  assert.equal(roc.positives, 3);
  assert.equal(roc.negatives, 3);
  // input order does not matter
  const perm = [5, 2, 0, 4, 1, 3];
  assert.deepEqual(rocCurve(perm.map((i) => D[i]), perm.map((i) => S[i])), roc);
});

Deno.test("auc: hand-computed with a tie counting half", () => {
  // 9 (same, different) pairs; same {0.2, 0.5, 0.7} vs different {0.5, 0.9, 1.2}:
  // 0.2 beats all 3; 0.5 ties 0.5 (½) and beats 0.9, 1.2; 0.7 beats 0.9, 1.2, loses to 0.5
  // → (3 + 2.5 + 2) / 9 = 7.5 / 9
  assert.ok(Math.abs(auc(rocCurve(D, S)) - 7.5 / 9) < 1e-12);
  assert.equal(auc(rocCurve([1, 2], [true, false])), 1);
  assert.equal(auc(rocCurve([2, 1], [true, false])), 0);
  assert.equal(auc(rocCurve([1, 1], [true, false])), 0.5);
});

Deno.test("auc equals the brute-force pair count on random data with ties", () => {
  const r = lcg(11);
  for (let trial = 0; trial < 20; trial++) {
    const n = 5 + Math.floor(r() * 60);
    const d = Array.from({ length: n }, () => Math.floor(r() * 8) / 4); // coarse: many ties
    const s = d.map((_, i) => i === 0 ? true : i === 1 ? false : r() < 0.4);
    assert.ok(Math.abs(auc(rocCurve(d, s)) - bruteAuc(d, s)) < 1e-12, `trial ${trial}`);
  }
});

Deno.test("auc property: equals brute force for arbitrary distances (fast-check)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.boolean()), {
        minLength: 2,
        maxLength: 40,
      }),
      (items) => {
        const d = items.map(([x]) => x / 7);
        const s = items.map(([, b]) => b);
        s[0] = true;
        s[1] = false;
        return Math.abs(auc(rocCurve(d, s)) - bruteAuc(d, s)) < 1e-12;
      },
    ),
    { seed: 3, numRuns: 200 },
  );
});

Deno.test("equalErrorRate: hand-computed crossing", () => {
  // far + tar − 1 per point: −1, −2/3, 0, 1/3, … → the point (far 1/3, tar 2/3) at 0.5
  // has far = 1 − tar = 1/3 exactly
  const e = equalErrorRate(rocCurve(D, S));
  assert.ok(Math.abs(e.eer - 1 / 3) < 1e-12);
  assert.equal(e.threshold, 0.5);
  // interpolated: same {1, 3}, different {2, 4}: points (0,0) (0,½) (½,½) (½,1) (1,1)
  // far + tar − 1: −1, −½, 0 → eer ½ at threshold 2
  const e2 = equalErrorRate(rocCurve([1, 2, 3, 4], [true, false, true, false]));
  assert.equal(e2.eer, 0.5);
  assert.equal(e2.threshold, 2);
  // perfect separation: eer 0 at the largest same distance
  const e3 = equalErrorRate(rocCurve([1, 2, 5, 6], [true, true, false, false]));
  assert.equal(e3.eer, 0);
  assert.equal(e3.threshold, 2);
  // fully inverted: eer 1
  assert.equal(equalErrorRate(rocCurve([5, 1], [true, false])).eer, 1);
});

Deno.test("equalErrorRate: interpolates inside a diagonal segment", () => {
  // same {1, 2}, different {2, 3}: points (0,0) (0,½) (½,1) (1,1); on the segment from
  // (0,½) to (½,1): far = t/2, tar = ½ + t/2; far = 1 − tar ⇒ t/2 = ½ − t/2 ⇒ t = ½ → eer ¼
  const e = equalErrorRate(rocCurve([1, 2, 2, 3], [true, true, false, false]));
  assert.equal(e.eer, 0.25);
  // the crossing lies halfway (α = ½): both ends are equally near, the lower one is taken
  assert.equal(e.threshold, 1);
  // nearer the upper end: same {1, 2, 2}, different {2, 3}: points (0,0) (0,⅓) (½,1) (1,1);
  // on the middle segment far = α/2, tar = ⅓ + ⅔α; far = 1 − tar ⇒ α(½ + ⅔) = ⅔ ⇒
  // α = 4/7 > ½ → eer = 2/7 and the upper end's threshold 2
  const e2 = equalErrorRate(rocCurve([1, 2, 2, 2, 3], [true, true, true, false, false]));
  assert.ok(Math.abs(e2.eer - 2 / 7) < 1e-12);
  assert.equal(e2.threshold, 2);
});

Deno.test("tarAtFar: hand-computed and interpolated", () => {
  const roc = rocCurve(D, S);
  assert.equal(tarAtFar(roc, 0), 1 / 3); // highest tar with far 0
  // between (0, 1/3) and (1/3, 2/3): at far 1/6, halfway → 1/2
  assert.ok(Math.abs(tarAtFar(roc, 1 / 6) - 0.5) < 1e-12);
  assert.equal(tarAtFar(roc, 1 / 3), 1); // top of the vertical rise at far 1/3
  assert.equal(tarAtFar(roc, 1), 1);
  assert.throws(() => tarAtFar(roc, 1.5), /far must be in \[0, 1\]: current value is 1.5/);
  assert.throws(() => tarAtFar(roc, NaN), /far must be in \[0, 1\]/);
});

Deno.test("thresholdAtFar: the largest threshold within the FAR budget", () => {
  const roc = rocCurve(D, S);
  assert.deepEqual(thresholdAtFar(roc, 0), { threshold: 0.2, far: 0, tar: 1 / 3 });
  assert.deepEqual(thresholdAtFar(roc, 0.4), { threshold: 0.7, far: 1 / 3, tar: 1 });
  assert.deepEqual(thresholdAtFar(roc, 1), { threshold: 1.2, far: 1, tar: 1 });
  // a different pair nearest of all: only "accept nothing" has far 0
  assert.equal(thresholdAtFar(rocCurve([1, 2], [false, true]), 0).threshold, -Infinity);
});

Deno.test("thresholdAtFar: brute force on random data", () => {
  const r = lcg(5);
  const d = Array.from({ length: 300 }, () => Math.floor(r() * 50));
  const s = d.map((x) => r() < 1 / (1 + x / 10));
  const roc = rocCurve(d, s);
  const negatives = d.filter((_, i) => !s[i]);
  for (const target of [0, 0.01, 0.05, 0.1, 0.5, 1]) {
    const p = thresholdAtFar(roc, target);
    const far = negatives.filter((x) => x <= p.threshold).length / negatives.length;
    assert.equal(far, p.far);
    assert.ok(far <= target);
    // the next larger distance would exceed the budget
    const next = Math.min(...d.filter((x) => x > p.threshold));
    if (Number.isFinite(next)) {
      assert.ok(negatives.filter((x) => x <= next).length / negatives.length > target);
    }
  }
});

Deno.test("bestAccuracyThreshold: hand-computed", () => {
  // correct decisions (accepted same + rejected different) per threshold:
  // -∞: 0 + 3 = 3; 0.2: 1 + 3 = 4; 0.5: 2 + 2 = 4; 0.7: 3 + 2 = 5; 0.9: 3 + 1 = 4; 1.2: 3
  const best = bestAccuracyThreshold(rocCurve(D, S));
  assert.equal(best.threshold, 0.7);
  assert.equal(best.accuracy, 5 / 6);
  assert.equal(best.tar, 1);
  assert.equal(best.far, 1 / 3);
});

Deno.test("bestAccuracyThreshold: brute force on random data", () => {
  const r = lcg(9);
  const d = Array.from({ length: 200 }, () => Math.floor(r() * 30));
  const s = d.map((x) => r() < 1 / (1 + x / 8));
  const best = bestAccuracyThreshold(rocCurve(d, s));
  let bestBrute = 0;
  for (const t of [-Infinity, ...d]) {
    const correct = d.filter((x, i) => (x <= t) === s[i]).length;
    bestBrute = Math.max(bestBrute, correct / d.length);
  }
  assert.equal(best.accuracy, bestBrute);
  assert.equal(d.filter((x, i) => (x <= best.threshold) === s[i]).length / d.length, bestBrute);
});

Deno.test("verification: clear errors for bad input", () => {
  assert.throws(() => rocCurve([], []), /distances is empty/);
  assert.throws(() => rocCurve([1, 2], [true]), /same has length 1, distances 2/);
  assert.throws(
    () => rocCurve([1, NaN], [true, false]),
    /distances\[1\] must be a number: current value is NaN/,
  );
  assert.throws(() => rocCurve([1, 2], [true, true]), /2 same and 0 different/);
  assert.throws(() => rocCurve([1, 2], [0, 0]), /0 same and 2 different/);
  assert.throws(
    () => rocCurve([1, 2], [1, 2]),
    /same\[1\] must be true, false, 1 or 0: current value is 2/,
  );
  assert.throws(() => auc({} as never), /roc must be a curve from rocCurve/);
  // infinite distances are allowed (a pair that can never be accepted but at +∞)
  assert.equal(auc(rocCurve([1, Infinity], [true, false])), 1);
});
