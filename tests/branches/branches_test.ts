import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { pipe } from "../../lib/pipe.ts";
import {
  activation,
  andThen,
  batchNorm,
  conv2d,
  dense,
  dropout,
  empty,
  flatten,
  l2Normalize,
  labelled,
  maxPool2d,
  nWay,
  residual,
  siamese,
  spatialDropout2d,
  triplet,
} from "../../lib/branches/mod.ts";
import { compile } from "../../lib/compile/mod.ts";
import { contrastive, fromPerItem, tripletMargin } from "../../lib/losses/mod.ts";
import type { LossInput, Model, NWay, Tensor1D, Triplet } from "../../lib/types.ts";
import { assertClose } from "../distances/_fd.ts";

await tf.setBackend("cpu");

const small = pipe(empty, dense(8, { activation: "tanh" }), dense(4));

Deno.test("stages compose with pipe into inert data", () => {
  const b = pipe(
    empty,
    conv2d(4),
    batchNorm(),
    activation("relu"),
    spatialDropout2d(0.1),
    maxPool2d(2),
    flatten(),
    dense(8),
    dropout(0.5),
    andThen(pipe(empty, dense(3), l2Normalize())),
  );
  assert.deepEqual(b.stages.map((s) => s.kind), [
    "conv2d",
    "batchNorm",
    "activation",
    "spatialDropout2d",
    "maxPool2d",
    "flatten",
    "dense",
    "dropout",
    "dense",
    "l2Normalize",
  ]);
  assert.deepEqual(JSON.parse(JSON.stringify(b)), b);
  assert.equal(empty.stages.length, 0, "stages never mutate their input");
  const m = triplet(b);
  assert.equal(m.branch, b);
});

Deno.test("sharing: one weight set, the same variable objects, whatever the arity", () => {
  const models = [siamese(small), triplet(small), nWay(5, small), labelled(small)];
  for (const model of models as Model<LossInput>[]) {
    const loss = fromPerItem<LossInput>("any", () => tf.zeros([1]));
    const program = compile<LossInput>({ model, loss, inputShape: [3] });
    const a = program.trainableWeights(), b = program.trainableWeights();
    assert.equal(a.length, 4, `${model.kind}: kernel + bias of two dense layers, once`);
    a.forEach((v, i) => assert.equal(v, b[i], "the same Variable objects"));
    assert.equal(program.embedder.countParams(), 3 * 8 + 8 + 8 * 4 + 4);
    program.dispose();
  }
});

Deno.test("sharing: gradients from every branch reach the one weight set, and add up", () => {
  const program = compile({
    model: triplet(small),
    loss: tripletMargin(),
    inputShape: [3],
    seed: 2,
  });
  const x = (seed: number) => tf.randomNormal([4, 3], 0, 1, "float32", seed);
  const batch = { kind: "triplet" as const, anchor: x(1), positive: x(2), negative: x(3) };
  const weights = program.trainableWeights();
  // Loss that reads one branch's embeddings only, via a linear functional.
  const probe = tf.tensor1d([1, -2, 3, 0.5]);
  const reading = (field: keyof Omit<Triplet, "kind"> | "all") =>
    fromPerItem<Triplet>(field, (t) => {
      const fields = field === "all" ? ["anchor", "positive", "negative"] as const : [field];
      return fields.map((f) => tf.sum(tf.mul(t[f], probe), 1) as Tensor1D).reduce((p, q) =>
        tf.add(p, q)
      );
    });
  const gradsFor = (field: Parameters<typeof reading>[0]) => {
    const p = compile({ model: triplet(small), loss: reading(field), inputShape: [3], seed: 2 });
    const { value, grads } = tf.variableGrads(() => p.evaluate(batch), p.trainableWeights());
    const out = p.trainableWeights().map((w) => Array.from(grads[w.name].dataSync()));
    tf.dispose([value, ...Object.values(grads)]);
    p.dispose();
    return out;
  };
  const [ga, gp, gn, all] = (["anchor", "positive", "negative", "all"] as const).map(gradsFor);
  for (const g of [ga, gp, gn]) {
    assert.ok(g.every((w) => w.some((v) => v !== 0)), "each branch alone moves every weight");
  }
  all.forEach((w, i) => assertClose(w, w.map((_, j) => ga[i][j] + gp[i][j] + gn[i][j]), 1e-4));
  assert.equal(weights.length, 4);
  program.dispose();
  tf.dispose([batch.anchor, batch.positive, batch.negative, probe]);
});

Deno.test("sharing: the batched call equals separate calls (inference mode)", () => {
  const loss = fromPerItem<NWay>("rows", (t) => tf.concat(t.items.map((e) => tf.sum(e, 1))));
  const program = compile({ model: nWay(3, small), loss, inputShape: [3], seed: 5 });
  const [a, b, c] = [1, 2, 3].map((s) => tf.randomNormal([2, 3], 0, 1, "float32", s));
  const items = [a, b, c]; // a 3-way program takes exactly 3 items (checked by the types)
  const together = program.evaluate({ kind: "nway", items: [a, b, c] }).dataSync()[0];
  const separately = items.map((x) => tf.sum(program.embed(x)).dataSync()[0]).reduce((a, b) =>
    a + b
  );
  assertClose([together], [separately / 6], 1e-5);
  program.dispose();
  tf.dispose(items);
});

Deno.test("batch-norm in a shared branch normalises all branches together in training", () => {
  // Branch = batch-norm only. Anchors 0, positives 2, negatives 4: union mean 2, variance 8/3.
  const loss = fromPerItem<Triplet>("anchor", (t) => tf.sum(t.anchor, 1) as Tensor1D);
  const program = compile({ model: triplet(batchNorm()(empty)), loss, inputShape: [1] });
  const batch = {
    kind: "triplet" as const,
    anchor: tf.zeros([2, 1]),
    positive: tf.fill([2, 1], 2),
    negative: tf.fill([2, 1], 4),
  };
  const v = program.trainStep(batch);
  // Per-branch statistics would give 0 (all anchors equal); union statistics give −2/σ.
  assertClose([v.dataSync()[0]], [-2 / Math.sqrt(8 / 3 + 1e-3)], 1e-4);
  program.dispose();
  tf.dispose([v, batch.anchor, batch.positive, batch.negative]);
});

Deno.test("residual stage: output is main(x) + shortcut(x)", () => {
  const b = residual(pipe(empty, dense(3, { useBias: false })))(empty);
  const loss = fromPerItem<Triplet>("a", (t) => tf.sum(t.anchor, 1) as Tensor1D);
  const program = compile({ model: triplet(b), loss, inputShape: [3] });
  const kernel = program.embedder.layers.find((l) => l.getClassName() === "Dense")!.getWeights()[0];
  const x = tf.tensor2d([[1, 2, 3]]);
  const want = tf.add(x, tf.matMul(x, kernel));
  assertClose(program.embed(x).dataSync(), want.dataSync(), 1e-5);
  program.dispose();
  tf.dispose([x, want]);
});

Deno.test("branches: bad compositions are errors naming the argument and the value", () => {
  assert.throws(
    () => dense(0),
    /dense stage as units must be a positive integer: current value is 0/,
  );
  assert.throws(
    () => conv2d(4, { kernelSize: -1 }),
    /kernelSize must be a positive integer: current value is -1/,
  );
  assert.throws(
    () => dropout(1.5),
    /dropout stage as rate must be in \[0, 1\): current value is 1.5/,
  );
  assert.throws(
    () => activation("nope" as "relu"),
    /activation must be one of linear, relu, .*: current value is nope/,
  );
  assert.throws(() => nWay(1, small), /nWay model as n must be an integer ≥ 2: current value is 1/);
  assert.throws(
    () => triplet({ stages: [] } as unknown as typeof small),
    /Cannot build triplet model as branch must be a branch value/,
  );
  assert.throws(
    () =>
      compile({ model: triplet(conv2d(4)(empty)), loss: tripletMargin(), inputShape: [8, 8, 1] }),
    /Cannot build triplet model as branch output must be rank 2: current rank is 4/,
  );
  assert.throws(
    () => compile({ model: siamese(maxPool2d(2)(empty)), loss: contrastive(), inputShape: [6] }),
    /stage 0 \(maxPool2d\) as its input must be \[height, width, channels\]: current shape is \[6\]/,
  );
  assert.throws(
    () =>
      compile({
        model: siamese(residual(dense(5)(empty))(empty)),
        loss: contrastive(),
        inputShape: [3],
      }),
    /main and shortcut must give the same shape: current shapes are \[5\] and \[3\]/,
  );
});

Deno.test("conv2d: filters, kernel size, strides, padding and activation reach the stage and the compiled layer", () => {
  const convOf = (b: ReturnType<typeof conv2d>) => {
    const branch = pipe(empty, b, flatten(), dense(2));
    const program = compile({ model: siamese(branch), loss: contrastive(), inputShape: [6, 6, 1] });
    const layer = program.embedder.layers.find((l) => l.getClassName() === "Conv2D")!;
    return { branch, program, layer };
  };
  // Every option set: 5 filters of 2×2, stride 2, valid padding, relu, no bias.
  const set = convOf(
    conv2d(5, { kernelSize: 2, strides: 2, padding: "valid", activation: "relu", useBias: false }),
  );
  assert.deepEqual(set.branch.stages[0], {
    kind: "conv2d",
    filters: 5,
    kernelSize: 2,
    strides: 2,
    padding: "valid",
    activation: "relu",
    useBias: false,
  });
  // (6 − 2) / 2 + 1 = 3 rows and columns of 5 channels.
  assert.deepEqual(set.layer.outputShape, [null, 3, 3, 5]);
  assert.deepEqual(set.layer.getWeights().map((w) => w.shape), [[2, 2, 1, 5]]);
  const config = set.layer.getConfig();
  assert.deepEqual(
    [config.kernelSize, config.strides, config.padding, config.activation, config.useBias],
    [[2, 2], [2, 2], "valid", "relu", false],
  );
  // The layer computes what it says: kernel of ones over an input of −1s and +1s: each 2×2
  // window sums to −4 (relu → 0) in the top half and +4 in the bottom half.
  set.layer.setWeights([tf.ones([2, 2, 1, 5])]);
  const x = tf.concat([tf.fill([1, 2, 6, 1], -1), tf.fill([1, 4, 6, 1], 1)], 1);
  const y = set.layer.apply(x) as tf.Tensor;
  assert.deepEqual(y.shape, [1, 3, 3, 5]);
  const rows = y.arraySync() as number[][][][];
  assert.deepEqual(rows[0].map((row) => row.map((c) => c[0])), [[0, 0, 0], [4, 4, 4], [4, 4, 4]]);
  tf.dispose([x, y]);
  set.program.dispose();
  // Defaults: 3×3, stride 1, same padding, linear, with a bias.
  const defaults = convOf(conv2d(4));
  assert.deepEqual(defaults.layer.outputShape, [null, 6, 6, 4]);
  assert.deepEqual(defaults.layer.getWeights().map((w) => w.shape), [[3, 3, 1, 4], [4]]);
  assert.equal(defaults.layer.getConfig().activation, "linear");
  defaults.program.dispose();
});
