// multiSimilarity and multiSimilarityMiner against loop oracles written from Wang et al. 2019
// (and pytorch-metric-learning's miner conditions), plus finite-difference gradients.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { euclidean } from "../../lib/distances/mod.ts";
import { multiSimilarity } from "../../lib/losses/mod.ts";
import { multiSimilarityMiner } from "../../lib/miners/mod.ts";
import type { Tensor, Tensor2D } from "../../lib/types.ts";
import { analytic, assertGradientClose, finiteDifference5 } from "../distances/_fd.ts";
import { type Batch, batches, cos, labelled, logSumExp, partners } from "./_oracle.ts";

await tf.setBackend("cpu");

const mean = (xs: number[]) => xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;

/** Per-row multi-similarity cost; `keep(i, j)` restricts the pairs (the miner). */
function oracle(
  b: Batch,
  {
    alpha = 2,
    beta = 50,
    base = 0.5,
    sim = cos,
    keep = (_i: number, _j: number): boolean => true,
  } = {},
): number {
  return mean(b.rows.map((r, i) => {
    const { pos, neg } = partners(b, i);
    const p = pos.filter((j) => keep(i, j)).map((j) => -alpha * (sim(r, b.rows[j]) - base));
    const n = neg.filter((j) => keep(i, j)).map((j) => beta * (sim(r, b.rows[j]) - base));
    return logSumExp(p, true) / alpha + logSumExp(n, true) / beta;
  }));
}

/** The miner's rule, from the paper: keep hard pairs relative to the anchor's extremes. */
function minedOracle(b: Batch, epsilon = 0.1): Set<string> {
  const kept = new Set<string>();
  b.rows.forEach((r, i) => {
    const { pos, neg } = partners(b, i);
    const sp = pos.map((j) => cos(r, b.rows[j])), sn = neg.map((j) => cos(r, b.rows[j]));
    const minPos = Math.min(...sp), maxNeg = Math.max(...sn);
    pos.forEach((j, k) => sp[k] - epsilon < maxNeg && kept.add(`${i}+${j}`));
    neg.forEach((j, k) => sn[k] + epsilon > minPos && kept.add(`${i}-${j}`));
  });
  return kept;
}

let worstValue = 0;
for (const [name, b] of batches()) {
  Deno.test(`multiSimilarity matches its loop oracle: ${name}`, () => {
    for (const options of [{}, { alpha: 1, beta: 10, base: 0.2 }]) {
      const loss = multiSimilarity(options);
      const input = labelled(b);
      const before = tf.memory().numTensors;
      const v = tf.tidy(() => loss.reduce(loss.perItem(input)).dataSync()[0]);
      assert.equal(tf.memory().numTensors, before, "tensors left behind");
      const expected = oracle(b, options);
      worstValue = Math.max(worstValue, Math.abs(v - expected));
      assert.ok(Number.isFinite(v), `${v}`);
      assert.ok(Math.abs(v - expected) <= 1e-5 * (1 + Math.abs(expected)), `${v} vs ${expected}`);
      if (b.rows.length === 0) assert.equal(v, 0);
      tf.dispose([input.embeddings, input.labels]);
    }
  });

  Deno.test(`multiSimilarityMiner keeps exactly the pairs of its rule: ${name}`, () => {
    const input = labelled(b);
    const m = multiSimilarityMiner()(input);
    const got = new Set([
      ...[...m.posAnchor].map((a, k) => `${a}+${m.positive[k]}`),
      ...[...m.negAnchor].map((a, k) => `${a}-${m.negative[k]}`),
    ]);
    // ties in float32 vs float64 similarities could flip a pair at the boundary; none here
    assert.deepEqual([...got].sort(), [...minedOracle(b)].sort());
    const loss = multiSimilarity({ miner: multiSimilarityMiner() });
    const v = tf.tidy(() => loss.reduce(loss.perItem(input)).dataSync()[0]);
    const expected = oracle(b, {
      keep: (i, j) => got.has(`${i}+${j}`) || got.has(`${i}-${j}`),
    });
    assert.ok(Math.abs(v - expected) <= 1e-5 * (1 + expected), `mined ${v} vs ${expected}`);
    if (got.size === 0) assert.equal(v, 0);
    tf.dispose([input.embeddings, input.labels]);
  });
}

Deno.test("multiSimilarity: one class and singletons follow pml (positive / negative terms only)", () => {
  const [, one] = batches().find(([n]) => n === "one class")!;
  const [, single] = batches().find(([n]) => n === "singletons")!;
  const loss = multiSimilarity();
  for (const b of [one, single]) {
    const v = loss.reduce(loss.perItem(labelled(b))).dataSync()[0];
    assert.ok(v > 0 && Math.abs(v - oracle(b)) < 1e-5, `${v}`);
  }
  // ... and a miner finds no pair in either: exactly 0
  const mined = multiSimilarity({ miner: multiSimilarityMiner() });
  for (const b of [one, single]) {
    assert.equal(mined.reduce(mined.perItem(labelled(b))).dataSync()[0], 0);
  }
});

Deno.test("multiSimilarity with euclidean uses s = 1 − d", () => {
  const [, b] = batches()[0];
  const loss = multiSimilarity({ distance: euclidean });
  const v = loss.reduce(loss.perItem(labelled(b))).dataSync()[0];
  const sim = (x: number[], y: number[]) => 1 - Math.hypot(...x.map((v, k) => v - y[k]));
  const expected = oracle(b, { sim });
  assert.ok(Math.abs(v - expected) < 1e-4 * (1 + expected), `${v} vs ${expected}`);
});

let worstFd = 0;
Deno.test("multiSimilarity: gradient matches finite differences", () => {
  for (const [name, b] of batches().filter(([n]) => n.startsWith("random")).slice(0, 3)) {
    // β = 50 makes the loss steep; α = 2, β = 10 keeps float32 differences meaningful
    for (const options of [{ alpha: 2, beta: 10 }, {}]) {
      const loss = multiSimilarity(options);
      const labels = tf.tensor1d(b.labels, "int32");
      const f = (x: Tensor) =>
        loss.reduce(loss.perItem({ kind: "labelled", embeddings: x as Tensor2D, labels }));
      const values = b.rows.flat(), shape = [b.rows.length, 3];
      const worst = assertGradientClose(
        analytic(f, values, shape),
        finiteDifference5(f, values, shape, 2e-3),
        { rtol: 1e-2, atol: 1e-3 },
      );
      worstFd = Math.max(worstFd, worst);
      labels.dispose();
      assert.ok(worst <= 1, name);
    }
  }
});

Deno.test("multiSimilarity and its miner name bad options", () => {
  assert.throws(() => multiSimilarity({ alpha: 0 }), /options\.alpha must be > 0/);
  assert.throws(
    () => multiSimilarity({ beta: -1 }),
    /options\.beta must be ≥ 0: current value is -1/,
  );
  assert.throws(() => multiSimilarity({ base: NaN }), /options\.base must be a finite number/);
  assert.throws(() => multiSimilarityMiner({ epsilon: -0.1 }), /options\.epsilon .* -0\.1/);
  const loss = multiSimilarity();
  const bad = {
    kind: "labelled" as const,
    embeddings: tf.zeros([3, 2]) as Tensor2D,
    labels: tf.tensor1d([0, 1]),
  };
  assert.throws(() => loss.perItem(bad), /labels must have shape \[3\]/);
});

Deno.test("multiSimilarity: worst differences (report)", () => {
  if (Deno.env.get("LIKENESS_FD_REPORT")) console.log(`value ${worstValue}, fd ${worstFd}`);
});
