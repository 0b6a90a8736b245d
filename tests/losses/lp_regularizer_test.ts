// lpRegularizer against a loop oracle of pml's LpRegularizer (mean over embeddings of
// ‖e‖_p^power) on every input kind, composed with other losses, gradients at zero rows.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  contrastive,
  lpRegularizer,
  multiSimilarity,
  plus,
  tripletMargin,
  weighted,
} from "../../lib/losses/mod.ts";
import { batchHard, mined } from "../../lib/miners/mod.ts";
import type { Labelled, NWay, Pair, Tensor, Tensor2D, Triplet } from "../../lib/types.ts";
import { analytic, assertGradientClose, finiteDifference5 } from "../distances/_fd.ts";
import { batches, labelled } from "./_oracle.ts";

await tf.setBackend("cpu");

const norm = (r: number[], p: number, power: number) =>
  Math.pow(r.reduce((s, v) => s + Math.abs(v) ** p, 0), power / p);
const oracle = (rows: number[][], p = 2, power = 1) =>
  rows.length === 0 ? 0 : rows.reduce((s, r) => s + norm(r, p, power), 0) / rows.length;

for (const [name, b] of batches()) {
  Deno.test(`lpRegularizer matches its loop oracle: ${name}`, () => {
    for (const [p, power] of [[2, 1], [2, 2], [1, 1], [3, 0.5]]) {
      const loss = lpRegularizer<Labelled>({ p, power });
      const input = labelled(b);
      const v = tf.tidy(() => loss.reduce(loss.perItem(input)).dataSync()[0]);
      const want = oracle(b.rows, p, power);
      assert.ok(Math.abs(v - want) <= 1e-5 * (1 + want), `p ${p} power ${power}: ${v} vs ${want}`);
      tf.dispose([input.embeddings, input.labels]);
    }
  });
}

Deno.test("lpRegularizer: every input kind averages over all its embeddings", () => {
  const [a, b, c] = [[[3, 4], [1, 0]], [[0, 0], [0, 2]], [[6, 8], [0, 1]]];
  const t = (x: number[][]) => tf.tensor2d(x) as Tensor2D;
  const pair: Pair = { kind: "pair", left: t(a), right: t(b), same: tf.tensor1d([1, 0]) };
  const triplet: Triplet = { kind: "triplet", anchor: t(a), positive: t(b), negative: t(c) };
  const nway: NWay = { kind: "nway", items: [t(a), t(b), t(c)] };
  const value = <I extends Pair | Triplet | NWay>(x: I) => {
    const loss = lpRegularizer<I>();
    return loss.reduce(loss.perItem(x)).dataSync()[0];
  };
  assert.ok(Math.abs(value(pair) - oracle([...a, ...b])) < 1e-6);
  assert.ok(Math.abs(value(triplet) - oracle([...a, ...b, ...c])) < 1e-6);
  assert.ok(Math.abs(value(nway) - oracle([...a, ...b, ...c])) < 1e-6);
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => lpRegularizer().perItem({ kind: "bogus" } as any),
    /input\.kind must be pair, triplet, labelled or nway: current value is bogus/,
  );
});

Deno.test("lpRegularizer adds to any loss with plus, also when item counts differ", () => {
  const b = batches().find(([n]) => n === "random 2")![1];
  const input = labelled(b);
  const base = mined(batchHard(), tripletMargin()); // mean over mined triplets, not rows
  const loss = plus(base, weighted(lpRegularizer<Labelled>(), 0.1));
  const v = tf.tidy(() => loss.reduce(loss.perItem(input)).dataSync()[0]);
  const b0 = tf.tidy(() => base.reduce(base.perItem(input)).dataSync()[0]);
  assert.ok(Math.abs(v - (b0 + 0.1 * oracle(b.rows))) < 1e-5, `${v}`);
  const ms = plus(multiSimilarity(), lpRegularizer<Labelled>({ power: 2 }));
  const m = tf.tidy(() => ms.reduce(ms.perItem(input)).dataSync()[0]);
  const m0 = tf.tidy(() =>
    multiSimilarity().reduce(multiSimilarity().perItem(input)).dataSync()[0]
  );
  assert.ok(Math.abs(m - (m0 + oracle(b.rows, 2, 2))) < 1e-5, `${m}`);
  tf.dispose([input.embeddings, input.labels]);
  const pairLoss = plus(contrastive(), weighted(lpRegularizer<Pair>(), 0.5));
  assert.equal(pairLoss.name, "contrastive + 0.5·l2-embeddings");
});

Deno.test("lpRegularizer: gradient matches finite differences, and is 0 (not NaN) at a zero row", () => {
  for (const [p, power] of [[2, 1], [1, 1], [2, 2], [3, 0.5]]) {
    const loss = lpRegularizer<Labelled>({ p, power });
    const labels = tf.tensor1d([0, 1, 2], "int32");
    const f = (x: Tensor) =>
      loss.reduce(loss.perItem({ kind: "labelled", embeddings: x as Tensor2D, labels }));
    const values = [0.3, -0.5, 0.8, 1.2, 0.4, -0.7, -0.2, 0.9, 0.1], shape = [3, 3];
    assertGradientClose(
      analytic(f, values, shape),
      finiteDifference5(f, values, shape, 1e-3),
      { rtol: 1e-2, atol: 1e-3 },
    );
    const zero = analytic(f, [0, 0, 0, ...values.slice(3)], shape);
    assert.ok(zero.slice(0, 3).every((v) => v === 0), `p ${p} power ${power}: ${zero}`);
    assert.ok(zero.every(Number.isFinite));
    labels.dispose();
  }
});

Deno.test("lpRegularizer names bad options", () => {
  assert.throws(
    () => lpRegularizer({ p: 0.5 }),
    /options\.p must be a finite number ≥ 1: current value is 0\.5/,
  );
  assert.throws(
    () => lpRegularizer({ power: 0 }),
    /options\.power must be a finite number > 0: current value is 0/,
  );
});
