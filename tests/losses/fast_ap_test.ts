// fastAP against a loop oracle written from Cakir et al. 2019 (eq. 9–10, triangular
// histogram binning) with pml's empty-bin and reduction rules, plus finite differences.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { euclidean } from "../../lib/distances/mod.ts";
import { fastAP } from "../../lib/losses/mod.ts";
import { checkOracle, unitRows } from "./_check.ts";
import { fastAPOracle as oracle, l2 } from "./_pml_oracles.ts";

await tf.setBackend("cpu");

checkOracle("fastAP", [
  { name: "defaults, unit rows", loss: fastAP(), oracle: (b) => oracle(b), rows: unitRows },
  { name: "defaults, raw rows", loss: fastAP(), oracle: (b) => oracle(b) },
  {
    name: "7 bins over [0, 12]",
    loss: fastAP({ bins: 7, histogramMax: 12 }),
    oracle: (b) => oracle(b, { bins: 7, top: 12 }),
  },
  {
    name: "euclidean over [0, 2]",
    loss: fastAP({ distance: euclidean, histogramMax: 2 }),
    oracle: (b) => oracle(b, { top: 2, dist: l2 }),
    rows: unitRows,
  },
], {
  oracleFd: true,
  exactZero: false,
  fdVariants: ["defaults, unit rows", "7 bins over [0, 12]"],
});

Deno.test("fastAP: better rankings cost less", () => {
  // row 0's positive moves from behind its negatives (at 0.5, 0.6) to in front of them; row
  // 1 always ranks row 0 first
  const value = (x: number) => {
    const input = {
      kind: "labelled" as const,
      embeddings: tf.tensor2d([[0, 0], [0, x], [0.5, 0], [0.6, 0]]),
      labels: tf.tensor1d([0, 0, 1, 2], "int32"),
    };
    const v = tf.tidy(() => fastAP().reduce(fastAP().perItem(input)).dataSync()[0]);
    tf.dispose([input.embeddings, input.labels]);
    return v;
  };
  const values = [1.2, 0.9, 0.7, 0.3, 0.1].map(value);
  values.slice(1).forEach((v, k) => assert.ok(v <= values[k] + 1e-7, `${values}`));
  assert.ok(values[4] < values[0], `${values}`);
});

Deno.test("fastAP names bad options", () => {
  assert.throws(
    () => fastAP({ bins: 0 }),
    /options\.bins must be an integer in \[1, 10000\]: current value is 0/,
  );
  assert.throws(() => fastAP({ bins: 2.5 }), /current value is 2\.5/);
  assert.throws(
    () => fastAP({ histogramMax: -1 }),
    /options\.histogramMax must be a finite number > 0: current value is -1/,
  );
});
