// likeness's combinators are fp-ts's shapes: fp-ts's own pipe/flow build the same models and
// samplers, and lossMonoid is an fp-ts Monoid (assignable, and concatAll folds with it).
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../lib/backend/mod.ts";
import { flow as fpFlow, pipe as fpPipe } from "fp-ts/lib/function.js";
import { concatAll, type Monoid } from "fp-ts/lib/Monoid.js";
import { flow, pipe } from "../lib/pipe.ts";
import { dense, embedding, empty } from "../lib/branches/mod.ts";
import { contrastive, lossMonoid } from "../lib/losses/mod.ts";
import { batch, seeded, take, triplets } from "../lib/samplers/mod.ts";
import type { Loss, Pair } from "../lib/types.ts";

Deno.test("fp-ts's pipe and flow build the same model and sampler values as likeness's", () => {
  const ours = pipe(empty, dense(8, { activation: "relu" }), embedding(4));
  const theirs = fpPipe(empty, dense(8, { activation: "relu" }), embedding(4));
  assert.equal(JSON.stringify(theirs), JSON.stringify(ours));
  const labels = Int32Array.from([0, 0, 1, 1, 2, 2]);
  const data = {
    images: new Float32Array(6),
    labels,
    shape: [1],
    size: 6,
    classNames: ["a", "b", "c"],
  };
  const a = [...pipe(triplets(data), batch(2), take(3), seeded(9))];
  const b = [...fpPipe(triplets(data), batch(2), take(3), seeded(9))];
  assert.deepEqual(b, a);
  const f = flow((n: number) => n + 1, (n) => n * 2),
    g = fpFlow((n: number) => n + 1, (n) => n * 2);
  assert.equal(f(3), g(3));
});

Deno.test("lossMonoid is an fp-ts Monoid: concatAll folds losses as plus does", async () => {
  await useBackend("cpu");
  const M: Monoid<Loss<Pair>> = lossMonoid<Pair>(); // assignable: the same shape
  const total = concatAll(M)([contrastive(), contrastive({ squared: true })]);
  assert.equal(total.name, "contrastive + contrastive-squared");
  const pair = {
    kind: "pair" as const,
    left: tf.tensor2d([[0, 0]]),
    right: tf.tensor2d([[0, 2]]),
    same: tf.tensor1d([1]),
  };
  // a same-class pair 2 apart: 2 + 4
  const value = tf.tidy(() => total.reduce(total.perItem(pair)).dataSync()[0]);
  assert.equal(value, 6);
  assert.equal(concatAll(M)([]).name, M.empty.name);
  tf.dispose([pair.left, pair.right, pair.same]);
});
