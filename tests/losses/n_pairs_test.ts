// nPairs against a loop oracle written from Sohn 2016 (multi-class N-pair loss, eq. 3) with
// pml's pair choice (each class's first two rows), plus finite-difference gradients.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { cosine, euclidean } from "../../lib/distances/mod.ts";
import { lpRegularizer, nPairs, plus, weighted } from "../../lib/losses/mod.ts";
import { checkOracle } from "./_check.ts";
import { cos } from "./_oracle.ts";
import { nPairsOracle as oracle } from "./_pml_oracles.ts";

await tf.setBackend("cpu");

checkOracle("nPairs", [
  { name: "dot", loss: nPairs(), oracle: (b) => oracle(b) },
  { name: "cosine", loss: nPairs({ distance: cosine }), oracle: (b) => oracle(b, cos) },
  {
    name: "euclidean",
    loss: nPairs({ distance: euclidean }),
    oracle: (b) => oracle(b, (a, c) => -Math.hypot(...a.map((v, k) => v - c[k]))),
  },
]);

Deno.test("nPairs: the anchor is a class's first row and the positive its second", () => {
  // class 0: rows 0, 2, 3 (a third row is not used); class 1: rows 1, 4
  const input = {
    kind: "labelled" as const,
    embeddings: tf.tensor2d([[1, 0], [0, 1], [2, 0], [-5, 7], [0, 3]]),
    labels: tf.tensor1d([0, 1, 0, 0, 1], "int32"),
  };
  const v = nPairs().perItem(input).arraySync();
  // anchor 0: logits a₀·p₀ = 2, a₀·p₁ = 0 → log(1 + e^−2); anchor 1: 3 vs 0 → log(1 + e^−3)
  const want = [Math.log1p(Math.exp(-2)) / 2, Math.log1p(Math.exp(-3)) / 2, 0, 0, 0];
  v.forEach((x, i) => assert.ok(Math.abs(x - want[i]) < 1e-6, `${v}`));
  tf.dispose([input.embeddings, input.labels]);
});

Deno.test("nPairs with the paper's L2 penalty is the loss plus λ·mean ‖e‖²", () => {
  const input = {
    kind: "labelled" as const,
    embeddings: tf.tensor2d([[1, 0], [0, 1], [2, 0], [0, 3]]),
    labels: tf.tensor1d([0, 1, 0, 1], "int32"),
  };
  const loss = plus(nPairs(), weighted(lpRegularizer({ power: 2 }), 0.01));
  const v = loss.reduce(loss.perItem(input)).dataSync()[0];
  const b = { rows: [[1, 0], [0, 1], [2, 0], [0, 3]], labels: [0, 1, 0, 1] };
  assert.ok(Math.abs(v - (oracle(b) + 0.01 * (1 + 1 + 4 + 9) / 4)) < 1e-6, `${v}`);
  tf.dispose([input.embeddings, input.labels]);
});
