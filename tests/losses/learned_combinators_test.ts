// Learned parameters survive the loss combinators: plus, weighted, perAnchor and
// classWeighted carry them to compile (which creates and trains them); two losses declaring
// one name are refused. Before, every combinator dropped them and the first step failed.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../../lib/backend/mod.ts";
import { compile } from "../../lib/compile/compile.ts";
import { dense, empty, labelled } from "../../lib/branches/mod.ts";
import {
  arcFace,
  classWeighted,
  cosFace,
  multiSimilarity,
  perAnchor,
  plus,
  weighted,
} from "../../lib/losses/mod.ts";
import type { Labelled, Loss } from "../../lib/types.ts";

await useBackend("cpu");

function batch(): Labelled {
  return {
    kind: "labelled",
    embeddings: tf.tensor2d([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9], [-1, 0], [-0.9, -0.1]]),
    labels: tf.tensor1d([0, 0, 1, 1, 2, 2], "int32"),
  };
}

/** Compiles `loss` on a 2 → 3 dense net, takes 3 steps; the learned parameters' names and whether they moved. */
function train(loss: Loss<Labelled>): { names: string[]; moved: boolean } {
  const program = compile({ model: labelled(dense(3)(empty)), loss, inputShape: [2], seed: 1 });
  try {
    const params = program.lossState?.parameters ?? [];
    const before = params.map((p) => Array.from(p.variable.dataSync()));
    const b = batch();
    for (let i = 0; i < 3; i++) program.trainStep(b).dispose();
    tf.dispose([b.embeddings, b.labels]);
    const moved = params.some((p, i) =>
      Array.from(p.variable.dataSync()).some((v, j) => v !== before[i][j])
    );
    return { names: params.map((p) => p.name), moved };
  } finally {
    program.dispose();
  }
}

Deno.test("plus, weighted, perAnchor and classWeighted carry learned parameters to compile", () => {
  const start = tf.memory().numTensors;
  const cases: [string, Loss<Labelled>, string[]][] = [
    ["plus", plus(arcFace({ classes: 3 }), multiSimilarity()), ["classWeights"]],
    ["plus (second)", plus(multiSimilarity(), cosFace({ classes: 3 })), ["classWeights"]],
    ["weighted", weighted(arcFace({ classes: 3 }), 0.5), ["classWeights"]],
    ["perAnchor", perAnchor(arcFace({ classes: 3 })), ["classWeights"]],
    ["classWeighted", classWeighted(arcFace({ classes: 3 }), [1, 2, 1]), ["classWeights"]],
  ];
  for (const [what, loss, names] of cases) {
    const got = train(loss);
    assert.deepEqual(got.names, names, what);
    assert.ok(got.moved, `${what}: the learned parameters train`);
  }
  assert.equal(tf.memory().numTensors, start, "no tensor leaks");
});

Deno.test("plus refuses two losses that declare the same learned parameter, naming it", () => {
  assert.throws(
    () => plus(arcFace({ classes: 3 }), cosFace({ classes: 3 })),
    /Cannot add losses arc-face and cos-face as both declare the learned parameter 'classWeights'/,
  );
});
