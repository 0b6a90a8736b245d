import assert from "node:assert/strict";
import fc from "fast-check";
import {
  batch,
  map,
  repeat,
  type Rng,
  rng,
  type Sampler,
  seeded,
  shuffle,
  take,
  triplets,
} from "../../lib/samplers/mod.ts";
import { pipe } from "../../lib/pipe.ts";
import { labelsDataset } from "./_fixtures.ts";

const fromArray = <A>(items: readonly A[]): Sampler<A> =>
  function* (_: Rng) {
    yield* items;
  };

Deno.test("batch: concatenated batches are the source; sizes are right", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer()),
      fc.integer({ min: 1, max: 7 }),
      fc.boolean(),
      (xs, n, drop) => {
        const got = [...batch(n, { dropRemainder: drop })(fromArray(xs))(rng(0))];
        const full = Math.floor(xs.length / n);
        assert.equal(got.length, drop || xs.length % n === 0 ? full : full + 1);
        assert.deepEqual(got.flat(), drop ? xs.slice(0, full * n) : xs);
        for (const b of got.slice(0, full)) assert.equal(b.length, n);
      },
    ),
  );
  assert.throws(() => batch(0), /size must be an integer ≥ 1: current size is 0/);
});

Deno.test("take: a prefix, and never pulls more than it yields", () => {
  fc.assert(fc.property(fc.array(fc.integer()), fc.nat(50), (xs, n) => {
    assert.deepEqual([...take(n)(fromArray(xs))(rng(0))], xs.slice(0, n));
  }));
  let pulled = 0;
  const endless: Sampler<number> = function* () {
    for (;;) yield pulled++;
  };
  assert.deepEqual([...take(3)(endless)(rng(0))], [0, 1, 2]);
  assert.equal(pulled, 3);
  assert.deepEqual([...take(0)(endless)(rng(0))], []);
  assert.equal(pulled, 3);
  assert.throws(() => take(-1), /count must be an integer ≥ 0: current count is -1/);
});

Deno.test("shuffle: a permutation, reproducible, with any buffer size", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer()),
      fc.integer({ min: 1, max: 10 }),
      fc.integer(),
      (xs, b, seed) => {
        const got = [...shuffle({ buffer: b })(fromArray(xs))(rng(seed))];
        assert.deepEqual([...got].sort((x, y) => x - y), [...xs].sort((x, y) => x - y));
        assert.deepEqual([...shuffle({ buffer: b })(fromArray(xs))(rng(seed))], got);
      },
    ),
  );
  // A full-buffer shuffle of 3 items hits all 6 orders about equally.
  const r = rng(2);
  const seen = new Map<string, number>();
  for (let i = 0; i < 6000; i++) {
    const k = [...shuffle()(fromArray([1, 2, 3]))(r)].join("");
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  assert.equal(seen.size, 6);
  const chi = [...seen.values()].reduce((s, v) => s + (v - 1000) ** 2 / 1000, 0);
  assert.ok(chi < 20.5, `chi-square ${chi} (5 dof, 0.999 quantile 20.5)`);
});

Deno.test("repeat: n epochs with new orders; an empty sampler never hangs", () => {
  const s = triplets(labelsDataset([0, 0, 1, 1, 2, 2]));
  const three = [...repeat(3)(s)(rng(5))];
  assert.equal(three.length, 18);
  const r = rng(5);
  assert.deepEqual(three, [...s(r), ...s(r), ...s(r)]);
  assert.deepEqual([...repeat(0)(s)(rng(5))], []);
  assert.deepEqual([...repeat()(fromArray([]))(rng(0))], []);
  assert.equal([...take(100)(repeat()(s))(rng(1))].length, 100);
  assert.throws(() => repeat(-1), /times must be an integer ≥ 0 or Infinity: current times is -1/);
});

Deno.test("map and seeded: lazy, and the documented training-loop pipe works", () => {
  let calls = 0;
  const m = map((x: number) => (calls++, x + 1))(fromArray([1, 2, 3]));
  const it = m(rng(0))[Symbol.iterator]();
  assert.equal(calls, 0);
  assert.deepEqual(it.next().value, 2);
  assert.equal(calls, 1);

  const train = labelsDataset(Array.from({ length: 40 }, (_, i) => i % 4));
  const batches = pipe(triplets(train), repeat(), batch(16), take(7), seeded(3));
  const first = [...batches];
  assert.equal(first.length, 7);
  for (const b of first) assert.equal(b.length, 16);
  // Same seed, same batches; iterating again continues the stream.
  assert.deepEqual([...pipe(triplets(train), repeat(), batch(16), take(7), seeded(3))], first);
  assert.notDeepEqual([...batches], first);
});
