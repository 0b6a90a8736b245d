// Loss-owned parameters in compile: created seeded beside (not inside) the embedder, trained
// by the program's optimiser (at a multiple of its rate when asked), freed with the program.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { dense, empty, labelled, triplet } from "../../lib/branches/mod.ts";
import { compile } from "../../lib/compile/compile.ts";
import { Adam } from "../../lib/compile/_adam.ts";
import { mean } from "../../lib/losses/mean.ts";
import { supCon } from "../../lib/losses/mod.ts";
import {
  arcFace,
  cosFace,
  proxyAnchor,
  proxyNca,
  softTriple,
  subCenterArcFace,
} from "../../lib/losses/learned/mod.ts";
import { pipe } from "../../lib/pipe.ts";
import type { Labelled, Loss, Optimizer, Program, Tensor1D } from "../../lib/types.ts";

await tf.setBackend("cpu");

const net = () => pipe(empty, dense(8, { activation: "relu" }), dense(4));

/** `n` points per class around 3 fixed centres in 4-d, seeded. */
function blobs(
  seed: number,
  n = 4,
): { kind: "labelled"; embeddings: tf.Tensor2D; labels: tf.Tensor1D } {
  let s = seed >>> 0 || 1;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) - 0.5;
  const centres = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 1]];
  const rows: number[][] = [], labels: number[] = [];
  for (let i = 0; i < n; i++) {
    centres.forEach((c, y) => {
      rows.push(c.map((v) => v + 0.3 * next()));
      labels.push(y);
    });
  }
  return { kind: "labelled", embeddings: tf.tensor2d(rows), labels: tf.tensor1d(labels, "int32") };
}

const values = (p: Program<Labelled>) =>
  p.lossState!.parameters.map((q) => Array.from(q.variable.dataSync()));
const step = (p: Program<Labelled>, batch: ReturnType<typeof blobs>) => {
  const l = p.trainStep(batch);
  const v = l.dataSync()[0];
  l.dispose();
  return v;
};
const free = (b: ReturnType<typeof blobs>) => tf.dispose([b.embeddings, b.labels]);

const ALL: [string, () => Loss<Labelled>, string, number[]][] = [
  ["arcFace", () => arcFace({ classes: 3 }), "classWeights", [3, 4]],
  ["cosFace", () => cosFace({ classes: 3 }), "classWeights", [3, 4]],
  ["subCenterArcFace", () => subCenterArcFace({ classes: 3 }), "classWeights", [9, 4]],
  ["proxyAnchor", () => proxyAnchor({ classes: 3 }), "proxies", [3, 4]],
  ["proxyNca", () => proxyNca({ classes: 3 }), "proxies", [3, 4]],
  ["softTriple", () => softTriple({ classes: 3 }), "centers", [30, 4]],
];

for (const [name, make, parameter, shape] of ALL) {
  Deno.test(`${name}: compile creates its ${parameter} seeded, beside the embedder, trains and frees them`, () => {
    const before = tf.memory().numTensors;
    const plain = compile({ model: labelled(net()), loss: supCon(), inputShape: [4], seed: 3 });
    const a = compile({ model: labelled(net()), loss: make(), inputShape: [4], seed: 3 });
    const b = compile({ model: labelled(net()), loss: make(), inputShape: [4], seed: 3 });
    const c = compile({ model: labelled(net()), loss: make(), inputShape: [4], seed: 4 });
    const state = a.lossState!;
    assert.deepEqual(state.parameters.map((p) => [p.name, p.variable.shape]), [[parameter, shape]]);
    // the embedder is the same model, with the same weights, as with a loss without parameters
    assert.equal(a.embedder.weights.length, plain.embedder.weights.length);
    a.embedder.getWeights().forEach((w, i) =>
      assert.deepEqual(w.dataSync(), plain.embedder.getWeights()[i].dataSync())
    );
    assert.ok(!a.embedder.weights.some((w) => w.shape.join() === shape.join() && w.shape[0] !== 4));
    // reported by trainableWeights, after the model's
    const weights = a.trainableWeights();
    assert.equal(weights.length, plain.trainableWeights().length + 1);
    assert.equal(weights[weights.length - 1], state.parameters[0].variable);
    // same seed, same numbers; another seed, others
    assert.deepEqual(values(a), values(b));
    assert.notDeepEqual(values(a), values(c));
    // a step moves them; evaluate does not
    const batch = blobs(1);
    const initial = values(a);
    tf.dispose(a.evaluate(batch));
    assert.deepEqual(values(a), initial);
    step(a, batch);
    assert.notDeepEqual(values(a), initial);
    // and the step count of tensors is flat after the first step (slots created)
    step(a, batch);
    const flat = tf.memory().numTensors;
    step(a, batch);
    assert.equal(tf.memory().numTensors, flat);
    free(batch);
    for (const p of [plain, a, b, c]) p.dispose();
    assert.equal(tf.memory().numTensors, before, "tensors left behind after dispose");
  });
}

Deno.test("arcFace: a tiny model trains (the loss falls to under half) and its class weights move", () => {
  const program = compile({
    model: labelled(net()),
    loss: arcFace({ classes: 3, scale: 16 }),
    inputShape: [4],
    seed: 1,
    learningRate: 0.01,
  });
  const batches = [1, 2, 3, 4].map((s) => blobs(s));
  const initial = values(program);
  const first = batches.map((b) => program.evaluate(b).dataSync()[0]);
  for (let i = 0; i < 60; i++) step(program, batches[i % 4]);
  const last = batches.map((b) => program.evaluate(b).dataSync()[0]);
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(avg(last) < 0.5 * avg(first), `loss ${avg(first)} → ${avg(last)}`);
  assert.notDeepEqual(values(program), initial);
  batches.forEach(free);
  program.dispose();
});

Deno.test("learningRateMultiplier: sgd moves the parameters exactly that many times as far", () => {
  const delta = (multiplier: number) => {
    const p = compile({
      model: labelled(net()),
      loss: proxyNca({ classes: 3, learningRateMultiplier: multiplier }),
      inputShape: [4],
      optimizer: "sgd",
      learningRate: 0.1,
      seed: 2,
    });
    const batch = blobs(5);
    const before = values(p)[0];
    const model = p.embedder.getWeights().map((w) => Array.from(w.dataSync()));
    step(p, batch);
    const after = values(p)[0];
    const modelAfter = p.embedder.getWeights().map((w) => Array.from(w.dataSync()));
    free(batch);
    p.dispose();
    return { d: after.map((v, i) => v - before[i]), model: modelAfter, moved: model };
  };
  const one = delta(1), ten = delta(10);
  // the model's step is the same; the proxies' is 10×
  assert.deepEqual(one.model, ten.model);
  one.d.forEach((v, i) =>
    assert.ok(Math.abs(ten.d[i] - 10 * v) <= 1e-5 * (1 + Math.abs(10 * v)), `${i}`)
  );
  assert.ok(one.d.some((v) => Math.abs(v) > 1e-4));
});

Deno.test("setLearningRate also sets the loss parameters' optimisers, times their multiplier", () => {
  const p = compile({
    model: labelled(net()),
    loss: proxyAnchor({ classes: 3, learningRateMultiplier: 100 }),
    inputShape: [4],
  });
  const rate = (o: Optimizer | undefined) =>
    (o as unknown as { learningRate: number }).learningRate;
  assert.ok(Math.abs(rate(p.lossState!.parameters[0].optimizer) - 0.1) < 1e-12);
  p.setLearningRate(0.02);
  assert.ok(Math.abs(rate(p.optimizer) - 0.02) < 1e-12);
  assert.ok(Math.abs(rate(p.lossState!.parameters[0].optimizer) - 2) < 1e-12);
  p.dispose();
});

Deno.test("own Adam per parameter at multiplier 1 takes the same steps as one shared Adam", () => {
  const make = (optimizer?: Optimizer) =>
    compile({
      model: labelled(net()),
      loss: arcFace({ classes: 3, scale: 8 }),
      inputShape: [4],
      seed: 5,
      learningRate: 0.01,
      ...(optimizer ? { optimizer } : {}),
    });
  const own = make();
  const shared = make(new Adam(0.01, 0.9, 0.999));
  assert.ok(own.lossState!.parameters[0].optimizer !== undefined);
  assert.equal(shared.lossState!.parameters[0].optimizer, undefined);
  const batches = [1, 2].map((s) => blobs(s));
  for (let i = 0; i < 5; i++) {
    const a = step(own, batches[i % 2]), b = step(shared, batches[i % 2]);
    assert.ok(Math.abs(a - b) <= 1e-6 * (1 + Math.abs(a)), `step ${i}: ${a} vs ${b}`);
  }
  const all = (p: Program<Labelled>) =>
    p.trainableWeights().flatMap((w) => Array.from(w.dataSync()));
  const [x, y] = [all(own), all(shared)];
  x.forEach((v, i) => assert.ok(Math.abs(v - y[i]) <= 1e-6, `weight ${i}: ${v} vs ${y[i]}`));
  batches.forEach(free);
  own.dispose();
  shared.dispose();
});

Deno.test("loss parameters: bad specs, labels and optimisers are errors naming them", () => {
  const before = tf.memory().numTensors;
  const base = (parameters: unknown): Loss<Labelled> => ({
    name: "custom",
    reduce: mean,
    parameters: parameters as Loss<Labelled>["parameters"],
    perItem: (x: Labelled) => tf.zeros([x.embeddings.shape[0]]) as Tensor1D,
  });
  const model = labelled(net());
  const spec = {
    name: "w",
    shape: [2, "embeddingSize"],
    init: { kind: "normal", mean: 0, stddev: 1 },
  };
  const cases: [unknown, RegExp][] = [
    [[], /loss\.parameters must be a non-empty list/],
    [[{ ...spec, name: "" }], /parameter 0's name must be a non-empty string .*""/],
    [[spec, spec], /parameter 1's name must be .*unique.*"w"/],
    [[{ ...spec, shape: [0, 4] }], /parameter 'w' must have a non-empty shape .*\[0,4\]/],
    [[{ ...spec, shape: [] }], /parameter 'w' must have a non-empty shape/],
    [
      [{ ...spec, init: { kind: "normal", mean: 0, stddev: 0 } }],
      /parameter 'w' must have init .*"stddev":0/,
    ],
    [[{ ...spec, init: { kind: "uniform", min: 1, max: 1 } }], /must have init/],
    [[{ ...spec, init: { kind: "zeros" } }], /must have init .*"zeros"/],
    [
      [{ ...spec, learningRateMultiplier: -1 }],
      /learningRateMultiplier .*> 0: current value is -1/,
    ],
  ];
  for (const [parameters, message] of cases) {
    assert.throws(() => compile({ model, loss: base(parameters), inputShape: [4] }), message);
  }
  // a multiplier needs an optimiser compile can make
  const sgd = tf.train.sgd(0.1);
  assert.throws(
    () =>
      compile({
        model,
        loss: arcFace({ classes: 3, learningRateMultiplier: 10 }),
        inputShape: [4],
        optimizer: sgd,
      }),
    /parameter 'classWeights' asks for learningRateMultiplier 10, which needs a named optimizer/,
  );
  sgd.dispose();
  assert.equal(tf.memory().numTensors, before, "a refused compile leaves nothing behind");
  // a label outside [0, classes) is named, in a step and in evaluate
  const p = compile({ model, loss: arcFace({ classes: 3 }), inputShape: [4] });
  const bad = {
    kind: "labelled" as const,
    embeddings: tf.ones([3, 4]) as tf.Tensor2D,
    labels: tf.tensor1d([0, 1, 3], "int32"),
  };
  const weights = p.trainableWeights().map((w) => Array.from(w.dataSync()));
  assert.throws(
    () => p.trainStep(bad),
    /labels must be integers in \[0, 3\) \(options\.classes is 3\): current value at index 2 is 3/,
  );
  assert.throws(
    () => p.evaluate({ ...bad, labels: tf.tensor1d([-1, 0, 0], "int32") }),
    /current value at index 0 is -1/,
  );
  assert.throws(
    () => p.evaluate({ ...bad, labels: tf.tensor1d([0.5, 0, 0]) }),
    /current value at index 0 is 0\.5/,
  );
  assert.deepEqual(p.trainableWeights().map((w) => Array.from(w.dataSync())), weights);
  p.dispose();
});

// Never called: only type-checked (an unused @ts-expect-error fails `deno check`).
function _pairings(): void {
  const branch = net();
  const ok: Program<Labelled> = compile({
    model: labelled(branch),
    loss: arcFace({ classes: 3 }),
    inputShape: [4],
  });
  const triplets = triplet(branch);
  // @ts-expect-error a learned loss takes labelled batches, not triplets
  compile({ model: triplets, loss: proxyAnchor({ classes: 3 }), inputShape: [4] });
  ok.dispose();
}
void _pairings;
