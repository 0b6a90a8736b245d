// ntXent (NT-Xent / InfoNCE) and supCon against loop oracles written from Chen et al. 2020 and
// Khosla et al. 2020 (with pytorch-metric-learning's reductions), plus finite differences.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ntXent, supCon } from "../../lib/losses/mod.ts";
import type { Labelled, Loss, Tensor, Tensor2D } from "../../lib/types.ts";
import { analytic, assertGradientClose, finiteDifference5 } from "../distances/_fd.ts";
import { type Batch, batches, cos, labelled, logSumExp, partners } from "./_oracle.ts";

await tf.setBackend("cpu");

const mean = (xs: number[]) => xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
const hasPairs = (b: Batch) =>
  b.rows.some((_, i) => partners(b, i).pos.length > 0) &&
  b.rows.some((_, i) => partners(b, i).neg.length > 0);

/** Mean over positive pairs of −log(e^{s_ap/τ} / (e^{s_ap/τ} + Σ_n e^{s_an/τ})). */
function ntXentOracle(b: Batch, tau: number): number {
  if (!hasPairs(b)) return 0;
  const terms: number[] = [];
  b.rows.forEach((r, a) => {
    const { pos, neg } = partners(b, a);
    const negs = neg.map((n) => cos(r, b.rows[n]) / tau);
    for (const p of pos) {
      const x = cos(r, b.rows[p]) / tau;
      terms.push(-(x - logSumExp([x, ...negs], false)));
    }
  });
  return mean(terms);
}

/**
 * −(1/|P|) Σ_p log(e^{s_ip/τ} / Σ_{k≠i} e^{s_ik/τ}) per row with positives, averaged over the
 * rows that cost more than 0 (pml's AvgNonZeroReducer).
 */
function supConOracle(b: Batch, tau: number): number {
  if (!hasPairs(b)) return 0;
  const rows = b.rows.map((r, i) => {
    const { pos, neg } = partners(b, i);
    if (pos.length === 0) return 0;
    const all = logSumExp([...pos, ...neg].map((k) => cos(r, b.rows[k]) / tau), false);
    return mean(pos.map((p) => all - cos(r, b.rows[p]) / tau));
  });
  return mean(rows.filter((v) => v > 0));
}

const CASES: [
  string,
  (tau?: number) => Loss<Labelled>,
  (b: Batch, tau: number) => number,
  number,
][] = [
  ["ntXent", (t) => ntXent(t === undefined ? {} : { temperature: t }), ntXentOracle, 0.07],
  ["supCon", (t) => supCon(t === undefined ? {} : { temperature: t }), supConOracle, 0.1],
];

const worstValue: Record<string, number> = {}, worstFd: Record<string, number> = {};
for (const [name, make, oracle, defaultTau] of CASES) {
  worstValue[name] = 0;
  worstFd[name] = 0;
  for (const [batch, b] of batches()) {
    Deno.test(`${name} matches its loop oracle: ${batch}`, () => {
      for (const tau of [undefined, 0.5, 1]) {
        const loss = make(tau);
        const input = labelled(b);
        const before = tf.memory().numTensors;
        const v = tf.tidy(() => loss.reduce(loss.perItem(input)).dataSync()[0]);
        assert.equal(tf.memory().numTensors, before, "tensors left behind");
        const expected = oracle(b, tau ?? defaultTau);
        const err = Math.abs(v - expected);
        worstValue[name] = Math.max(worstValue[name], err / (1 + Math.abs(expected)));
        assert.ok(Number.isFinite(v) && v >= 0, `${v}`);
        // τ = 0.07 scales float32 similarity rounding (≈ 6e-8) by 1/τ ≈ 14
        assert.ok(err <= 2e-5 * (1 + Math.abs(expected)), `τ ${tau}: ${v} vs ${expected}`);
        if (!hasPairs(b)) assert.equal(v, 0, "no positive or no negative pair: exactly 0");
        tf.dispose([input.embeddings, input.labels]);
      }
    });
  }

  Deno.test(`${name}: gradient matches finite differences`, () => {
    for (const [, b] of batches().filter(([n]) => n.startsWith("random") || n === "two views")) {
      for (const tau of [0.5, undefined]) {
        const loss = make(tau);
        const labels = tf.tensor1d(b.labels, "int32");
        const f = (x: Tensor) =>
          loss.reduce(loss.perItem({ kind: "labelled", embeddings: x as Tensor2D, labels }));
        const values = b.rows.flat(), shape = [b.rows.length, 3];
        const h = tau === undefined ? 3e-3 : 5e-3;
        const expected = finiteDifference5(f, values, shape, h);
        // float32 rounding of f bounds what a difference can resolve: ≈ 1.5·ε·|f|/h per
        // evaluation; allow 20× that (small next to the gradient except where it vanishes)
        const fx = tf.tidy(() => f(tf.tensor(values, shape)).dataSync()[0]);
        const noise = 20 * 6e-8 * (1 + Math.abs(fx)) / h;
        const scale = Math.max(1e-3, ...expected.map(Math.abs));
        const worst = assertGradientClose(analytic(f, values, shape), expected, {
          rtol: 1e-2,
          atol: Math.max(1e-3, noise / scale),
        });
        worstFd[name] = Math.max(worstFd[name], worst);
        labels.dispose();
      }
    }
  });

  Deno.test(`${name} names a bad temperature and bad labels`, () => {
    for (const t of [0, -1, NaN, Infinity]) {
      assert.throws(
        () => make(t),
        /options\.temperature must be a finite number > 0: current value is/,
      );
    }
    const bad = {
      kind: "labelled" as const,
      embeddings: tf.zeros([3, 2]) as Tensor2D,
      labels: tf.tensor1d([0, 1]),
    };
    assert.throws(
      () => make().perItem(bad),
      /labels must have shape \[3\]: current shape is \[2\]/,
    );
    tf.dispose([bad.embeddings, bad.labels]);
  });
}

Deno.test("ntXent and supCon agree on a two-view batch (one positive per anchor) up to the reduction", () => {
  // With exactly one positive per anchor and every row an anchor, both denominators hold the
  // positive and all negatives, and both means run over the same n terms.
  const [, b] = batches().find(([n]) => n === "two views")!;
  const input = labelled(b);
  const a = ntXent({ temperature: 0.2 }), s = supCon({ temperature: 0.2 });
  const va = a.reduce(a.perItem(input)).dataSync()[0],
    vs = s.reduce(s.perItem(input)).dataSync()[0];
  assert.ok(Math.abs(va - vs) < 1e-5, `${va} vs ${vs}`);
});

Deno.test("ntXent / supCon: worst differences (report)", () => {
  if (Deno.env.get("LIKENESS_FD_REPORT")) console.log(JSON.stringify({ worstValue, worstFd }));
});
