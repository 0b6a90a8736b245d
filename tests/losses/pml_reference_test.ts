// The new losses, miners and reducers against pytorch-metric-learning's numbers: each
// reference below was computed by tests/losses/_pml_reference.py, a float64 torch
// transcription of pml's compute_loss / mine / reducer code (pml itself is not installed).
// Where pml normalises embeddings inside its distance, the batch is L2-normalised here first.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  angular,
  classWeighted,
  fastAP,
  lpRegularizer,
  marginLoss,
  multiSimilarity,
  nPairs,
  pmlTripletMarginLoss,
  thresholdReducer,
} from "../../lib/losses/mod.ts";
import { pairMarginMiner, tripletMarginMiner } from "../../lib/miners/mod.ts";
import type { Labelled, Loss, Tensor2D } from "../../lib/types.ts";

await tf.setBackend("cpu");

const X = [
  [-0.83, -0.53, 0.6],
  [0.16, -0.81, -0.13],
  [-0.04, -0.68, 0.47],
  [-0.77, -0.22, 0.03],
  [-0.14, 0.17, 0.48],
  [0.91, -0.43, 0.3],
  [0.39, -0.41, -1.0],
  [0.95, -0.4, -0.37],
];
const Y = [0, 0, 0, 1, 1, 2, 2, 3];
const unit = X.map((r) => r.map((v) => v / Math.hypot(...r)));

const batch = (rows: number[][]): Labelled => ({
  kind: "labelled",
  embeddings: tf.tensor2d(rows) as Tensor2D,
  labels: tf.tensor1d(Y, "int32"),
});
const value = (loss: Loss<Labelled>, rows: number[][]) => {
  const input = batch(rows);
  const v = tf.tidy(() => loss.reduce(loss.perItem(input)).dataSync()[0]);
  tf.dispose([input.embeddings, input.labels]);
  return v;
};

/** Order-sensitive checksum of index tuples, as `checksum` in _pml_reference.py. */
const checksum = (...lists: Int32Array[]) =>
  [...lists[0]].reduce((s, _, k) => s + (k + 1) * lists.reduce((c, l) => c * 8 + l[k], 0), 0);

const CASES: [string, () => number, number][] = [
  ["nPairs", () => value(nPairs(), X), 1.00107549185],
  ["nPairs unit", () => value(nPairs(), unit), 1.03138361434],
  ["marginLoss", () => value(marginLoss(), unit), 0.313062764336],
  [
    "marginLoss margin 0.1 beta 1",
    () => value(marginLoss({ margin: 0.1, beta: 1 }), unit),
    0.308525849744,
  ],
  ["angular", () => value(angular(), X), 2.44125513168],
  ["angular alpha 30", () => value(angular({ alpha: 30 }), X), 1.51533412115],
  ["fastAP", () => value(fastAP(), unit), 0.562359234707],
  ["fastAP 5 bins", () => value(fastAP({ bins: 5 }), unit), 0.612418892184],
  ["lpRegularizer", () => value(lpRegularizer(), X), 0.930058982055],
  [
    "lpRegularizer p 1 power 2",
    () => value(lpRegularizer({ p: 1, power: 2 }), X),
    2.127525,
  ],
  [
    "classWeighted multiSimilarity",
    () => value(classWeighted(multiSimilarity(), [1, 2, 0.5, 3]), X),
    0.819864536613,
  ],
  [
    "thresholdReducer tripletMargin",
    () =>
      value(
        {
          ...pmlTripletMarginLoss({ margin: 0.2 }),
          reduce: thresholdReducer({ low: 0.1, high: 0.5 }),
        },
        X,
      ),
    0.343431192699,
  ],
];

for (const [name, f, reference] of CASES) {
  Deno.test(`pml reference: ${name} = ${reference}`, () => {
    const v = f();
    if (Deno.env.get("LIKENESS_PML_REPORT")) {
      console.log(
        `${name}: ${v} vs ${reference} (|Δ| ${Math.abs(v - reference).toExponential(2)})`,
      );
    }
    assert.ok(Math.abs(v - reference) <= 2e-6 * (1 + Math.abs(reference)), `${v} vs ${reference}`);
  });
}

Deno.test("pml reference: tripletMarginMiner keeps pml's triplets, in pml's order", () => {
  const input = batch(unit);
  const expected: [Parameters<typeof tripletMarginMiner>[0], number, number][] = [
    [{ type: "all" }, 19, 51777],
    [{ type: "hard" }, 15, 35649],
    [{ type: "semihard" }, 4, 1400],
    [{ type: "easy" }, 35, 162878],
    [{ type: "all", margin: 0.5 }, 37, 198169],
  ];
  for (const [options, count, sum] of expected) {
    const t = tripletMarginMiner(options)(input);
    assert.equal(t.anchor.length, count, JSON.stringify(options));
    assert.equal(checksum(t.anchor, t.positive, t.negative), sum, JSON.stringify(options));
  }
  tf.dispose([input.embeddings, input.labels]);
});

Deno.test("pml reference: pairMarginMiner keeps pml's pairs, in pml's order", () => {
  const input = batch(unit);
  const expected: [number, number, number, number, number, number][] = [
    [0.2, 0.8, 10, 1671, 6, 1089],
    [1.0, 1.2, 6, 789, 18, 7330],
  ];
  for (const [posMargin, negMargin, np, sp, nn, sn] of expected) {
    const m = pairMarginMiner({ posMargin, negMargin })(input);
    assert.equal(m.posAnchor.length, np);
    assert.equal(checksum(m.posAnchor, m.positive), sp);
    assert.equal(m.negAnchor.length, nn);
    assert.equal(checksum(m.negAnchor, m.negative), sn);
  }
  tf.dispose([input.embeddings, input.labels]);
});
