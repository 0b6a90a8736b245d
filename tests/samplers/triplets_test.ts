import assert from "node:assert/strict";
import fc from "fast-check";
import { rng, triplets } from "../../lib/samplers/mod.ts";
import { counts, errorOf, labelArrays, labelsDataset } from "./_fixtures.ts";

Deno.test("triplets: an epoch anchors every eligible sample once; positives and negatives are right", () => {
  fc.assert(
    fc.property(labelArrays, fc.integer(), (labels, seed) => {
      const dataset = labelsDataset(labels);
      const c = counts(labels);
      const anchors = labels.map((_, i) => i).filter((i) => c.get(labels[i])! >= 2);
      const message = errorOf(() => triplets(dataset));
      if (labels.length === 0) return assert.match(message!, /empty dataset/);
      if (c.size < 2) return assert.match(message!, /at least 2 classes/);
      if (anchors.length === 0) return assert.match(message!, /no class has 2 samples/);
      assert.equal(message, undefined);
      const epoch = [...triplets(dataset)(rng(seed))];
      assert.deepEqual([...triplets(dataset)(rng(seed))], epoch);
      assert.deepEqual(epoch.map((t) => t.anchor).sort((a, b) => a - b), anchors);
      for (const t of epoch) {
        assert.equal(t.kind, "triplet");
        assert.notEqual(t.anchor, t.positive);
        assert.equal(labels[t.positive], labels[t.anchor]);
        assert.notEqual(labels[t.negative], labels[t.anchor]);
      }
    }),
    { numRuns: 300 },
  );
});

Deno.test("triplets: different seeds give different orders; epochs differ", () => {
  const labels = Array.from({ length: 50 }, (_, i) => i % 5);
  const s = triplets(labelsDataset(labels));
  const a = [...s(rng(1))];
  assert.notDeepEqual([...s(rng(2))], a);
  const r = rng(1);
  const first = [...s(r)];
  assert.deepEqual(first, a);
  assert.notDeepEqual([...s(r)], first);
});

Deno.test("triplets: positives are uniform over the anchor's class mates", () => {
  const labels = [0, 0, 0, 0, 1, 1];
  const s = triplets(labelsDataset(labels));
  const r = rng(4);
  const hits = new Map<number, number>();
  for (let e = 0; e < 3000; e++) {
    for (const t of s(r)) if (t.anchor === 0) hits.set(t.positive, (hits.get(t.positive) ?? 0) + 1);
  }
  assert.deepEqual([...hits.keys()].sort(), [1, 2, 3]);
  const chi = [...hits.values()].reduce((acc, v) => acc + (v - 1000) ** 2 / 1000, 0);
  assert.ok(chi < 13.8, `chi-square ${chi} (2 dof, 0.999 quantile 13.8)`);
});
