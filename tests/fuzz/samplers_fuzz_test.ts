/**
 * Property tests of the samplers on degenerate and hostile input: empty datasets, one class,
 * single-sample classes, K = 1, P larger than the classes, bad labels and sizes, and hostile
 * option values. The property: construction throws an Error naming the option or the dataset,
 * or every epoch is a correct, finite stream (checked item by item, with a bound on its
 * length so that a hang fails instead of blocking).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Dataset, LabelledIndex, PairIndex, TripletIndex } from "../../lib/types.ts";
import { batch, pairs, pk, repeat, rng, shuffle, take, triplets } from "../../lib/samplers/mod.ts";

/** A dataset of these labels (one pixel each). */
function labelled(labels: readonly number[], classes = 6): Dataset {
  return {
    images: new Float32Array(labels.length),
    labels: Int32Array.from(labels),
    shape: [1],
    size: labels.length,
    classNames: Array.from({ length: classes }, (_, i) => `c${i}`),
  };
}

/** Degenerate label arrays: empty, one class, single-sample classes, sparse labels. */
const labelArrays = fc.oneof(
  fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 16 }),
  fc.array(fc.constant(0), { maxLength: 6 }),
  fc.uniqueArray(fc.integer({ min: 0, max: 5 }), { maxLength: 6 }),
  fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 1, maxLength: 5 }),
  fc.array(fc.constantFrom(0, 3, 1000), { maxLength: 8 }),
);

/** Anything a caller might pass as a count or fraction. */
const anyNumber = fc.oneof(
  fc.integer({ min: -2, max: 8 }),
  fc.double(),
  fc.constantFrom(NaN, Infinity, -Infinity, 0.5, 1e9, 2 ** 53),
);

/** Hostile datasets: labels of the wrong type, a size that lies, negative labels. */
const hostileDataset: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, undefined, 7, "dataset"),
  labelArrays.map((l) => ({ ...labelled(l), labels: [...l] })),
  labelArrays.map((l) => ({ ...labelled(l), size: l.length + 1 })),
  labelArrays.map((l) => labelled([...l, -1])),
);

const samplerError = /^(Range|Type)Error: Cannot (sample|batch|take|shuffle|repeat|create rng)\b/;

function attempt<T>(f: () => T): { ok: true; value: T } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: f() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Collects an iterable, failing (not hanging) past `bound` items. */
function collect<T>(items: Iterable<T>, bound: number): T[] {
  const out: T[] = [];
  for (const x of items) {
    out.push(x);
    if (out.length > bound) assert.fail(`more than ${bound} items: endless?`);
  }
  return out;
}

function classCounts(labels: readonly number[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const l of labels) m.set(l, (m.get(l) ?? 0) + 1);
  return m;
}

Deno.test("fuzz samplers: hostile datasets are named errors for every generator", () => {
  fc.assert(
    fc.property(hostileDataset, (d) => {
      for (
        const make of [
          () => pairs(d as Dataset),
          () => triplets(d as Dataset),
          () => pk(d as Dataset, { p: 1, k: 1 }),
        ] as (() => unknown)[]
      ) {
        const r = attempt(make);
        assert.ok(!r.ok, "accepted a hostile dataset");
        assert.match(String(r.error), samplerError);
      }
    }),
    { numRuns: 200 },
  );
});

Deno.test("fuzz pairs: degenerate datasets and fractions give a correct epoch or a named error", () => {
  fc.assert(
    fc.property(
      labelArrays,
      fc.oneof(fc.double({ min: 0, max: 1 }), anyNumber),
      fc.nat(),
      (labels, f, seed) => {
        const r = attempt(() => pairs(labelled(labels), { positiveFraction: f }));
        if (!r.ok) {
          assert.match(String(r.error), samplerError);
          return;
        }
        const counts = classCounts(labels);
        for (let epoch = 0; epoch < 2; epoch++) {
          const items: PairIndex[] = collect(r.value(rng(seed + epoch)), labels.length);
          assert.equal(items.length, labels.length);
          assert.deepEqual(items.map((p) => p.left).sort((a, b) => a - b), labels.map((_, i) => i));
          assert.equal(items.filter((p) => p.same).length, Math.round(f * labels.length) + 0);
          for (const p of items) {
            assert.ok(Number.isInteger(p.right) && p.right >= 0 && p.right < labels.length);
            assert.equal(labels[p.left] === labels[p.right], p.same);
            if (p.same) assert.notEqual(p.left, p.right);
            if (p.same) assert.ok(counts.get(labels[p.left])! >= 2);
          }
        }
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("fuzz triplets: every eligible anchor once, a valid positive and negative, or a named error", () => {
  fc.assert(
    fc.property(labelArrays, fc.nat(), (labels, seed) => {
      const r = attempt(() => triplets(labelled(labels)));
      const counts = classCounts(labels);
      const anchors = labels.map((_, i) => i).filter((i) => counts.get(labels[i])! >= 2);
      if (!r.ok) {
        assert.match(String(r.error), samplerError);
        assert.ok(counts.size < 2 || anchors.length === 0, String(r.error));
        return;
      }
      const items: TripletIndex[] = collect(r.value(rng(seed)), labels.length);
      assert.deepEqual(items.map((t) => t.anchor).sort((a, b) => a - b), anchors);
      for (const t of items) {
        assert.equal(labels[t.positive], labels[t.anchor]);
        assert.notEqual(t.positive, t.anchor);
        assert.notEqual(labels[t.negative], labels[t.anchor]);
      }
    }),
    { numRuns: 300 },
  );
});

Deno.test("fuzz pk: K = 1, P above the classes, hostile P and K: exact P × K batches or a named error", () => {
  fc.assert(
    fc.property(
      labelArrays,
      fc.oneof(fc.integer({ min: 1, max: 4 }), anyNumber),
      fc.oneof(fc.integer({ min: 1, max: 3 }), anyNumber),
      fc.nat(),
      (labels, p, k, seed) => {
        const r = attempt(() => pk(labelled(labels), { p, k }));
        const counts = classCounts(labels);
        if (!r.ok) {
          assert.match(String(r.error), samplerError);
          const valid = Number.isInteger(p) && p >= 1 && Number.isInteger(k) && k >= 1 &&
            labels.length > 0 && counts.size >= p && [...counts.values()].every((n) => n >= k);
          assert.ok(!valid, `refused valid input: ${r.error}`);
          return;
        }
        const groups = [...counts.values()].map((n) => Math.ceil(n / k));
        const expected = Math.max(
          Math.max(...groups),
          Math.ceil(groups.reduce((a, b) => a + b) / p),
        );
        const batches: (readonly LabelledIndex[])[] = collect(r.value(rng(seed)), expected);
        assert.equal(batches.length, expected);
        const seen = new Set<number>();
        for (const b of batches) {
          assert.equal(b.length, p * k);
          const classes = new Set(b.map((x) => x.label));
          assert.equal(classes.size, p);
          for (let g = 0; g < p; g++) {
            const group = b.slice(g * k, (g + 1) * k);
            assert.equal(new Set(group.map((x) => x.label)).size, 1, "k consecutive of one class");
            assert.equal(new Set(group.map((x) => x.index)).size, k, "k distinct samples");
          }
          for (const x of b) {
            assert.equal(labels[x.index], x.label);
            seen.add(x.index);
          }
        }
        assert.equal(seen.size, labels.length, "every sample at least once");
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("fuzz combinators: hostile sizes and counts give the right stream or a named error", () => {
  const source = (n: number) => (_: unknown) => Array.from({ length: n }, (_, i) => i);
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 12 }),
      anyNumber,
      fc.boolean(),
      anyNumber,
      anyNumber,
      anyNumber,
      fc.nat(),
      (n, size, drop, count, buffer, times, seed) => {
        const items = source(n);
        const b = attempt(() => batch(size, { dropRemainder: drop }));
        if (b.ok) {
          const got = collect(b.value(items)(rng(seed)), n);
          assert.deepEqual(
            got.flat(),
            Array.from({ length: drop ? n - (n % size) : n }, (_, i) => i),
          );
          assert.ok(got.every((x, i) => x.length === size || (!drop && i === got.length - 1)));
        } else assert.match(String(b.error), samplerError);

        const t = attempt(() => take(count));
        if (t.ok) {
          assert.deepEqual(collect(t.value(items)(rng(seed)), n), items(0).slice(0, count));
        } else assert.match(String(t.error), samplerError);

        const s = attempt(() => shuffle({ buffer }));
        if (s.ok) {
          const got = collect(s.value(items)(rng(seed)), n);
          assert.deepEqual([...got].sort((x, y) => x - y), items(0));
        } else assert.match(String(s.error), samplerError);

        const r = attempt(() => repeat(times));
        if (r.ok) {
          const got = collect(take(3 * n + 1)(r.value(items))(rng(seed)), 3 * n + 1);
          assert.equal(got.length, n === 0 ? 0 : Math.min(times * n, 3 * n + 1) + 0);
        } else assert.match(String(r.error), samplerError);

        const g = attempt(() => rng(count, { stream: Number.isFinite(times) ? times : 0 }));
        if (g.ok) {
          const x = g.value.float();
          assert.ok(x >= 0 && x < 1);
          const i = g.value.int(n + 1);
          assert.ok(Number.isInteger(i) && i >= 0 && i <= n);
        } else assert.match(String(g.error), samplerError);
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("samplers: options that are not objects are named errors (was a raw TypeError)", () => {
  const d = labelled([0, 0, 1, 1]);
  for (const options of [null, "options", 5, true]) {
    const o = options as never;
    for (
      const make of [
        () => pairs(d, o),
        () => pk(d, o),
        () => batch(2, o),
        () => shuffle(o),
        () => rng(1, o),
      ] as (() => unknown)[]
    ) {
      const r = attempt(make);
      assert.ok(!r.ok, `accepted options ${JSON.stringify(options)}`);
      assert.match(String(r.error), samplerError);
      assert.match(String(r.error), /as options must be an object: current value is/);
    }
  }
});
