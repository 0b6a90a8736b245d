// multiSimilarityMiner with a distance (not a similarity): s = 1 − d makes its rule exactly
// pml's rule for distances (keep a positive if d_ap + ε > min d_an, a negative if
// d_an − ε < max d_ap); bad embeddings are errors naming the row.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { euclidean } from "../../lib/distances/mod.ts";
import { multiSimilarityMiner } from "../../lib/miners/mod.ts";
import { batches, labelled, partners } from "../losses/_oracle.ts";

await tf.setBackend("cpu");

const l2 = (a: number[], b: number[]) => Math.hypot(...a.map((v, k) => v - b[k]));

Deno.test("multiSimilarityMiner on euclidean keeps exactly pml's distance-rule pairs", () => {
  let kept = 0;
  for (const [name, b] of batches()) {
    const want = new Set<string>();
    b.rows.forEach((r, i) => {
      const { pos, neg } = partners(b, i);
      const dp = pos.map((j) => l2(r, b.rows[j])), dn = neg.map((j) => l2(r, b.rows[j]));
      const minNeg = Math.min(...dn), maxPos = Math.max(...dp);
      pos.forEach((j, k) => dp[k] + 0.3 > minNeg && want.add(`${i}+${j}`));
      neg.forEach((j, k) => dn[k] - 0.3 < maxPos && want.add(`${i}-${j}`));
    });
    const input = labelled(b);
    const m = multiSimilarityMiner({ epsilon: 0.3, distance: euclidean })(input);
    const got = [
      ...[...m.posAnchor].map((a, k) => `${a}+${m.positive[k]}`),
      ...[...m.negAnchor].map((a, k) => `${a}-${m.negative[k]}`),
    ];
    assert.deepEqual(got.sort(), [...want].sort(), name);
    kept += got.length;
    tf.dispose([input.embeddings, input.labels]);
  }
  assert.ok(kept > 20, `the batches exercise the rule (${kept} pairs kept)`);
});

Deno.test("multiSimilarityMiner: the loss's distance is used when it has none of its own", () => {
  const [, b] = batches()[1];
  const input = labelled(b);
  const own = multiSimilarityMiner({ distance: euclidean })(input);
  const given = multiSimilarityMiner()(input, euclidean);
  assert.deepEqual(given, own);
  tf.dispose([input.embeddings, input.labels]);
});

Deno.test("multiSimilarityMiner names non-finite embeddings and bad labels", () => {
  const miner = multiSimilarityMiner();
  const nan = {
    kind: "labelled" as const,
    embeddings: tf.tensor2d([[1, 0], [NaN, 1]]),
    labels: tf.tensor1d([0, 1], "int32"),
  };
  assert.throws(() => miner(nan), /embeddings must be finite: row 1 holds NaN/);
  const short = { ...nan, embeddings: tf.zeros([3, 2]) as tf.Tensor2D };
  assert.throws(() => miner(short), /labels must have shape \[3\]: current shape is \[2\]/);
  tf.dispose([nan.embeddings, nan.labels, short.embeddings]);
});
