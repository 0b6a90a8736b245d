import assert from "node:assert/strict";
import fc from "fast-check";
import { pk, rng } from "../../lib/samplers/mod.ts";
import { counts, errorOf, labelArrays, labelsDataset } from "./_fixtures.ts";

Deno.test("pk: every batch is exactly p classes × k distinct samples; an epoch covers all", () => {
  fc.assert(
    fc.property(
      labelArrays,
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 4 }),
      fc.integer(),
      (labels, p, k, seed) => {
        const dataset = labelsDataset(labels);
        const c = counts(labels);
        const message = errorOf(() => pk(dataset, { p, k }));
        if (labels.length === 0) return assert.match(message!, /empty dataset/);
        if (c.size < p) return assert.match(message!, /holds only/);
        if ([...c.values()].some((n) => n < k)) {
          return assert.match(message!, /has only .* samples/);
        }
        assert.equal(message, undefined);
        const epoch = [...pk(dataset, { p, k })(rng(seed))];
        assert.deepEqual([...pk(dataset, { p, k })(rng(seed))], epoch);
        const perClass = [...c.values()].map((n) => Math.ceil(n / k));
        const groups = perClass.reduce((s, n) => s + n, 0);
        // The fewest batches possible.
        assert.equal(epoch.length, Math.max(...perClass, Math.ceil(groups / p)));
        const covered = new Set<number>();
        for (const b of epoch) {
          assert.equal(b.length, p * k);
          const byClass = new Map<number, Set<number>>();
          for (const x of b) {
            assert.equal(x.kind, "labelled");
            assert.equal(x.label, labels[x.index]);
            if (!byClass.has(x.label)) byClass.set(x.label, new Set());
            byClass.get(x.label)!.add(x.index);
            covered.add(x.index);
          }
          assert.equal(byClass.size, p);
          for (const members of byClass.values()) assert.equal(members.size, k);
        }
        assert.equal(covered.size, labels.length);
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("pk: balanced classes give exactly size / (p·k) batches with no repeats", () => {
  const labels = Array.from({ length: 120 }, (_, i) => i % 10);
  const epoch = [...pk(labelsDataset(labels), { p: 5, k: 4 })(rng(11))];
  assert.equal(epoch.length, 6);
  const all = epoch.flat().map((x) => x.index).sort((a, b) => a - b);
  assert.deepEqual(all, labels.map((_, i) => i));
});

Deno.test("pk: bad p, k or a too-small class throw naming them", () => {
  const d = labelsDataset([0, 0, 0, 1, 1, 2]);
  assert.throws(() => pk(d, { p: 0, k: 2 }), /p must be an integer ≥ 1: current p is 0/);
  assert.throws(() => pk(d, { p: 2, k: 1.5 }), /k must be an integer ≥ 1: current k is 1.5/);
  assert.throws(() => pk(d, { p: 4, k: 1 }), /p = 4 as the dataset holds only 3 classes/);
  assert.throws(() => pk(d, { p: 2, k: 2 }), /class 2 \("c2"\) has only 1 samples/);
});
