/** repeatOverSeeds against hand-computed Student-t intervals, and its argument errors. */
import assert from "node:assert/strict";
import { repeatOverSeeds, studentTCritical } from "../../lib/protocols/mod.ts";

const close = (a: number, b: number, what: string, eps = 1e-9) =>
  assert.ok(Math.abs(a - b) <= eps, `${what}: ${a} vs ${b}`);

Deno.test("studentTCritical matches the printed table (two-sided 95 %)", () => {
  // t(0.975, df) from standard tables.
  const table: [number, number][] = [
    [1, 12.7062047],
    [2, 4.3026527],
    [3, 3.1824463],
    [4, 2.7764451],
    [5, 2.5705818],
    [9, 2.2621572],
    [29, 2.0452296],
  ];
  for (const [df, t] of table) close(studentTCritical(df), t, `df ${df}`, 1e-6);
  close(studentTCritical(10, 0.9), 1.8124611, "df 10, 90 %", 1e-6);
  assert.throws(() => studentTCritical(0), /df must be an integer ≥ 1: current value is 0/);
  assert.throws(() => studentTCritical(3, 1), /level must be in \(0, 1\): current value is 1/);
});

Deno.test("mean ± half-width equals the hand-computed t-interval", async () => {
  // rank-1 over 3 seeds: 0.6, 0.7, 0.8 → mean 0.7, s = 0.1, t(0.975, 2) = 4.3026527
  // → half-width 4.3026527 × 0.1 / √3 = 0.2484138.
  const values: Record<number, number> = { 1: 0.6, 2: 0.7, 3: 0.8 };
  const calls: number[] = [];
  const r = await repeatOverSeeds([1, 2, 3], async (seed) => {
    calls.push(seed);
    await Promise.resolve();
    return { rank1: values[seed], constant: 0.5 };
  });
  assert.deepEqual(calls, [1, 2, 3]);
  assert.deepEqual(r.seeds, [1, 2, 3]);
  close(r.metrics.rank1.mean, 0.7, "mean");
  close(r.metrics.rank1.halfWidth, 0.2484138, "half-width", 1e-6);
  close(r.metrics.rank1.low, 0.7 - 0.2484138, "low", 1e-6);
  close(r.metrics.rank1.high, 0.7 + 0.2484138, "high", 1e-6);
  assert.deepEqual(r.metrics.rank1.values, [0.6, 0.7, 0.8]);
  assert.deepEqual(r.metrics.constant, {
    mean: 0.5,
    halfWidth: 0,
    low: 0.5,
    high: 0.5,
    values: [0.5, 0.5, 0.5],
  });
  // Five seeds: 1, 2, 3, 4, 5 → mean 3, s = √2.5, t(0.975, 4) = 2.7764451.
  const five = await repeatOverSeeds([1, 2, 3, 4, 5], (seed) => ({ x: seed }));
  close(five.metrics.x.halfWidth, (2.7764451 * Math.sqrt(2.5)) / Math.sqrt(5), "n = 5", 1e-6);
});

Deno.test("repeatOverSeeds names bad seeds and bad metrics", async () => {
  const ok = (seed: number) => ({ x: seed });
  await assert.rejects(() => repeatOverSeeds([1], ok), /seeds must hold at least 2 seeds/);
  await assert.rejects(
    () => repeatOverSeeds([1, 1], ok),
    /seeds must be distinct: current value is \[1,1\]/,
  );
  await assert.rejects(
    () => repeatOverSeeds([1, 0.5], ok),
    /every seed must be a safe integer: seed 0.5/,
  );
  await assert.rejects(
    () => repeatOverSeeds([1, 2], (seed) => ({ x: seed === 2 ? Number.NaN : 1 })),
    /run\(2\) returned metric 'x' = NaN: not a finite number/,
  );
  await assert.rejects(
    () =>
      repeatOverSeeds([1, 2], (seed): Record<string, number> => (seed === 1 ? { x: 1 } : { y: 1 })),
    /run\(2\) returned metrics \["y"\], not \["x"\]/,
  );
});
