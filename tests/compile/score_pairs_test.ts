// scorePairs for a pair-BCE program is P(same): the probability the BCE loss itself assigns to
// "same", so that −log P(same) of a same pair is exactly the loss of that pair.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { pipe } from "../../lib/pipe.ts";
import { dense, empty, siamese } from "../../lib/branches/mod.ts";
import { compile } from "../../lib/compile/mod.ts";
import { contrastive, fromPerItem, pairBce } from "../../lib/losses/mod.ts";
import { cosine, distance, euclidean, manhattan } from "../../lib/distances/mod.ts";
import type { Pair, Tensor, Tensor2D } from "../../lib/types.ts";

await tf.setBackend("cpu");

Deno.test("scorePairs: a BCE program's score is P(same), the probability its loss trains", () => {
  const program = compile({
    model: siamese(pipe(empty, dense(3, { activation: "tanh" }))),
    loss: pairBce({ hidden: [] }),
    inputShape: [4],
    seed: 7,
  });
  const left = tf.randomNormal([5, 4], 0, 1, "float32", 1) as Tensor;
  const right = tf.randomNormal([5, 4], 0, 1, "float32", 2) as Tensor;
  const p = Array.from(program.scorePairs(left, right).dataSync());
  // Oracle from the layers themselves: sigmoid(head([embed(left), embed(right)])).
  const [kernel, bias] = program.head!.getWeights().map((w) => Array.from(w.dataSync()));
  const [el, er] = [program.embed(left), program.embed(right)] as Tensor2D[];
  const l = el.arraySync(), r = er.arraySync();
  tf.dispose([el, er]);
  for (let i = 0; i < 5; i++) {
    const features = [...l[i], ...r[i]];
    const z = features.reduce((s, v, k) => s + v * kernel[k], bias[0]);
    const want = 1 / (1 + Math.exp(-z));
    assert.ok(Math.abs(p[i] - want) < 1e-5, `pair ${i}: ${p[i]} vs sigmoid(z) = ${want}`);
  }
  // The loss of a pair labelled same is −log P(same); labelled different, −log(1 − P(same)).
  for (const same of [1, 0]) {
    const batch = { kind: "pair" as const, left, right, same: tf.fill([5], same) as tf.Tensor1D };
    const loss = program.evaluate(batch);
    const want = -p.reduce((s, v) => s + Math.log(same ? v : 1 - v), 0) / 5;
    assert.ok(
      Math.abs(loss.dataSync()[0] - want) < 1e-4,
      `same=${same}: loss ${loss.dataSync()[0]} vs −mean log P = ${want}`,
    );
    tf.dispose([loss, batch.same]);
  }
  // Deterministic: the same pairs score the same again (no dropout or training behaviour).
  const again = program.scorePairs(left, right);
  assert.deepEqual(Array.from(again.dataSync()), p);
  tf.dispose([left, right, again]);
  program.dispose();
});

Deno.test("scorePairs: scored with the loss's distance record (cosine, a user distance), never silently euclidean", () => {
  const left = tf.tensor2d([[1, 0, 0, 0], [0, 1, 0, 0], [1, 1, 0, 0]]);
  const right = tf.tensor2d([[0, 0, 1, 0], [0, 2, 0, 0], [3, 1, 1, 0]]);
  const mine = distance({ name: "l-inf", rows: (a, b) => tf.max(tf.abs(tf.sub(a, b)), 1) });
  for (const d of [cosine, mine]) {
    const program = compile({
      model: siamese(pipe(empty, dense(3, { activation: "tanh" }))),
      loss: contrastive({ distance: d }),
      inputShape: [4],
      seed: 3,
    });
    const got = Array.from(program.scorePairs(left, right).dataSync());
    const [el, er] = [program.embed(left), program.embed(right)] as Tensor2D[];
    const want = Array.from(d.rows(el, er).dataSync());
    const other = Array.from(euclidean.rows(el, er).dataSync());
    got.forEach((g, i) => assert.ok(Math.abs(g - want[i]) < 1e-6, `${d.name} pair ${i}`));
    assert.ok(got.some((g, i) => Math.abs(g - other[i]) > 1e-3), `${d.name} is not euclidean`);
    tf.dispose([el, er]);
    program.dispose();
  }
  // a loss that declares no distance (and has no head) cannot be scored: no guessing
  const bare = compile({
    model: siamese(pipe(empty, dense(3))),
    loss: fromPerItem<Pair>("bare", ({ left: l, right: r }) => tf.sum(tf.abs(tf.sub(l, r)), 1)),
    inputShape: [4],
  });
  assert.throws(
    () => bare.scorePairs(left, right),
    /Cannot score pairs as loss 'bare' has no distance and no pair head/,
  );
  bare.dispose();
  // given one, it is used
  const withDistance = compile({
    model: siamese(pipe(empty, dense(3))),
    loss: fromPerItem<Pair>(
      "l1",
      ({ left: l, right: r }) => manhattan.rows(l, r),
      undefined,
      manhattan,
    ),
    inputShape: [4],
  });
  const s = withDistance.scorePairs(left, left);
  assert.deepEqual(Array.from(s.dataSync()), [0, 0, 0]);
  tf.dispose([s, left, right]);
  withDistance.dispose();
});
