import assert from "node:assert/strict";
import fc from "fast-check";
import { rng } from "../../lib/samplers/mod.ts";

Deno.test("rng: same seed and stream give the same numbers", () => {
  fc.assert(fc.property(fc.integer(), fc.integer({ min: 0, max: 3 }), (seed, stream) => {
    const a = rng(seed, { stream });
    const b = rng(seed, { stream });
    for (let i = 0; i < 20; i++) {
      assert.equal(a.int(1000), b.int(1000));
      assert.equal(a.float(), b.float());
    }
  }));
});

Deno.test("rng: streams and large seeds are distinct", () => {
  const draw = (r: ReturnType<typeof rng>) => Array.from({ length: 8 }, () => r.int(2 ** 32));
  const base = draw(rng(7));
  assert.notDeepEqual(draw(rng(7, { stream: 1 })), base);
  assert.notDeepEqual(draw(rng(7, { stream: 2 })), draw(rng(7, { stream: 1 })));
  assert.notDeepEqual(draw(rng(7 + 2 ** 32)), base);
});

Deno.test("rng: int(n) is in range and roughly uniform; float is in [0, 1)", () => {
  const r = rng(123);
  const bins = new Array(10).fill(0);
  for (let i = 0; i < 20000; i++) {
    const v = r.int(10);
    assert.ok(Number.isInteger(v) && v >= 0 && v < 10);
    bins[v]++;
    const f = r.float();
    assert.ok(f >= 0 && f < 1);
  }
  // Chi-square with 9 degrees of freedom: 27.9 is the 0.999 quantile.
  const chi = bins.reduce((s, b) => s + (b - 2000) ** 2 / 2000, 0);
  assert.ok(chi < 27.9, `chi-square ${chi}`);
  assert.equal(r.int(1), 0);
});

Deno.test("rng: bad arguments throw naming the value", () => {
  assert.throws(() => rng(1.5), /seed must be a safe integer: current seed is 1.5/);
  assert.throws(() => rng(1, { stream: -1 }), /stream must be .*current stream is -1/);
  const r = rng(1);
  for (const n of [0, -3, 2.5, NaN, 2 ** 33]) {
    assert.throws(() => r.int(n), new RegExp(`current n is ${n}`));
  }
});
