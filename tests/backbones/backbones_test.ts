import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { fromLayersModel, mlp, resnet, vgg } from "../../lib/backbones/mod.ts";
import { embedding, labelled, siamese, triplet } from "../../lib/branches/mod.ts";
import { pipe } from "../../lib/pipe.ts";
import { compile } from "../../lib/compile/mod.ts";
import { contrastive, softmaxCrossEntropy, tripletMargin } from "../../lib/losses/mod.ts";
import type { LayersModel } from "../../lib/types.ts";

await tf.setBackend("cpu");

const counts = (m: LayersModel) => {
  const size = (ws: { shape: (number | null)[] }[]) =>
    ws.reduce((s, w) => s + w.shape.reduce((a: number, b) => a * (b as number), 1), 0);
  return { total: m.countParams(), trainable: size(m.trainableWeights) };
};

// The lecture's "SiameseBranch" summary (reference/lecture-comparing-things.md), layer by layer:
// class, output shape, parameters. Its total is 429,176 (428,552 trainable, 624 non-trainable).
const LECTURE: readonly [string, (number | null)[], number][] = [
  ["Conv2D", [null, 28, 28, 8], 80],
  ["Conv2D", [null, 28, 28, 8], 584],
  ["BatchNormalization", [null, 28, 28, 8], 32],
  ["Activation", [null, 28, 28, 8], 0],
  ["SpatialDropout2D", [null, 28, 28, 8], 0],
  ["MaxPooling2D", [null, 14, 14, 8], 0],
  ["Conv2D", [null, 14, 14, 16], 1168],
  ["Conv2D", [null, 14, 14, 16], 2320],
  ["BatchNormalization", [null, 14, 14, 16], 64],
  ["Activation", [null, 14, 14, 16], 0],
  ["SpatialDropout2D", [null, 14, 14, 16], 0],
  ["MaxPooling2D", [null, 7, 7, 16], 0],
  ["Conv2D", [null, 7, 7, 32], 4640],
  ["Conv2D", [null, 7, 7, 32], 9248],
  ["BatchNormalization", [null, 7, 7, 32], 128],
  ["Activation", [null, 7, 7, 32], 0],
  ["SpatialDropout2D", [null, 7, 7, 32], 0],
  ["Flatten", [null, 1568], 0],
  ["Dense", [null, 256], 401664],
  ["BatchNormalization", [null, 256], 1024],
  ["Activation", [null, 256], 0],
  ["Dense", [null, 32], 8224],
];

const summary = (m: LayersModel) =>
  m.layers.slice(1).map((l) => [l.getClassName(), l.outputShape, l.countParams()]);

Deno.test("pipe(vgg(), embedding(32)) is the lecture's network: its layers, 429,176 parameters", () => {
  const program = compile({
    model: triplet(pipe(vgg(), embedding(32))),
    loss: tripletMargin(),
    inputShape: [28, 28, 1],
  });
  assert.deepEqual(summary(program.embedder), LECTURE);
  assert.deepEqual(counts(program.embedder), { total: 429_176, trainable: 428_552 });
  assert.equal(program.embeddingSize, 32);
  program.dispose();
});

Deno.test("vgg() ends at its 256 features: the lecture's network without the embedding layer", () => {
  const program = compile({
    model: triplet(vgg()),
    loss: tripletMargin(),
    inputShape: [28, 28, 1],
  });
  assert.deepEqual(summary(program.embedder), LECTURE.slice(0, -1));
  assert.equal(program.embeddingSize, 256);
  assert.equal(program.embedder.countParams(), 429_176 - 8_224);
  program.dispose();
  const last = vgg().stages.at(-1);
  assert.deepEqual(last, { kind: "activation", activation: "relu" });
});

Deno.test("vgg: options (filters, blocks, dense) give the expected parameter count", () => {
  // 2 blocks of 4 and 8 filters on 8×8×1: conv 40 + 148 + BN 16, conv 296 + 584 + BN 32,
  // flatten 4·4·8 = 128 → dense 16: 2064, BN 64; then the embedding 16 → 5: 85.
  const spec = pipe(vgg({ filters: [4, 8], dense: 16, dropout: 0.1 }), embedding(5));
  const program = compile({ model: siamese(spec), loss: contrastive(), inputShape: [8, 8, 1] });
  const total = 40 + 148 + 16 + 296 + 584 + 32 + 2064 + 64 + 85;
  assert.deepEqual(counts(program.embedder), { total, trainable: total - 2 * (4 + 8 + 16) });
  assert.equal(program.embeddingSize, 5);
  program.dispose();
  assert.equal(vgg({ blocks: 2 }).stages.filter((s) => s.kind === "conv2d").length, 4);
});

Deno.test("backbones are inert values: plain data, equal when built twice", () => {
  for (const make of [() => vgg(), () => mlp(), () => resnet()]) {
    const spec = make();
    assert.deepEqual(JSON.parse(JSON.stringify(spec)), spec);
    assert.deepEqual(make(), spec);
  }
});

Deno.test("mlp and resnet end at features; with an embedding they compile, embed and train", () => {
  const features = compile({
    model: siamese(mlp({ hidden: [8] })),
    loss: contrastive(),
    inputShape: [5],
  });
  assert.equal(features.embeddingSize, 8);
  features.dispose();
  const m = compile({
    model: siamese(pipe(mlp({ hidden: [8] }), embedding(3))),
    loss: contrastive(),
    inputShape: [5],
  });
  const e = m.embed(tf.ones([2, 5]));
  assert.deepEqual(e.shape, [2, 3]);
  const r = compile({
    model: labelled(pipe(resnet({ filters: [4, 8] }), embedding(6))),
    loss: softmaxCrossEntropy({ classes: 3 }),
    inputShape: [8, 8, 1],
  });
  assert.equal(r.embeddingSize, 6);
  const x = tf.randomUniform([4, 8, 8, 1], 0, 1, "float32", 1);
  const labels = tf.tensor1d([0, 1, 2, 0], "int32");
  const loss = r.trainStep({ kind: "labelled", embeddings: x, labels });
  assert.ok(Number.isFinite(loss.dataSync()[0]));
  assert.equal(r.embedder.layers.filter((l) => l.getClassName() === "Add").length, 2);
  tf.dispose([e, x, labels, loss]);
  m.dispose();
  r.dispose();
});

Deno.test("fromLayersModel: wraps a tfjs model; frozen layers keep their weights", () => {
  const net = tf.sequential({
    layers: [
      tf.layers.dense({ units: 6, inputShape: [4], activation: "relu" }),
      tf.layers.dense({ units: 3 }),
    ],
  });
  const frozen = net.layers[0].getWeights().map((w) => Array.from(w.dataSync()));
  const trained = net.layers[1].getWeights().map((w) => Array.from(w.dataSync()));
  const program = compile({
    model: siamese(fromLayersModel(net, { freeze: 1 })),
    loss: contrastive(),
    inputShape: [4],
    learningRate: 0.1,
  });
  assert.equal(program.trainableWeights().length, 2); // only the second layer's kernel and bias
  const left = tf.randomNormal([4, 4], 0, 1, "float32", 1), right = tf.randomNormal([4, 4]);
  const same = tf.tensor1d([1, 0, 1, 0]);
  program.trainStep({ kind: "pair", left, right, same }).dispose();
  assert.deepEqual(net.layers[0].getWeights().map((w) => Array.from(w.dataSync())), frozen);
  assert.notDeepEqual(net.layers[1].getWeights().map((w) => Array.from(w.dataSync())), trained);
  assert.throws(
    () => fromLayersModel(net, { freeze: 5 }),
    /freeze must be a boolean or an integer in \[0, 2\]: current value is 5/,
  );
  tf.dispose([left, right, same]);
  program.dispose();
});

Deno.test("backbones: bad options and inputs are errors naming the argument and the value", () => {
  // embeddingSize is no longer a backbone option: passing it (from untyped code) says what to do
  for (const [name, make] of [["vgg", vgg], ["mlp", mlp], ["resnet", resnet]] as const) {
    assert.throws(
      () => make({ embeddingSize: 64 } as Record<string, unknown>),
      new RegExp(
        `Cannot create ${name} backbone as embeddingSize is not one of its options .*append branches\\.embedding\\(64\\) after it instead: current value is 64`,
      ),
    );
  }
  assert.throws(
    () => vgg({ filters: [8, 2.5] }),
    /filters must be a positive integer: current value is 2.5/,
  );
  assert.throws(
    () => vgg({ dropout: 1 }),
    /^Error: Cannot create vgg backbone as dropout must be in \[0, 1\): current value is 1$/,
  );
  // hostile values from untyped code: the backbone and the option are named, never a TypeError
  const untyped = (o: Record<string, unknown>) => o as never;
  assert.throws(
    () => vgg(untyped({ filters: "abc" })),
    /^Error: Cannot create vgg backbone as filters must be an array of positive integers: current value is "abc"$/,
  );
  assert.throws(
    () => resnet(untyped({ filters: 16 })),
    /^Error: Cannot create resnet backbone as filters must be an array of positive integers: current value is 16$/,
  );
  assert.throws(
    () => mlp(untyped({ hidden: 8 })),
    /^Error: Cannot create mlp backbone as hidden must be an array of positive integers: current value is 8$/,
  );
  assert.throws(
    () => mlp(untyped({ activation: "bogus" })),
    /^Error: Cannot create mlp backbone as activation must be one of .*: current value is bogus$/,
  );
  assert.throws(
    () => mlp(untyped({ dropout: NaN })),
    /^Error: Cannot create mlp backbone as dropout must be in \[0, 1\): current value is NaN$/,
  );
  assert.throws(
    () => mlp(untyped({ batchNorm: "yes" })),
    /^Error: Cannot create mlp backbone as batchNorm must be true or false: current value is yes$/,
  );
  assert.throws(
    () => vgg({ blocks: 5e14 }),
    /^Error: Cannot create vgg backbone as blocks must be at most 16 .*: current value is 500000000000000$/,
  );
  assert.throws(
    () => vgg(null as never),
    /^Error: Cannot create vgg backbone as options must be an object: current value is null$/,
  );
  assert.throws(
    () => mlp({ hidden: [-3] }),
    /hidden must be a positive integer: current value is -3/,
  );
  assert.throws(
    () => resnet({ filters: [] }),
    /^Error: Cannot create resnet backbone as filters must hold 1 to 16 stages: current value is \[\]$/,
  );
  // bounded specs: a huge count is an error, not a hang building millions of stages
  assert.throws(
    () => resnet({ blocksPerStage: 1e9 }),
    /^Error: Cannot create resnet backbone as blocksPerStage must be at most 64: current value is 1000000000$/,
  );
  assert.throws(
    () => vgg({ filters: Array(17).fill(1) }),
    /^Error: Cannot create vgg backbone as filters must hold 1 to 16 blocks: current value is \[1(,1){16}\]$/,
  );
  assert.throws(
    () => compile({ model: triplet(vgg()), loss: tripletMargin(), inputShape: [784] }),
    /stage 0 \(conv2d\) as its input must be \[height, width, channels\]: current shape is \[784\]/,
  );
  assert.throws(
    () => compile({ model: triplet(vgg()), loss: tripletMargin(), inputShape: [2, 2, 1] }),
    /stage 11 \(maxPool2d\) as its output must not be empty: current output shape is \[0, 0, 16\]/,
  );
});
