// marginLoss against a loop oracle written from Wu et al. 2017 (eq. 4, over every valid
// triplet, pml's divisor), with and without a miner, plus finite-difference gradients.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { cosine } from "../../lib/distances/mod.ts";
import { marginLoss } from "../../lib/losses/mod.ts";
import { batchHard, type Miner, tripletMarginMiner } from "../../lib/miners/mod.ts";
import { checkOracle, unitRows } from "./_check.ts";
import { type Batch, cos, labelled } from "./_oracle.ts";
import { l2, marginOracle as oracle, triplets } from "./_pml_oracles.ts";

await tf.setBackend("cpu");

/** Every valid triplet whose three rows are consecutive mod n (a choice by labels only). */
function fixedTriplets(b: Batch): [number, number, number][] {
  return triplets(b).filter(([a, p, n]) =>
    p === (a + 1) % b.labels.length || n === (a + 1) % b.labels.length
  );
}
const fixedMiner: Miner = (input) => {
  const labels = Array.from(input.labels.dataSync());
  const t = fixedTriplets({ rows: labels.map(() => []), labels });
  return {
    anchor: Int32Array.from(t, (x) => x[0]),
    positive: Int32Array.from(t, (x) => x[1]),
    negative: Int32Array.from(t, (x) => x[2]),
  };
};

checkOracle("marginLoss", [
  { name: "defaults", loss: marginLoss(), oracle: (b) => oracle(b) },
  { name: "defaults, unit rows", loss: marginLoss(), oracle: (b) => oracle(b), rows: unitRows },
  {
    name: "margin 0.5, beta 0.8",
    loss: marginLoss({ margin: 0.5, beta: 0.8 }),
    oracle: (b) => oracle(b, { margin: 0.5, beta: 0.8 }),
  },
  {
    name: "cosine",
    loss: marginLoss({ distance: cosine, beta: 0.6 }),
    oracle: (b) => oracle(b, { beta: 0.6, dist: (a, c) => 1 - cos(a, c) }),
  },
  {
    // a miner whose choice does not move under a finite step: the gradient of the mined path
    name: "fixed miner",
    loss: marginLoss({ miner: fixedMiner }),
    oracle: (b) => oracle(b, {}, fixedTriplets(b)),
  },
  {
    name: "tripletMarginMiner semihard",
    loss: marginLoss({ miner: tripletMarginMiner({ type: "semihard", margin: 0.3 }) }),
    oracle: (b) =>
      oracle(
        b,
        {},
        triplets(b).filter(([a, p, n]) => {
          const g = l2(b.rows[a], b.rows[n]) - l2(b.rows[a], b.rows[p]);
          return g > 0 && g <= 0.3;
        }),
      ),
  },
], {
  oracleFd: true,
  fdVariants: ["defaults", "margin 0.5, beta 0.8", "cosine", "fixed miner"],
});

Deno.test("marginLoss with a miner uses exactly the mined triplets", () => {
  const b = { rows: [[0, 0, 0], [0.8, 0, 0], [0.3, 0, 0], [2, 0, 0]], labels: [0, 0, 1, 1] };
  const input = labelled(b);
  const mined = marginLoss({ miner: batchHard() });
  const v = mined.reduce(mined.perItem(input)).dataSync()[0];
  // batch-hard: anchor 0 → (1, 2), anchor 1 → (0, 2), anchor 2 → (3, 0), anchor 3 → (2, 1)
  const want = oracle(b, {}, [[0, 1, 2], [1, 0, 2], [2, 3, 0], [3, 2, 1]]);
  assert.ok(Math.abs(v - want) < 1e-6, `${v} vs ${want}`);
  assert.notEqual(want, oracle(b), "the mined triplets must change the value");
  tf.dispose([input.embeddings, input.labels]);
});

Deno.test("marginLoss names bad options", () => {
  assert.throws(
    () => marginLoss({ beta: NaN }),
    /options\.beta must be a finite number: current value is NaN/,
  );
  assert.throws(
    () => marginLoss({ margin: -1 }),
    /options\.margin must be ≥ 0: current value is -1/,
  );
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => marginLoss({ miner: 3 as any }),
    /options\.miner must be a function: current value is 3/,
  );
});
