/**
 * fitRecipe: a seed trains reproducibly (same seed → same weights, another seed → others),
 * the steps are the budget, the distance is the loss's or the given one, the program is
 * disposed (no tensor left), and bad recipes are named before anything trains.
 */
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { pipe } from "../../lib/pipe.ts";
import { dense, empty, flatten, l2Normalize, labelled } from "../../lib/branches/mod.ts";
import { cosine, euclidean } from "../../lib/distances/mod.ts";
import { softmaxCrossEntropy, supCon } from "../../lib/losses/mod.ts";
import { fitRecipe } from "../../lib/protocols/mod.ts";
import { pk } from "../../lib/samplers/mod.ts";

await tf.setBackend("cpu");

const labels = Int32Array.from([0, 0, 0, 1, 1, 1, 2, 2, 2]);
const train = {
  images: Float32Array.from(labels, (l, i) => l + 0.1 * (i % 3)),
  labels,
  shape: [1, 1, 1],
  size: 9,
  classNames: ["a", "b", "c"],
};
const recipe = () => ({
  name: "supcon",
  model: labelled(pipe(empty, flatten(), dense(3), l2Normalize())),
  loss: supCon(),
  train,
  sampler: pk(train, { p: 3, k: 2 }),
  steps: 3,
  progress: "none" as const,
});

Deno.test("fitRecipe trains for the budget, reproducibly per seed, and frees the program", async () => {
  const before = tf.memory().numTensors;
  const config = fitRecipe(recipe());
  assert.equal(config.name, "supcon");
  const weightsOf = async (seed: number) => {
    const t = await config.train(seed);
    assert.equal(t.info?.steps, 3);
    assert.ok(Number.isFinite(t.info?.finalLoss));
    assert.equal(t.embedder.distance, cosine, "the loss's distance");
    const w = t.embedder.fingerprint;
    t.dispose?.();
    return w;
  };
  const [a, a2, b] = [await weightsOf(1), await weightsOf(1), await weightsOf(2)];
  assert.equal(a, a2, "same seed, same weights");
  assert.notEqual(a, b, "another seed, other weights");
  assert.equal(tf.memory().numTensors, before, "nothing left after dispose");
  // a loss without a distance (a classifier) evaluates with the given one
  const classifier = fitRecipe({
    ...recipe(),
    model: labelled(pipe(empty, flatten(), dense(3))),
    loss: softmaxCrossEntropy({ classes: 3 }),
    distance: euclidean,
  });
  const t = await classifier.train(1);
  assert.equal(t.embedder.distance, euclidean);
  t.dispose?.();
});

Deno.test("fitRecipe names a bad recipe before anything trains", () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ name: "" }, /name must be a non-empty string/],
    [{ steps: 0 }, /'supcon' as steps must be an integer ≥ 1: current value is 0/],
    [{ steps: 1.5 }, /steps must be an integer ≥ 1: current value is 1.5/],
    [{ sampler: [1] }, /'supcon' as sampler must be a sampler/],
    [{ train: null }, /'supcon' as train must be a Dataset/],
    [
      { loss: softmaxCrossEntropy({ classes: 3 }) },
      /its loss 'softmax-cross-entropy' has no distance: pass options\.distance/,
    ],
  ];
  for (const [patch, pattern] of cases) {
    assert.throws(() => fitRecipe({ ...recipe(), ...patch } as never), pattern);
  }
});
