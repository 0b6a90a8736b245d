import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { pipe } from "../../lib/pipe.ts";
import { mlp, vgg } from "../../lib/backbones/mod.ts";
import {
  dense,
  dropout,
  embedding,
  empty,
  l2Normalize,
  labelled,
  siamese,
  triplet,
} from "../../lib/branches/mod.ts";
import { compile } from "../../lib/compile/mod.ts";
import { euclidean } from "../../lib/distances/mod.ts";
import {
  contrastive,
  fromPerItem,
  pairBce,
  softmaxCrossEntropy,
  tripletMargin,
} from "../../lib/losses/mod.ts";
import type { Pair, Tensor, Triplet } from "../../lib/types.ts";
import { assertClose } from "../distances/_fd.ts";

await tf.setBackend("cpu");

const tinyVgg = () => pipe(vgg({ filters: [2, 4], dense: 8, dropout: 0.3 }), embedding(4));
const images = (n: number, seed: number) =>
  tf.randomUniform([n, 8, 8, 1], 0, 1, "float32", seed) as Tensor;
const tripletBatch = (seed: number): Triplet<Tensor> => ({
  kind: "triplet",
  anchor: images(4, seed),
  positive: images(4, seed + 100),
  negative: images(4, seed + 200),
});
const disposeBatch = (b: object) =>
  tf.dispose(Object.values(b).filter((v) => v instanceof tf.Tensor));
const weightsOf = (p: { trainableWeights(): tf.Variable[] }) =>
  p.trainableWeights().map((w) => Array.from(w.dataSync()));

Deno.test("seeded: same seed → same weights → same loss trajectory (dropout included)", () => {
  const run = (seed: number) => {
    const program = compile({
      model: triplet(pipe(tinyVgg(), dropout(0.2), l2Normalize())),
      loss: tripletMargin({ margin: 0.5 }),
      inputShape: [8, 8, 1],
      seed,
    });
    const initial = weightsOf(program);
    const losses: number[] = [];
    for (let step = 0; step < 3; step++) {
      const batch = tripletBatch(step + 1);
      const loss = program.trainStep(batch);
      losses.push(loss.dataSync()[0]);
      tf.dispose(loss);
      disposeBatch(batch);
    }
    program.dispose();
    return { initial, losses };
  };
  const a = run(7), b = run(7), c = run(8);
  assert.deepEqual(a.initial, b.initial);
  assert.deepEqual(a.losses, b.losses);
  assert.notDeepEqual(a.initial, c.initial);
  assert.ok(a.losses.every(Number.isFinite));
});

Deno.test("trainStep: one update, returns the loss, leaks nothing, keeps the batch", () => {
  const program = compile({
    model: triplet(tinyVgg()),
    loss: tripletMargin(),
    inputShape: [8, 8, 1],
  });
  const batch = tripletBatch(1);
  program.trainStep(batch).dispose(); // first step creates the optimizer's slots
  const before = tf.memory().numTensors;
  const w0 = weightsOf(program);
  const loss = program.trainStep(batch);
  assert.equal(loss.rank, 0);
  assert.notDeepEqual(weightsOf(program), w0, "weights moved");
  loss.dispose();
  assert.equal(tf.memory().numTensors, before);
  assert.ok(!batch.anchor.isDisposed);
  // evaluate: no update, inference mode (dropout off → repeatable), no leak.
  const w1 = weightsOf(program);
  const [e1, e2] = [program.evaluate(batch), program.evaluate(batch)];
  assert.equal(e1.dataSync()[0], e2.dataSync()[0]);
  tf.dispose([e1, e2]);
  assert.deepEqual(weightsOf(program), w1);
  const x = program.embed(batch.anchor);
  assert.deepEqual(x.shape, [4, 4]);
  x.dispose();
  assert.equal(tf.memory().numTensors, before);
  program.dispose();
  disposeBatch(batch);
});

Deno.test("a custom loss in a few lines trains (the README example)", () => {
  // Two classes of 6-d vectors; the custom loss: pull same pairs, push others beyond 1.
  const myLoss = fromPerItem<Pair>("my-contrastive", ({ left, right, same }) => {
    const d = euclidean.rows(left, right);
    return tf.add(
      tf.mul(same, tf.square(d)),
      tf.mul(tf.sub(1, same), tf.square(tf.relu(tf.sub(1, d)))),
    );
  });
  const program = compile({
    model: siamese(pipe(mlp({ hidden: [16] }), embedding(2))),
    loss: myLoss,
    inputShape: [6],
    learningRate: 0.02,
    seed: 1,
  });
  const centre = (c: number) => Array.from({ length: 6 }, (_, i) => (i % 2 === c ? 1 : -1));
  const rows = (cs: number[], seed: number) =>
    tf.tidy(() =>
      tf.add(tf.tensor2d(cs.map(centre)), tf.randomNormal([cs.length, 6], 0, 0.3, "float32", seed))
    );
  const cl = [0, 1, 0, 1, 0, 1, 0, 1], cr = [0, 1, 1, 0, 0, 1, 1, 0];
  const batch = {
    kind: "pair" as const,
    left: rows(cl, 1),
    right: rows(cr, 2),
    same: tf.tensor1d(cl.map((c, i) => Number(c === cr[i]))),
  };
  const first = program.evaluate(batch).dataSync()[0];
  for (let i = 0; i < 60; i++) program.trainStep(batch).dispose();
  const last = program.evaluate(batch).dataSync()[0];
  assert.ok(last < 0.5 * first, `loss ${first} → ${last}`);
  program.dispose();
  disposeBatch(batch);
});

Deno.test("scorePairs: P(same) for a BCE head, the loss's distance otherwise", () => {
  const left = images(3, 1), right = images(3, 2);
  const bce = compile({
    model: siamese(tinyVgg()),
    loss: pairBce({ hidden: [5] }),
    inputShape: [8, 8, 1],
  });
  assert.equal(bce.head?.countParams(), 8 * 5 + 5 + 5 + 1);
  const p = bce.scorePairs(left, right).dataSync();
  assert.equal(p.length, 3);
  assert.ok(p.every((v) => v > 0 && v < 1));
  const con = compile({ model: siamese(tinyVgg()), loss: contrastive(), inputShape: [8, 8, 1] });
  assert.equal(con.head, undefined);
  const want = tf.tidy(() => euclidean.rows(con.embed(left), con.embed(right)));
  assertClose(con.scorePairs(left, right).dataSync(), want.dataSync(), 1e-5);
  // A pair-BCE program trains its head too.
  const before = bce.head!.getWeights().map((w) => Array.from(w.dataSync()));
  bce.trainStep({ kind: "pair", left, right, same: tf.tensor1d([1, 0, 1]) }).dispose();
  assert.notDeepEqual(bce.head!.getWeights().map((w) => Array.from(w.dataSync())), before);
  tf.dispose([left, right, want]);
  bce.dispose();
  con.dispose();
});

Deno.test("softmax classification: the labelled model trains a class head; embed is the penultimate layer", () => {
  const program = compile({
    model: labelled(tinyVgg()),
    loss: softmaxCrossEntropy({ classes: 3 }),
    inputShape: [8, 8, 1],
    learningRate: 0.01,
  });
  const x = images(6, 3), labels = tf.tensor1d([0, 1, 2, 0, 1, 2], "int32");
  const batch = { kind: "labelled" as const, embeddings: x, labels };
  const first = program.evaluate(batch).dataSync()[0];
  for (let i = 0; i < 15; i++) program.trainStep(batch).dispose();
  assert.ok(program.evaluate(batch).dataSync()[0] < first);
  assert.equal(program.embed(x).shape[1], 4);
  assert.equal(program.head?.outputs[0].shape[1], 3);
  program.dispose();
  tf.dispose([x, labels]);
});

Deno.test("setLearningRate: an SGD step scales with the rate", () => {
  const make = () =>
    compile({
      model: siamese(dense(2)(empty)),
      loss: contrastive(),
      inputShape: [3],
      optimizer: "sgd",
      learningRate: 0.1,
    });
  const batch = {
    kind: "pair" as const,
    left: tf.ones([2, 3]),
    right: tf.zeros([2, 3]),
    same: tf.tensor1d([1, 1]),
  };
  const step = (lr: number) => {
    const p = make();
    p.setLearningRate(lr);
    const w0 = weightsOf(p)[0];
    p.trainStep(batch).dispose();
    const delta = weightsOf(p)[0].map((v, i) => v - w0[i]);
    p.dispose();
    return delta;
  };
  const d1 = step(0.1), d2 = step(0.2);
  assert.ok(d1.some((v) => v !== 0));
  assertClose(d2, d1.map((v) => 2 * v), 1e-4);
  const adam = compile({ model: siamese(dense(2)(empty)), loss: contrastive(), inputShape: [3] });
  adam.setLearningRate(0.5);
  assert.equal((adam.optimizer as unknown as { learningRate: number }).learningRate, 0.5);
  assert.throws(
    () => adam.setLearningRate(-1),
    /learningRate must be a finite number > 0: current value is -1/,
  );
  adam.dispose();
  disposeBatch(batch);
});

Deno.test("save and load: custom layers round-trip, in this process and in a fresh one", async () => {
  const program = compile({
    model: triplet(pipe(tinyVgg(), dropout(0.1), l2Normalize())),
    loss: tripletMargin(),
    inputShape: [8, 8, 1],
    seed: 4,
  });
  const batch = tripletBatch(9);
  program.trainStep(batch).dispose(); // move the batch-norm statistics off their defaults
  let artifacts: tf.io.ModelArtifacts | undefined;
  await program.embedder.save(tf.io.withSaveHandler((a) => {
    artifacts = a;
    return Promise.resolve({
      modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" },
    });
  }));
  const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
  const want = program.embed(batch.anchor);
  const got = loaded.predict(batch.anchor) as tf.Tensor;
  assertClose(got.dataSync(), want.dataSync(), 1e-5);
  const names = loaded.layers.map((l) => l.getClassName());
  for (const c of ["SpatialDropout2D", "SeededDropout", "L2Normalize"]) {
    assert.ok(names.includes(c), c);
  }

  // A fresh process that imports lib/compile/mod.ts and calls registerLayers (importing
  // registers nothing) loads the same model with tf.loadLayersModel.
  const dir = await Deno.makeTempDir();
  const weights = new Uint8Array(artifacts!.weightData as ArrayBuffer);
  await Deno.writeFile(`${dir}/weights.bin`, weights);
  await Deno.writeTextFile(
    `${dir}/model.json`,
    JSON.stringify({ topology: artifacts!.modelTopology, specs: artifacts!.weightSpecs }),
  );
  await Deno.writeFile(`${dir}/x.bin`, new Uint8Array(batch.anchor.dataSync().buffer));
  const script = `
    import * as tf from "@tensorflow/tfjs";
    import { registerLayers } from "${new URL("../../lib/compile/mod.ts", import.meta.url).href}";
    registerLayers();
    await tf.setBackend("cpu");
    const m = JSON.parse(await Deno.readTextFile("${dir}/model.json"));
    const w = await Deno.readFile("${dir}/weights.bin");
    const model = await tf.loadLayersModel(tf.io.fromMemory(m.topology, m.specs, w.buffer));
    const x = tf.tensor4d(new Float32Array((await Deno.readFile("${dir}/x.bin")).buffer), [4, 8, 8, 1]);
    console.log(JSON.stringify(Array.from(model.predict(x).dataSync())));
  `;
  await Deno.writeTextFile(`${dir}/load.ts`, script);
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--config",
      new URL("../../deno.json", import.meta.url).pathname,
      `${dir}/load.ts`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1) ?? "";
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  assertClose(JSON.parse(stdout), want.dataSync(), 1e-5);
  await Deno.remove(dir, { recursive: true });
  tf.dispose([want, got]);
  loaded.dispose();
  program.dispose();
  disposeBatch(batch);
});

Deno.test("compile: bad options and batches are errors naming the argument and the value", () => {
  const model = siamese(tinyVgg());
  assert.throws(
    () => compile({ model, loss: contrastive(), inputShape: [8, 0, 1] }),
    /inputShape must be a non-empty list of positive integers \(each ≤ 2147483647\): current value is \[8, 0, 1\]/,
  );
  assert.throws(
    () => compile({ model, loss: contrastive(), inputShape: [8, 2 ** 31, 1] }),
    /inputShape must be .*: current value is \[8, 2147483648, 1\]/,
  );
  assert.throws(
    () => compile({ model, loss: contrastive(), inputShape: "8x8" as unknown as number[] }),
    /inputShape must be a non-empty list of positive integers: current value is 8x8/,
  );
  assert.throws(
    () =>
      compile({
        model,
        loss: contrastive(),
        inputShape: [8, 8, 1],
        optimizer: { learningRate: 0.1 } as unknown as "adam",
      }),
    /optimizer must be .* or a tfjs optimizer: current value is an object without minimize/,
  );
  assert.throws(
    () =>
      compile({ model, loss: contrastive(), inputShape: [8, 8, 1], optimizer: "adamw" as "adam" }),
    /optimizer must be "adam", "sgd", "rmsprop", "adagrad" or a tfjs optimizer: current value is adamw/,
  );
  assert.throws(
    () => compile({ model, loss: contrastive(), inputShape: [8, 8, 1], learningRate: 0 }),
    /learningRate must be a finite number > 0: current value is 0/,
  );
  assert.throws(
    () => compile({ model, loss: contrastive(), inputShape: [8, 8, 1], seed: -1 }),
    /seed must be an integer from 0 to 4294967295: current value is -1/,
  );
  // Beyond 2³²: the layers' seeds (seed·1000003 + i) would no longer be exact integers.
  assert.throws(
    () => compile({ model, loss: contrastive(), inputShape: [8, 8, 1], seed: 2 ** 40 }),
    /seed must be an integer from 0 to 4294967295: current value is 1099511627776/,
  );
  const program = compile({ model, loss: contrastive(), inputShape: [8, 8, 1] });
  const good = images(2, 1), wrong = tf.zeros([2, 28, 28, 1]), same = tf.tensor1d([1, 0]);
  assert.throws(
    () => program.trainStep({ kind: "pair", left: wrong, right: good, same }),
    /Cannot train pair program on batch as batch.left must have shape \[n, 8, 8, 1\] with n ≥ 1: current shape is \[2, 28, 28, 1\]/,
  );
  assert.throws(
    () => program.trainStep({ kind: "pair", left: good, right: images(3, 2), same }),
    /batch.right must have shape \[2, 8, 8, 1\] with n ≥ 1: current shape is \[3, 8, 8, 1\]/,
  );
  assert.throws(
    () => program.evaluate({ kind: "pair", left: good, right: good, same: tf.tensor1d([1]) }),
    /batch.same must have shape \[2\]: current shape is \[1\]/,
  );
  assert.throws(
    () => program.trainStep({ kind: "triplet" } as unknown as Pair<Tensor>),
    /batch.kind must be "pair": current kind is triplet/,
  );
  assert.throws(
    () => program.embed(tf.zeros([2, 64])),
    /x must have shape \[n, 8, 8, 1\] with n ≥ 1: current shape is \[2, 64\]/,
  );
  program.dispose();
  assert.throws(() => program.embed(good), /program is disposed/);
  tf.dispose([good, wrong, same]);
});
