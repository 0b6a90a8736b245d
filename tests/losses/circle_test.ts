// circle against a loop oracle written from Sun et al. 2020 (pair-label form, pml's reduction),
// plus finite-difference gradients.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { circle } from "../../lib/losses/mod.ts";
import { multiSimilarityMiner } from "../../lib/miners/mod.ts";
import type { Tensor, Tensor2D } from "../../lib/types.ts";
import { analytic, assertGradientClose } from "../distances/_fd.ts";
import { type Batch, batches, cos, labelled, logSumExp, partners } from "./_oracle.ts";

await tf.setBackend("cpu");

const mean = (xs: number[]) => xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
const softplus = (x: number) => x > 30 ? x : Math.log1p(Math.exp(x));

/** Per-row circle cost, averaged over rows that cost more than 0. */
function oracle(
  b: Batch,
  { m = 0.4, gamma = 80, keep = (_i: number, _j: number): boolean => true } = {},
): number {
  const rows = b.rows.map((r, i) => {
    const { pos, neg } = partners(b, i);
    const p = pos.filter((j) => keep(i, j)), n = neg.filter((j) => keep(i, j));
    if (p.length === 0 || n.length === 0) return 0;
    const lp = p.map((j) => {
      const s = cos(r, b.rows[j]);
      return -gamma * Math.max(1 + m - s, 0) * (s - (1 - m));
    });
    const ln = n.map((j) => {
      const s = cos(r, b.rows[j]);
      return gamma * Math.max(s + m, 0) * (s - m);
    });
    return softplus(logSumExp(lp, false) + logSumExp(ln, false));
  });
  return mean(rows.filter((v) => v > 0));
}

let worstValue = 0, worstFd = 0;
for (const [name, b] of batches()) {
  Deno.test(`circle matches its loop oracle: ${name}`, () => {
    for (const options of [{}, { m: 0.25, gamma: 256 }, { m: 0.1, gamma: 2 }]) {
      const loss = circle(options);
      const input = labelled(b);
      const before = tf.memory().numTensors;
      const v = tf.tidy(() => loss.reduce(loss.perItem(input)).dataSync()[0]);
      assert.equal(tf.memory().numTensors, before, "tensors left behind");
      const expected = oracle(b, options);
      const err = Math.abs(v - expected);
      worstValue = Math.max(worstValue, err / (1 + expected));
      assert.ok(Number.isFinite(v) && v >= 0, `${v}`);
      // γ = 256 scales float32 similarity rounding (≈ 6e-8) by up to γ·(1 + 2m)
      assert.ok(err <= 1e-4 * (1 + expected), `${JSON.stringify(options)}: ${v} vs ${expected}`);
      if (["one class", "singletons", "one row", "no rows"].includes(name)) assert.equal(v, 0);
      tf.dispose([input.embeddings, input.labels]);
    }
  });

  Deno.test(`circle with the multi-similarity miner matches its oracle: ${name}`, () => {
    const input = labelled(b);
    const m = multiSimilarityMiner()(input);
    const kept = new Set([
      ...[...m.posAnchor].map((a, k) => `${a},${m.positive[k]}`),
      ...[...m.negAnchor].map((a, k) => `${a},${m.negative[k]}`),
    ]);
    const loss = circle({ miner: multiSimilarityMiner() });
    const v = tf.tidy(() => loss.reduce(loss.perItem(input)).dataSync()[0]);
    const expected = oracle(b, { keep: (i, j) => kept.has(`${i},${j}`) });
    assert.ok(Math.abs(v - expected) <= 1e-4 * (1 + expected), `${v} vs ${expected}`);
    tf.dispose([input.embeddings, input.labels]);
  });
}

Deno.test("circle: gradient matches finite differences (α weights not differentiated)", () => {
  for (const [, b] of batches().filter(([n]) => n.startsWith("random") || n === "two views")) {
    for (const options of [{ m: 0.25, gamma: 2 }, {}]) {
      const loss = circle(options);
      const labels = tf.tensor1d(b.labels, "int32");
      const f = (x: Tensor) =>
        loss.reduce(loss.perItem({ kind: "labelled", embeddings: x as Tensor2D, labels }));
      const values = b.rows.flat(), shape = [b.rows.length, 3];
      // The tfjs gradient treats α as constant; finite differences of f do not. Compare with
      // finite differences of the surrogate whose α is frozen at x: same value, same gradient.
      const h = 1e-3;
      const expected = surrogateFd(b, values, options, h);
      const worst = assertGradientClose(analytic(f, values, shape), expected, {
        rtol: 1e-2,
        atol: 2e-3,
      });
      worstFd = Math.max(worstFd, worst);
      labels.dispose();
    }
  }
});

/**
 * Five-point differences, in float64 on the host, of the circle loss with α_p, α_n (and the
 * set of rows that count) frozen at `values`: the gradient the paper prescribes.
 */
function surrogateFd(
  b: Batch,
  values: number[],
  { m = 0.4, gamma = 80 }: { m?: number; gamma?: number },
  h: number,
): number[] {
  const dim = 3, rowsAt = (v: number[]) => b.rows.map((_, i) => v.slice(i * dim, i * dim + dim));
  const base = rowsAt(values);
  const alpha = (i: number, j: number) => {
    const s = cos(base[i], base[j]);
    return b.labels[i] === b.labels[j] ? Math.max(1 + m - s, 0) : Math.max(s + m, 0);
  };
  const counted = b.rows.map((_, i) => {
    const { pos, neg } = partners(b, i);
    return pos.length > 0 && neg.length > 0;
  });
  const nCounted = counted.filter(Boolean).length;
  const f = (v: number[]) => {
    const rows = rowsAt(v);
    let total = 0;
    rows.forEach((r, i) => {
      if (!counted[i]) return;
      const { pos, neg } = partners(b, i);
      const lp = pos.map((j) => -gamma * alpha(i, j) * (cos(r, rows[j]) - (1 - m)));
      const ln = neg.map((j) => gamma * alpha(i, j) * (cos(r, rows[j]) - m));
      total += softplus(logSumExp(lp, false) + logSumExp(ln, false));
    });
    return total / Math.max(nCounted, 1);
  };
  return values.map((_, k) => {
    const at = (d: number) => {
      const v = values.slice();
      v[k] += d;
      return f(v);
    };
    return (-at(2 * h) + 8 * at(h) - 8 * at(-h) + at(-2 * h)) / (12 * h);
  });
}

Deno.test("circle names bad options", () => {
  assert.throws(() => circle({ m: -0.1 }), /options\.m must be ≥ 0: current value is -0\.1/);
  assert.throws(() => circle({ gamma: 0 }), /options\.gamma must be > 0/);
  assert.throws(() => circle({ gamma: NaN }), /options\.gamma must be ≥ 0: current value is NaN/);
});

Deno.test("circle: worst differences (report)", () => {
  if (Deno.env.get("LIKENESS_FD_REPORT")) console.log(`value ${worstValue}, fd ${worstFd}`);
});
