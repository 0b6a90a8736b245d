// generalizedLiftedStructure against a loop oracle written from Hermans et al. 2017 (p. 4),
// with pml's empty-set rule and reduction, plus finite-difference gradients.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { cosine, euclidean } from "../../lib/distances/mod.ts";
import { generalizedLiftedStructure } from "../../lib/losses/mod.ts";
import type { Tensor, Tensor2D } from "../../lib/types.ts";
import { analytic, assertGradientClose, finiteDifference5 } from "../distances/_fd.ts";
import { type Batch, batches, cos, labelled, logSumExp, partners } from "./_oracle.ts";

await tf.setBackend("cpu");

const mean = (xs: number[]) => xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
const l2 = (a: number[], b: number[]) => Math.hypot(...a.map((v, k) => v - b[k]));

function oracle(
  b: Batch,
  { negMargin = 1, posMargin = 0, dist = l2 } = {},
): number {
  return mean(b.rows.map((r, i) => {
    const { pos, neg } = partners(b, i);
    const p = logSumExp(pos.map((j) => dist(r, b.rows[j]) - posMargin), false);
    const n = logSumExp(neg.map((j) => negMargin - dist(r, b.rows[j])), false);
    return Math.max(0, p + n);
  }));
}

let worstValue = 0, worstFd = 0;
for (const [name, b] of batches()) {
  Deno.test(`generalizedLiftedStructure matches its loop oracle: ${name}`, () => {
    const variants = [
      [{}, {}],
      [{ negMargin: 0.5, posMargin: 0.2 }, { negMargin: 0.5, posMargin: 0.2 }],
      [{ distance: cosine }, { dist: (a: number[], c: number[]) => 1 - cos(a, c) }],
    ] as const;
    for (const [options, oracleOptions] of variants) {
      const loss = generalizedLiftedStructure(options);
      const input = labelled(b);
      const before = tf.memory().numTensors;
      const v = tf.tidy(() => loss.reduce(loss.perItem(input)).dataSync()[0]);
      assert.equal(tf.memory().numTensors, before, "tensors left behind");
      const expected = oracle(b, oracleOptions);
      const err = Math.abs(v - expected);
      worstValue = Math.max(worstValue, err / (1 + expected));
      assert.ok(Number.isFinite(v) && v >= 0, `${v}`);
      assert.ok(err <= 1e-5 * (1 + expected), `${JSON.stringify(options)}: ${v} vs ${expected}`);
      if (b.rows.length <= 1) assert.equal(v, 0);
      tf.dispose([input.embeddings, input.labels]);
    }
  });
}

Deno.test("generalizedLiftedStructure: gradient matches finite differences", () => {
  for (const [, b] of batches().filter(([n]) => n.startsWith("random") || n === "two views")) {
    const loss = generalizedLiftedStructure();
    const labels = tf.tensor1d(b.labels, "int32");
    const f = (x: Tensor) =>
      loss.reduce(loss.perItem({ kind: "labelled", embeddings: x as Tensor2D, labels }));
    const values = b.rows.flat(), shape = [b.rows.length, 3];
    const worst = assertGradientClose(
      analytic(f, values, shape),
      finiteDifference5(f, values, shape, 5e-3),
      { rtol: 1e-2, atol: 1e-3 },
    );
    worstFd = Math.max(worstFd, worst);
    labels.dispose();
  }
});

Deno.test("generalizedLiftedStructure: zero when every margin is met by far", () => {
  // classes 10 apart, items of a class identical: log e^0 + log Σ e^(1 − 10) < 0 → 0
  const input = {
    kind: "labelled" as const,
    embeddings: tf.tensor2d([[0], [0], [10], [10]]),
    labels: tf.tensor1d([0, 0, 1, 1], "int32"),
  };
  const loss = generalizedLiftedStructure({ distance: euclidean });
  assert.equal(loss.reduce(loss.perItem(input)).dataSync()[0], 0);
  tf.dispose([input.embeddings, input.labels]);
});

Deno.test("generalizedLiftedStructure names bad options", () => {
  assert.throws(
    () => generalizedLiftedStructure({ negMargin: NaN }),
    /options\.negMargin must be a finite number: current value is NaN/,
  );
  assert.throws(
    () => generalizedLiftedStructure({ posMargin: Infinity }),
    /options\.posMargin must be a finite number: current value is Infinity/,
  );
});

Deno.test("generalizedLiftedStructure: worst differences (report)", () => {
  if (Deno.env.get("LIKENESS_FD_REPORT")) console.log(`value ${worstValue}, fd ${worstFd}`);
});
