import assert from "node:assert/strict";
import fc from "fast-check";
import { batch, nWay, rng, seeded, take } from "../../lib/samplers/mod.ts";
import type { NWayIndex } from "../../lib/types.ts";
import { pipe } from "../../lib/pipe.ts";
import { counts, errorOf, labelArrays, labelsDataset } from "./_fixtures.ts";

Deno.test("nWay: an epoch anchors every eligible sample once; positive and negatives are right", () => {
  fc.assert(
    fc.property(labelArrays, fc.integer({ min: 2, max: 7 }), fc.integer(), (labels, n, seed) => {
      const dataset = labelsDataset(labels);
      const c = counts(labels);
      const anchors = labels.map((_, i) => i).filter((i) => c.get(labels[i])! >= 2);
      const message = errorOf(() => nWay(dataset, { n }));
      if (labels.length === 0) return assert.match(message!, /empty dataset/);
      if (c.size < n - 1) {
        return assert.match(
          message!,
          new RegExp(`n = ${n} .*at least n − 1 = ${n - 1} classes.*current classes are ${c.size}`),
        );
      }
      if (anchors.length === 0) return assert.match(message!, /no class has 2 samples/);
      assert.equal(message, undefined);
      const epoch = [...nWay(dataset, { n })(rng(seed))];
      assert.deepEqual([...nWay(dataset, { n })(rng(seed))], epoch, "same seed, same stream");
      assert.deepEqual(epoch.map((t) => t.items[0]).sort((a, b) => a - b), anchors);
      for (const t of epoch) {
        assert.equal(t.kind, "nway");
        assert.equal(t.items.length, n);
        const [anchor, positive, ...negatives] = t.items;
        assert.notEqual(anchor, positive);
        assert.equal(labels[positive], labels[anchor]);
        for (const i of t.items) assert.ok(Number.isInteger(i) && i >= 0 && i < labels.length);
        const classes = negatives.map((i) => labels[i]);
        assert.ok(!classes.includes(labels[anchor]), `negatives of other classes: ${t.items}`);
        assert.equal(new Set(classes).size, n - 2, `negatives of distinct classes: ${t.items}`);
        assert.equal(new Set(t.items).size, n, "all indices of a tuple distinct");
      }
    }),
    { numRuns: 300 },
  );
});

Deno.test("nWay: same seed → same stream across epochs; other seeds differ", () => {
  const labels = Array.from({ length: 60 }, (_, i) => i % 6);
  const s = nWay(labelsDataset(labels), { n: 4 });
  const stream = (seed: number) => [...pipe(s, batch(8), take(20), seeded(seed))];
  assert.deepEqual(stream(3), stream(3));
  assert.notDeepEqual(stream(4), stream(3));
  const r = rng(1);
  const first = [...s(r)];
  assert.notDeepEqual([...s(r)], first, "a second epoch draws a new order");
});

Deno.test("nWay: negative classes are uniform over the other classes, negatives uniform within", () => {
  // anchor 0 (class 0); classes 1..4 with 1, 2, 3, 4 samples: each other class should be one
  // of the 2 negatives with probability 1/2, whatever its size.
  const labels = [0, 0, 1, 2, 2, 3, 3, 3, 4, 4, 4, 4];
  const s = nWay(labelsDataset(labels), { n: 4 });
  const r = rng(11);
  const byClass = new Map<number, number>();
  const bySample = new Map<number, number>();
  const epochs = 2000;
  for (let e = 0; e < epochs; e++) {
    for (const t of s(r)) {
      if (t.items[0] !== 0) continue;
      for (const i of t.items.slice(2)) {
        byClass.set(labels[i], (byClass.get(labels[i]) ?? 0) + 1);
        if (labels[i] === 4) bySample.set(i, (bySample.get(i) ?? 0) + 1);
      }
    }
  }
  const chi = (m: Map<number, number>, expected: number) =>
    [...m.values()].reduce((acc, v) => acc + (v - expected) ** 2 / expected, 0);
  assert.deepEqual([...byClass.keys()].sort((a, b) => a - b), [1, 2, 3, 4]);
  assert.ok(chi(byClass, epochs / 2) < 16.3, `class chi-square ${chi(byClass, epochs / 2)}`);
  assert.deepEqual([...bySample.keys()].sort((a, b) => a - b), [8, 9, 10, 11]);
  const within = [...bySample.values()].reduce((a, b) => a + b) / 4;
  assert.ok(chi(bySample, within) < 16.3, `sample chi-square ${chi(bySample, within)}`);
});

Deno.test("nWay: the arity is in the types", () => {
  const s = nWay(labelsDataset([0, 0, 1, 2]), { n: 4 });
  const [t] = [...s(rng(0))];
  const four: NWayIndex<4> = t;
  // @ts-expect-error a 4-way tuple is not a 3-way tuple
  const three: NWayIndex<3> = t;
  const any: NWayIndex = t;
  assert.equal(four.items.length + three.items.length + any.items.length, 12);
});

Deno.test("nWay: degenerate datasets and bad options throw errors naming the value", () => {
  const d = labelsDataset([0, 0, 1, 1, 2]);
  assert.throws(
    () => nWay(labelsDataset([]), { n: 3 }),
    /Cannot sample nWay tuples from an empty dataset: size is 0/,
  );
  assert.throws(
    () => nWay(d, { n: 5 }),
    /^RangeError: Cannot sample nWay tuples with n = 5 as the dataset must hold at least n − 1 = 4 classes \(the anchor's and 3 for the negatives\): current classes are 3$/,
  );
  assert.throws(
    () => nWay(labelsDataset([0, 1, 2, 3]), { n: 3 }),
    /no class has 2 samples for a positive: all 4 classes have 1 sample/,
  );
  for (const n of [1, 0, -3, 2.5, NaN, Infinity, 1025]) {
    assert.throws(
      () => nWay(d, { n }),
      new RegExp(`options.n must be an integer from 2 to 1024: current n is ${n}$`),
    );
  }
  // @ts-expect-error n is a number
  assert.throws(() => nWay(d, { n: "4" }), /current n is "4"/);
  // @ts-expect-error options are required
  assert.throws(() => nWay(d), /current n is undefined/);
  // @ts-expect-error options are an object
  assert.throws(() => nWay(d, 4), /options must be an object: current value is 4/);
  assert.throws(
    () => nWay({ ...d, labels: Int32Array.from([0, -1, 1, 1, 2]) }, { n: 3 }),
    /labels must be non-negative: current labels\[1\] is -1/,
  );
  // n = 2: anchor and positive only, one class suffices
  const pairs = [...nWay(labelsDataset([0, 0]), { n: 2 })(rng(0))];
  assert.deepEqual(pairs.map((t) => [...t.items].sort()), [[0, 1], [0, 1]]);
});
