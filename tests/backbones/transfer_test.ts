/**
 * Transfer learning from a saved tfjs layers model: fromLayersModel loads it from a folder,
 * its model.json or a file: URL, cuts it at a named layer, freezes it (its weights — batch-norm
 * statistics included — unchanged while frozen), unfreezes it mid-run (setFrozen) and
 * fine-tunes it at learningRateMultiplier × the program's rate; a program's state (optimiser
 * slots of every group) snapshots and restores exactly.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { fromLayersModel, setFrozen } from "../../lib/backbones/mod.ts";
import { embedding, l2Normalize, triplet } from "../../lib/branches/mod.ts";
import { compile } from "../../lib/compile/mod.ts";
import { tripletMargin } from "../../lib/losses/mod.ts";
import { pipe } from "../../lib/pipe.ts";
import { captureState, disposeState, restoreState } from "../../lib/train/_state.ts";
import { fitToEnd, loadCheckpoint, saveCheckpoint } from "../../lib/train/mod.ts";
import type { Branch, LayersModel, Program, Tensor2D, Triplet } from "../../lib/types.ts";

await tf.setBackend("cpu");

const SIZE = 12;

/** A small "pretrained" classifier on SIZE × SIZE RGB images (seeded). */
function pretrained(): LayersModel {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const input = tf.input({ shape: [SIZE, SIZE, 3], name: "image" });
  let x = tf.layers.conv2d({
    filters: 4,
    kernelSize: 3,
    padding: "same",
    name: "conv1",
    kernelInitializer: init(1),
  }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: "bn1" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.activation({ activation: "relu", name: "relu1" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({
    filters: 6,
    kernelSize: 3,
    strides: 2,
    padding: "same",
    name: "conv2",
    kernelInitializer: init(2),
  }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: "pool" }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 10, name: "classes", kernelInitializer: init(3) })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: "pretrained" });
}

/** Saves `model` as model.json + weights.bin in a new temporary folder. */
async function saveTo(model: LayersModel): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "likeness_transfer_" });
  await model.save(tf.io.withSaveHandler(async (a) => {
    await Deno.writeTextFile(
      `${dir}/model.json`,
      JSON.stringify({
        format: "layers-model",
        modelTopology: a.modelTopology,
        weightsManifest: [{ paths: ["weights.bin"], weights: a.weightSpecs }],
      }),
    );
    await Deno.writeFile(`${dir}/weights.bin`, new Uint8Array(a.weightData as ArrayBuffer));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
  }));
  return dir;
}

const source = pretrained();
const saved = source.getWeights().map((w) => w.arraySync());
const dir = await saveTo(source);

const stageOf = (b: Branch) => {
  const s = b.stages[0];
  assert.equal(s.kind, "layersModel");
  return s as Extract<typeof s, { kind: "layersModel" }>;
};
/**
 * The model's weight values layer by layer, depth first (a model's getWeights lists trainable
 * weights first, so its order changes when layers are frozen; a layer's own order does not).
 */
const values = (m: LayersModel): number[][] =>
  m.layers.flatMap((l) =>
    "layers" in l ? values(l as LayersModel) : l.getWeights().map((w) => Array.from(w.dataSync()))
  );
const image = (seed: number) => tf.randomUniform([4, SIZE, SIZE, 3], 0, 1, "float32", seed);
const batchOf = (seed: number) => ({
  kind: "triplet" as const,
  anchor: image(seed),
  positive: image(seed + 1),
  negative: image(seed + 2),
});
const step = (p: Program<Triplet<Tensor2D>>, seed: number) => {
  const b = batchOf(seed);
  const loss = p.trainStep(b);
  const v = loss.dataSync()[0];
  tf.dispose([loss, b.anchor, b.positive, b.negative]);
  assert.ok(Number.isFinite(v), `loss ${v}`);
  return v;
};
const changed = (a: number[][], b: number[][]) => a.map((w, i) => w.some((v, j) => v !== b[i][j]));

const program = (backbone: Branch, options: { optimizer?: "adam" | "sgd"; lr?: number } = {}) =>
  compile({
    model: triplet(pipe(backbone, embedding(5), l2Normalize())),
    loss: tripletMargin(),
    inputShape: [SIZE, SIZE, 3],
    optimizer: options.optimizer ?? "adam",
    learningRate: options.lr ?? 0.01,
    seed: 3,
  });

Deno.test("fromLayersModel loads a saved model from its folder, model.json and a file: URL", async () => {
  for (const where of [dir, `${dir}/model.json`, new URL(`file://${dir}/model.json`)]) {
    const stage = stageOf(await fromLayersModel(where));
    assert.deepEqual(stage.model.getWeights().map((w) => w.arraySync()), saved, String(where));
    assert.equal(stage.freeze, 0);
    stage.model.dispose();
  }
});

Deno.test("cutAt keeps the layers up to the named one; its output is the pooled features", async () => {
  const before = tf.memory().numTensors;
  const stage = stageOf(await fromLayersModel(dir, { cutAt: "pool" }));
  assert.deepEqual(stage.model.layers.map((l) => l.name), [
    "image",
    "conv1",
    "bn1",
    "relu1",
    "conv2",
    "pool",
  ]);
  assert.deepEqual(stage.model.outputs[0].shape, [null, 6]);
  // the cut model computes what the original computes at "pool"
  const x = image(9);
  const reference = tf.model({ inputs: source.inputs, outputs: source.getLayer("pool").output });
  const want = reference.predict(x) as tf.Tensor;
  const got = stage.model.predict(x) as tf.Tensor;
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(want, got))).dataSync()[0]);
  assert.ok(diff < 1e-6, `max difference ${diff}`);
  tf.dispose([x, want, got]);
  stage.model.dispose();
  // the dropped "classes" layer's weights were freed too
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("a cutAt that names no layer is refused naming it and listing the layers", async () => {
  const before = tf.memory().numTensors;
  await assert.rejects(
    () => fromLayersModel(dir, { cutAt: "pool5" }),
    (e: Error) => {
      assert.match(e.message, /cutAt must name one of its layers: current value is 'pool5'/);
      assert.match(e.message, /its layers are image, conv1, bn1, relu1, conv2, pool, classes/);
      assert.ok(e.message.includes(dir), e.message);
      return true;
    },
  );
  assert.equal(tf.memory().numTensors, before, "nothing leaks");
  assert.throws(() => fromLayersModel(source, { cutAt: "" }), /cutAt must be a layer name/);
});

Deno.test("bad sources and options are refused naming the value", async () => {
  await assert.rejects(() => fromLayersModel(`${dir}/nothing`), /nothing cannot be read/);
  await assert.rejects(
    () => fromLayersModel(`${dir}/weights.bin`),
    /must be a model folder or its model.json: current file is weights.bin/,
  );
  await assert.rejects(() => fromLayersModel("ftp://x/model.json"), /ftp:\/\/x\/model.json/);
  await assert.rejects(
    () => fromLayersModel(dir, { learningRateMultiplier: 0 }),
    /learningRateMultiplier must be a finite number > 0: current value is 0/,
  );
  assert.throws(
    () => fromLayersModel(source, { frozen: true, freeze: 1 }),
    /frozen and freeze must not both be given/,
  );
  const evil = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${evil}/model.json`,
    JSON.stringify({
      modelTopology: {},
      weightsManifest: [{ paths: ["../weights.bin"], weights: [] }],
    }),
  );
  await assert.rejects(() => fromLayersModel(evil), /resolves outside the model folder/);
  await Deno.remove(evil, { recursive: true });
});

Deno.test("frozen → unfrozen: the backbone is unchanged while frozen, then fine-tuned", async () => {
  const spec = await fromLayersModel(dir, { cutAt: "pool", frozen: true });
  const backbone = stageOf(spec).model;
  const p = program(spec);
  const start = values(backbone);
  const head = () => values(p.embedder).slice(-2);
  const headStart = head();
  for (let i = 0; i < 4; i++) step(p, 10 * i);
  // every backbone weight (kernels, biases, batch-norm statistics) is as loaded
  assert.deepEqual(changed(values(backbone), start), start.map(() => false));
  assert.deepEqual(values(backbone), start);
  assert.deepEqual(changed(head(), headStart), [true, true], "the embedding layer trains");
  // unfreeze mid-run: the optimiser's state stays with its weights (no shape mix-up)
  setFrozen(spec, false);
  for (let i = 4; i < 8; i++) step(p, 10 * i);
  const moved = changed(values(backbone), start);
  assert.ok(moved.filter(Boolean).length >= 4, `backbone weights changed: ${moved}`);
  // freeze again: it stays where it is
  setFrozen(spec, true);
  const frozenAgain = values(backbone);
  for (let i = 8; i < 10; i++) step(p, 10 * i);
  assert.deepEqual(values(backbone), frozenAgain);
  p.dispose();
});

Deno.test("fit: a frozen phase then an unfrozen one at a tenth of the rate, from a saved model", async () => {
  const spec = await fromLayersModel(dir, {
    cutAt: "pool",
    frozen: true,
    learningRateMultiplier: 0.1,
  });
  const backbone = stageOf(spec).model;
  const p = program(spec);
  const batches = (from: number) =>
    (function* () {
      for (let i = from; i < from + 3; i++) yield batchOf(10 * i);
    })();
  const start = values(backbone);
  const frozen = await fitToEnd(p, batches(0), { steps: 3, learningRate: 0.01 });
  assert.equal(frozen.steps, 3);
  assert.deepEqual(values(backbone), start, "unchanged while frozen");
  setFrozen(spec, false);
  const unfrozen = await fitToEnd(p, batches(3), { steps: 3, learningRate: 0.01 });
  assert.equal(unfrozen.steps, 3);
  assert.ok(unfrozen.loss.every(Number.isFinite), `${unfrozen.loss}`);
  assert.ok(changed(values(backbone), start).some(Boolean), "fine-tuned once unfrozen");
  p.dispose();
});

Deno.test("learningRateMultiplier scales the backbone's SGD step and leaves the rest alone", async () => {
  const run = async (multiplier: number) => {
    const spec = await fromLayersModel(dir, { cutAt: "pool", learningRateMultiplier: multiplier });
    const p = program(spec, { optimizer: "sgd", lr: 0.5 });
    const before = values(p.embedder);
    step(p, 1);
    const after = values(p.embedder);
    p.dispose();
    return after.map((w, i) => w.map((v, j) => v - before[i][j]));
  };
  const full = await run(1), tenth = await run(0.1);
  const names = ["conv1 kernel", "conv1 bias", "bn gamma", "bn beta"];
  // the backbone's trainable weights (conv1, bn1 γ β, conv2) moved a tenth as far
  for (const [i, name] of names.entries()) {
    const ratio = tenth[i].map((d, j) => full[i][j] === 0 ? 0.1 : d / full[i][j]);
    assert.ok(ratio.every((r) => Math.abs(r - 0.1) < 1e-3), `${name}: ${ratio.slice(0, 4)}`);
  }
  // the embedding layer (last two weights) took the same step
  for (const i of [full.length - 2, full.length - 1]) {
    full[i].forEach((d, j) => assert.ok(Math.abs(d - tenth[i][j]) < 1e-6, `head ${i}`));
  }
});

Deno.test("the learning-rate ratio holds through setLearningRate, and a snapshot restores exactly", async () => {
  const spec = await fromLayersModel(dir, { cutAt: "pool", learningRateMultiplier: 0.1 });
  const p = program(spec);
  assert.equal((p.optimizer as unknown as { learningRate: number }).learningRate, 0.01);
  p.setLearningRate(0.02);
  assert.equal((p.optimizer as unknown as { learningRate: number }).learningRate, 0.02);
  step(p, 1);
  step(p, 2);
  const state = await captureState(p);
  step(p, 3);
  step(p, 4);
  const first = values(p.embedder);
  await restoreState(p, state);
  step(p, 3);
  step(p, 4);
  assert.deepEqual(values(p.embedder), first, "same continuation after restoring");
  disposeState(state);
  const slots = await p.optimizer.getWeights();
  assert.ok(slots.some((w) => w.name.startsWith("likeness.group.0.")), "the backbone's slots");
  p.dispose();
});

Deno.test("a checkpoint of a program with a backbone multiplier resumes bit for bit", async () => {
  const make = async () =>
    program(await fromLayersModel(dir, { cutAt: "pool", learningRateMultiplier: 0.1 }));
  const a = await make();
  step(a, 1);
  step(a, 2);
  const folder = await Deno.makeTempDir();
  const path = await saveCheckpoint(a, folder, { step: 2 });
  step(a, 3);
  const b = await make();
  await loadCheckpoint(b, path);
  step(b, 3);
  assert.deepEqual(values(b.embedder), values(a.embedder));
  a.dispose();
  b.dispose();
  await Deno.remove(folder, { recursive: true });
});

Deno.test("a learningRateMultiplier with a tfjs optimizer object is refused", async () => {
  const spec = await fromLayersModel(dir, { cutAt: "pool", learningRateMultiplier: 0.1 });
  const optimizer = tf.train.adam(0.01);
  assert.throws(
    () =>
      compile({
        model: triplet(pipe(spec, embedding(5))),
        loss: tripletMargin(),
        inputShape: [SIZE, SIZE, 3],
        optimizer,
      }),
    /learningRateMultiplier 0.1, which needs a named optimizer/,
  );
  optimizer.dispose();
  stageOf(spec).model.dispose();
});

Deno.test("a snapshot and a checkpoint restore into the right variables whatever is frozen in between", async () => {
  const spec = await fromLayersModel(dir, { cutAt: "pool", frozen: true });
  const p = program(spec);
  for (let i = 0; i < 2; i++) step(p, 10 * i);
  // the values of every variable, keyed by the variable itself
  const byVariable = () => new Map(p.embedder.weights.map((w) => [w, [...w.read().dataSync()]]));
  const saved = byVariable();
  const state = await captureState(p);
  const ckDir = await Deno.makeTempDir({ prefix: "likeness_frozen_order_" });
  await saveCheckpoint(p, ckDir, { step: 2 });
  // unfreeze (tfjs's getWeights order changes: trainable weights first), train on
  setFrozen(spec, false);
  for (let i = 2; i < 4; i++) step(p, 10 * i);
  await restoreState(p, state);
  for (const [w, values] of byVariable()) {
    assert.deepEqual(values, saved.get(w), `snapshot: ${w.name} restored into its own variable`);
  }
  for (let i = 4; i < 6; i++) step(p, 10 * i);
  await loadCheckpoint(p, `${ckDir}/step-000000002`);
  for (const [w, values] of byVariable()) {
    assert.deepEqual(values, saved.get(w), `checkpoint: ${w.name} restored into its own variable`);
  }
  disposeState(state);
  await Deno.remove(ckDir, { recursive: true });
  p.dispose();
});

Deno.test("cleanup", async () => {
  source.dispose();
  await Deno.remove(dir, { recursive: true });
});
