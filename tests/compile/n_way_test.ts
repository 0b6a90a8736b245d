// N-way (quadruplet) training end to end: samplers.nWay → data.tensorBatches → train.fit on a
// compile({ model: nWay(4, branch) }) program, and the arity checks (types and run time).
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { pipe } from "../../lib/pipe.ts";
import { dense, empty, nWay } from "../../lib/branches/mod.ts";
import { compile } from "../../lib/compile/mod.ts";
import { fromPerItem } from "../../lib/losses/mod.ts";
import { nWay as nWayTuples, repeat, seeded } from "../../lib/samplers/mod.ts";
import { batch } from "../../lib/samplers/mod.ts";
import { makeDataset, tensorBatches } from "../../lib/data/mod.ts";
import { fit } from "../../lib/train/mod.ts";
import type { Model, NWay, Tensor, Tensor1D, Tensor2D } from "../../lib/types.ts";

await tf.setBackend("cpu");

// 6 classes × 10 samples of 4 values: class c is a noisy copy of a fixed random centre.
const classes = 6, perClass = 10, width = 4;
const centres = Array.from({ length: classes * width }, (_, i) => ((i * 7919) % 97) / 97);
const noise = (i: number) => (((i * 104729) % 251) / 251 - 0.5) * 0.3;
const labels = Array.from({ length: classes * perClass }, (_, i) => i % classes);
const dataset = makeDataset({
  images: Uint8Array.from(
    labels.flatMap((c, i) =>
      Array.from({ length: width }, (_, k) => {
        const v = centres[c * width + k] + noise(i * width + k);
        return Math.round(255 * Math.min(1, Math.max(0, v)));
      })
    ),
  ),
  labels,
  shape: [width],
  classNames: Array.from({ length: classes }, (_, c) => `c${c}`),
});

const squared = (x: Tensor2D, y: Tensor2D): Tensor1D => tf.sum(tf.square(tf.sub(x, y)), 1);

/** The quadruplet loss (Chen et al. 2017): the triplet term plus a term asking the positive
 * pair to be closer than a pair of two negatives of different classes (why nWay's negatives
 * come from distinct classes). */
const quadruplet = (m1: number, m2: number) =>
  fromPerItem<NWay<Tensor2D, 4>>("quadruplet", ({ items: [a, p, n1, n2] }) => {
    const positive = squared(a, p);
    return tf.add(
      tf.relu(tf.add(tf.sub(positive, squared(a, n1)), m1)),
      tf.relu(tf.add(tf.sub(positive, squared(n1, n2)), m2)),
    ) as Tensor1D;
  });

const branch = pipe(empty, dense(8, { activation: "relu" }), dense(4));

Deno.test("nWay: a quadruplet program trains through samplers.nWay + tensorBatches + fit, loss falling, no leak", async () => {
  const before = tf.memory().numTensors;
  const model = nWay(4, branch);
  const program = compile({
    model,
    loss: quadruplet(1, 0.5),
    inputShape: [width],
    learningRate: 0.01,
    seed: 3,
  });
  const batches = tensorBatches(dataset)(
    pipe(nWayTuples(dataset, { n: 4 }), repeat(), batch(16), seeded(5)),
  );
  const run = fit(program, batches, { steps: 60, progress: "none" });
  const counts: number[] = [];
  let r = await run.next();
  // an N-way batch of 16 tuples is 4 × 16 input images (throughput counts them all)
  assert.equal(r.done ? -1 : r.value.images, 64);
  while (!r.done) {
    counts.push(tf.memory().numTensors);
    r = await run.next();
  }
  const { loss } = r.value;
  assert.equal(loss.length, 60);
  assert.ok(loss.every(Number.isFinite), `finite losses: ${loss}`);
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const first = mean(loss.slice(0, 10)), last = mean(loss.slice(-10));
  assert.ok(last < 0.7 * first, `the loss fell: first 10 steps ${first}, last 10 ${last}`);
  // flat from step to step once the optimiser slots exist (tensorBatches is lazy: fit owns
  // each batch's tensors and frees them after its step, so nothing is prefetched; the last
  // report holds no more than the others)
  const steady = counts.slice(2, -1);
  assert.equal(Math.max(...steady), Math.min(...steady), `${counts}`);
  assert.ok(counts.at(-1)! <= steady[0], `${counts}`);
  console.log(`quadruplet loss: first 10 steps ${first.toFixed(4)}, last 10 ${last.toFixed(4)}`);
  program.dispose();
  assert.equal(tf.memory().numTensors, before, "no tensor outlives the program");
});

Deno.test("nWay: a batch of another arity is refused at run time, naming both counts", () => {
  const program = compile({ model: nWay(4, branch), loss: quadruplet(1, 1), inputShape: [width] });
  const x = tf.zeros([2, width]) as Tensor2D;
  const before = tf.memory().numTensors;
  const three: NWay<Tensor> = { kind: "nway", items: [x, x, x] };
  assert.throws(
    // @ts-expect-error a 3-item batch does not compile for a 4-way program
    () => program.trainStep(three),
    /^Error: Cannot train nway program on batch as the model's arity is 4 \(nWay\(4, …\)\) but batch\.items holds 3 tensors: it must hold 4 \(the anchor, a positive and 2 negatives\)$/,
  );
  assert.throws(
    // @ts-expect-error five items are not four
    () => program.evaluate({ kind: "nway", items: [x, x, x, x, x] }),
    /Cannot evaluate nway program on batch as the model's arity is 4 .* batch\.items holds 5 tensors/,
  );
  assert.throws(
    () => program.trainStep({ kind: "nway", items: null } as unknown as NWay<Tensor, 4>),
    /batch\.items must be an array of 4 tensors \(the model's arity\): current value is null/,
  );
  assert.equal(tf.memory().numTensors, before, "nothing allocated by a refused step");
  // the right arity runs
  const value = program.evaluate({ kind: "nway", items: [x, x, x, x] });
  assert.ok(Number.isFinite(value.dataSync()[0]));
  tf.dispose([value, x]);
  program.dispose();
});

Deno.test("nWay: a 3-way sampler cannot feed a 4-way program (types), and is refused at run time", async () => {
  const program = compile({ model: nWay(4, branch), loss: quadruplet(1, 1), inputShape: [width] });
  const batches = tensorBatches(dataset)(
    pipe(nWayTuples(dataset, { n: 3 }), repeat(), batch(4), seeded(1)),
  );
  // @ts-expect-error NWay<Tensor, 3> batches are not NWay<Tensor, 4> batches
  const run = fit(program, batches, { steps: 2, progress: "none" });
  await assert.rejects(() => run.next(), /the model's arity is 4 .* batch\.items holds 3 tensors/);
  program.dispose();
});

Deno.test("nWay: compile refuses a model whose arity is not a valid count", () => {
  const loss = fromPerItem<NWay>("zero", () => tf.zeros([1]) as Tensor1D);
  for (const arity of [1, 2.5, NaN]) {
    const model = { kind: "nway", arity, branch } as Model<NWay>;
    assert.throws(
      () => compile({ model, loss, inputShape: [width] }),
      new RegExp(
        `^Error: Cannot compile nway model as model.arity must be an integer ≥ 2: current arity is ${arity}$`,
      ),
    );
  }
  const pair = { kind: "pair", arity: 3, branch } as unknown as Model<NWay>;
  assert.throws(
    () => compile({ model: pair, loss, inputShape: [width] }),
    /Cannot compile pair model as model.arity must be 2: current arity is 3/,
  );
});

Deno.test("nWay: the model's arity is a literal type", () => {
  const four = nWay(4, branch);
  const n: 4 = four.arity;
  // @ts-expect-error nWay(4, …) is not a 5-way model
  const five: Model<NWay<Tensor2D, 5>> = four;
  const any: Model<NWay> = four;
  assert.equal(n + five.arity + any.arity, 12);
  // a loss written for 3-way inputs does not compile with a 4-way model
  const three = fromPerItem<NWay<Tensor2D, 3>>("three", ({ items: [a] }) => tf.sum(a, 1));
  // @ts-expect-error Loss<NWay<Tensor2D, 3>> is not a Loss<NWay<Tensor2D, 4>>
  const program = compile({ model: four, loss: three, inputShape: [width] });
  program.dispose();
});
