import assert from "node:assert/strict";
import fc from "fast-check";
import { pairs, rng } from "../../lib/samplers/mod.ts";
import { counts, errorOf, labelArrays, labelsDataset } from "./_fixtures.ts";

Deno.test("pairs: one epoch, exact positive count, same-class positives, no self pairs", () => {
  fc.assert(
    fc.property(
      labelArrays,
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.integer(),
      (labels, f, seed) => {
        const dataset = labelsDataset(labels);
        const c = counts(labels);
        const eligible = labels.filter((l) => c.get(l)! >= 2).length;
        const positives = Math.round(f * labels.length);
        const message = errorOf(() => pairs(dataset, { positiveFraction: f }));
        // Documented errors, and only those.
        if (labels.length === 0) return assert.match(message!, /empty dataset/);
        if (positives > eligible) return assert.match(message!, /positive pairs: only/);
        if (positives < labels.length && c.size < 2) return assert.match(message!, /2 classes/);
        assert.equal(message, undefined);
        const epoch = [...pairs(dataset, { positiveFraction: f })(rng(seed))];
        // Same seed, same stream.
        assert.deepEqual([...pairs(dataset, { positiveFraction: f })(rng(seed))], epoch);
        // Every sample exactly once as left.
        assert.deepEqual(epoch.map((p) => p.left).sort((a, b) => a - b), labels.map((_, i) => i));
        assert.equal(epoch.filter((p) => p.same).length, positives);
        for (const p of epoch) {
          assert.equal(p.kind, "pair");
          assert.notEqual(p.left, p.right);
          assert.ok(p.right >= 0 && p.right < labels.length);
          assert.equal(p.same, labels[p.left] === labels[p.right]);
        }
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("pairs: default positive fraction is 0.5 over many epochs, rights are uniform", () => {
  // Classes: 0 has 3 samples, 1 has 2, 2 has 5.
  const labels = [0, 0, 0, 1, 1, 2, 2, 2, 2, 2];
  const sampler = pairs(labelsDataset(labels));
  const r = rng(9);
  let positives = 0;
  let total = 0;
  const negativeOf0 = new Map<number, number>(); // right of negative pairs whose left is 0
  for (let e = 0; e < 2000; e++) {
    for (const p of sampler(r)) {
      total++;
      if (p.same) positives++;
      else if (p.left === 0) negativeOf0.set(p.right, (negativeOf0.get(p.right) ?? 0) + 1);
    }
  }
  assert.equal(positives / total, 0.5);
  // Negatives of sample 0 are uniform over the 7 samples of classes 1 and 2.
  const seen = [...negativeOf0.values()];
  const n = seen.reduce((a, b) => a + b, 0);
  assert.deepEqual([...negativeOf0.keys()].sort((a, b) => a - b), [3, 4, 5, 6, 7, 8, 9]);
  const chi = seen.reduce((s, v) => s + (v - n / 7) ** 2 / (n / 7), 0);
  assert.ok(chi < 22.5, `chi-square ${chi} (6 dof, 0.999 quantile 22.5)`); // 6 dof
});

Deno.test("pairs: bad positiveFraction throws naming it", () => {
  const d = labelsDataset([0, 0, 1, 1]);
  for (const f of [-0.1, 1.5, NaN]) {
    assert.throws(() => pairs(d, { positiveFraction: f }), /positiveFraction must be in \[0, 1\]/);
  }
});
