import assert from "node:assert/strict";
import fc from "fast-check";
import {
  classDisjointSplit,
  filterClasses,
  makeDataset,
  scaleToUnit,
  stratifiedSplit,
  subset,
} from "../../lib/data/mod.ts";
import type { Dataset } from "../../lib/types.ts";

/** A dataset whose pixel i of sample j is (j·2 + i) / 255, so rows are recognisable. */
function numbered(labels: readonly number[], classes = 6): Dataset {
  const bytes = new Uint8Array(labels.length * 2);
  for (let j = 0; j < labels.length; j++) bytes.set([(j * 2) % 256, (j * 2 + 1) % 256], j * 2);
  return makeDataset({
    images: bytes,
    labels: [...labels],
    shape: [2, 1],
    classNames: Array.from({ length: classes }, (_, i) => `c${i}`),
  });
}
const labelArrays = fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 60 });

Deno.test("scaleToUnit: v / 255 for every byte", () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  const out = scaleToUnit(all);
  assert.ok(out instanceof Float32Array);
  for (let i = 0; i < 256; i++) assert.equal(out[i], Math.fround(i / 255));
});

Deno.test("makeDataset: validates lengths, labels and ranges with the value seen", () => {
  const base = { images: new Float32Array(4), labels: [0, 1], shape: [2], classNames: ["a", "b"] };
  assert.equal(makeDataset(base).size, 2);
  assert.throws(() => makeDataset({ ...base, labels: [0, 2] }), /labels\[1\] is 2/);
  assert.throws(() => makeDataset({ ...base, labels: [0, 0.5] }), /labels\[1\] is 0.5/);
  assert.throws(
    () => makeDataset({ ...base, shape: [3] }),
    /2 × 3 = 6 values: current length is 4/,
  );
  assert.throws(() => makeDataset({ ...base, shape: [0] }), /current shape is \[0\]/);
  assert.throws(
    () => makeDataset({ ...base, images: Float32Array.from([0, 1, 2, 0]) }),
    /images\[2\] is 2/,
  );
  assert.throws(
    () => makeDataset({ ...base, images: Float32Array.from([0, NaN, 0, 0]) }),
    /images\[1\] is NaN/,
  );
});

Deno.test("subset and filterClasses copy the right rows", () => {
  const d = numbered([3, 1, 4, 1, 5]);
  const s = subset(d, [4, 1, 1]);
  assert.deepEqual([...s.labels], [5, 1, 1]);
  assert.deepEqual([...s.images], [8, 9, 2, 3, 2, 3].map((v) => Math.fround(v / 255)));
  assert.throws(() => subset(d, [5]), /indices\[0\] is 5/);
  const f = filterClasses(d, [1, 5]);
  assert.deepEqual([...f.labels], [1, 1, 5]);
  assert.deepEqual([...f.images], [2, 3, 6, 7, 8, 9].map((v) => Math.fround(v / 255)));
  assert.equal(filterClasses(d, []).size, 0);
  assert.throws(() => filterClasses(d, [6]), /current class is 6/);
});

Deno.test("stratifiedSplit: per-class counts, a partition, reproducible", () => {
  fc.assert(
    fc.property(
      labelArrays,
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.integer(),
      (labels, f, seed) => {
        const d = numbered(labels);
        const { train, validation } = stratifiedSplit(d, { validationFraction: f, seed });
        assert.equal(train.size + validation.size, d.size);
        for (let c = 0; c < 6; c++) {
          const n = labels.filter((l) => l === c).length;
          assert.equal([...validation.labels].filter((l) => l === c).length, Math.round(n * f));
        }
        // A partition: each original row (identified by its first pixel) lands once.
        const key = (x: Dataset) => Array.from({ length: x.size }, (_, j) => x.images[j * 2]);
        assert.deepEqual([...key(train), ...key(validation)].sort(), key(d).sort());
        const again = stratifiedSplit(d, { validationFraction: f, seed });
        assert.deepEqual(again.validation.images, validation.images);
      },
    ),
  );
  assert.throws(
    () => stratifiedSplit(numbered([0]), { validationFraction: 1.2, seed: 0 }),
    /current validationFraction is 1.2/,
  );
});

Deno.test("classDisjointSplit: no class on both sides; all samples kept", () => {
  fc.assert(
    fc.property(labelArrays, fc.integer({ min: 1, max: 5 }), fc.integer(), (labels, u, seed) => {
      const d = numbered(labels);
      const r = classDisjointSplit(d, { unseenCount: u, seed });
      assert.equal(r.unseenClasses.length, u);
      assert.equal(r.seen.size + r.unseen.size, d.size);
      for (const l of r.seen.labels) assert.ok(r.seenClasses.includes(l));
      for (const l of r.unseen.labels) assert.ok(r.unseenClasses.includes(l));
      assert.deepEqual([...r.seenClasses, ...r.unseenClasses].sort(), [0, 1, 2, 3, 4, 5]);
      assert.deepEqual(
        classDisjointSplit(d, { unseenCount: u, seed }).unseenClasses,
        r.unseenClasses,
      );
    }),
  );
  const d = numbered([0, 1, 2, 3, 4, 5]);
  assert.deepEqual(classDisjointSplit(d, { seen: [5, 0] }).unseenClasses, [1, 2, 3, 4]);
  assert.throws(
    () => classDisjointSplit(d, { unseenCount: 6, seed: 1 }),
    /current unseenCount is 6/,
  );
  assert.throws(() => classDisjointSplit(d, { seen: [7] }), /current class is 7/);
});
