// Importing likeness, starting its backends and compiling + training a likeness program leave
// a user's own tfjs model exactly as it was: a stock batch-norm + ReLU model gives
// bit-identical outputs and gradients before and after, on cpu and wasm (and native: before
// and after compiling and training there), and tfjs's gradient and layer-class registries
// hold the same functions and classes. likeness is imported dynamically, after the baseline.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm"; // the stock wasm backend, before likeness

const C = 4;
const shape = [6, 3, 3, C];
/** Deterministic values in (−2, 2), with a NaN (ReLU's gradient there is NaN in tfjs). */
const values = (n: number, seed: number, nan = false) =>
  Array.from({ length: n }, (_, i) => (i === 5 && nan ? NaN : Math.sin(i * 12.9898 + seed) * 2));

/** Outputs and gradients of a stock `batchNormalization` + `relu` model, and of `tf.relu`. */
async function stockRun(backend: string): Promise<Uint8Array[]> {
  assert.ok(await tf.setBackend(backend), backend);
  const before = tf.memory().numTensors;
  const input = tf.input({ shape: shape.slice(1) });
  const bn = tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-3 });
  const act = tf.layers.activation({ activation: "relu" });
  const model = tf.model({
    inputs: input,
    outputs: act.apply(bn.apply(input)) as tf.SymbolicTensor,
  });
  const start = [
    tf.tensor1d(values(C, 1).map((v) => 1 + v / 4)),
    tf.tensor1d(values(C, 2).map((v) => v / 4)),
    tf.tensor1d(values(C, 3)),
    tf.tensor1d(values(C, 4).map((v) => 1 + v * v)),
  ];
  model.setWeights(start);
  tf.dispose(start);
  const n = shape.reduce((a, b) => a * b, 1);
  const x = tf.tensor(values(n, 5), shape);
  const w = tf.tensor(values(n, 6), shape);
  const withNaN = tf.tensor(values(n, 7, true), shape);
  const train = (a: tf.Tensor) =>
    tf.sum(tf.mul(model.apply(a, { training: true }) as tf.Tensor, w));
  const { value, grads } = tf.variableGrads(() => train(x) as tf.Scalar);
  const dx = tf.grad((a: tf.Tensor) => train(a))(x);
  const inference = model.predict(x) as tf.Tensor;
  const reluGrad = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.relu(a), w)))(withNaN);
  const outs = [value, dx, inference, reluGrad, ...Object.values(grads), ...model.getWeights()];
  const bytes = await Promise.all(
    outs.map(async (t) => new Uint8Array((await t.data() as Float32Array).slice().buffer)),
  );
  tf.dispose([x, w, withNaN, value, dx, inference, reluGrad, ...Object.values(grads)]);
  model.dispose();
  assert.equal(tf.memory().numTensors, before, `stock model leaked on ${backend}`);
  return bytes;
}

/** What tfjs's registries hold for the kernels and classes the model uses. */
function registries(): unknown[] {
  const map = tf.serialization.SerializationMap.getMap().classNameMap as Record<string, unknown[]>;
  return [
    ...["Relu", "FusedBatchNorm", "Step", "Multiply"].map((k) => tf.getGradient(k)?.gradFunc),
    map.BatchNormalization[0],
    map.Activation[0],
  ];
}

function sameBits(label: string, got: Uint8Array[], want: Uint8Array[]): void {
  assert.equal(got.length, want.length, label);
  got.forEach((g, i) => assert.deepEqual(g, want[i], `${label}: output ${i} changed`));
}

Deno.test("a stock batch-norm + relu model is bit-identical before and after likeness (import, useBackend, compile, train)", async () => {
  const stockRegistries = registries();
  const baseline = { cpu: await stockRun("cpu"), wasm: await stockRun("wasm") };

  // The parts a training program uses (tests/import_test.ts imports every entry point).
  const likeness = await import("./_training_parts.ts");
  const { pipe, compile } = likeness;
  const branches = likeness;
  const backend = likeness;
  const losses = likeness;
  const net = pipe(
    branches.empty,
    branches.conv2d(4),
    branches.batchNorm(),
    branches.activation("relu"),
    branches.spatialDropout2d(0.2),
    branches.flatten(),
    branches.dense(8),
    branches.batchNorm(),
    branches.activation("relu"),
    branches.dropout(0.2),
    branches.dense(4),
    branches.l2Normalize(),
  );
  const trainOn = async (name: "cpu" | "wasm" | "native") => {
    await backend.useBackend(name, name === "native" ? { threads: 2 } : {});
    const program = compile({
      model: branches.triplet(net),
      loss: losses.tripletMargin(),
      inputShape: [6, 6, 1],
      seed: 1,
    });
    const images = (seed: number) => tf.randomUniform([4, 6, 6, 1], 0, 1, "float32", seed);
    const batch = {
      kind: "triplet" as const,
      anchor: images(1),
      positive: images(2),
      negative: images(3),
    };
    for (let i = 0; i < 3; i++) program.trainStep(batch).dispose();
    tf.dispose(Object.values(batch).filter((v) => v instanceof tf.Tensor));
    program.dispose();
  };
  const native = backend.nativeStatus().available;
  let nativeBaseline: Uint8Array[] | undefined;
  if (native) {
    await backend.useBackend("native", { threads: 2 });
    nativeBaseline = await stockRun("native");
  } else {
    console.log(`native not checked here: ${backend.nativeStatus().reason}`);
  }
  await trainOn("cpu");
  await trainOn("wasm");
  if (native) await trainOn("native");

  sameBits("cpu", await stockRun("cpu"), baseline.cpu);
  sameBits("wasm", await stockRun("wasm"), baseline.wasm);
  if (nativeBaseline !== undefined) sameBits("native", await stockRun("native"), nativeBaseline);
  const now = registries();
  [
    "Relu gradient",
    "FusedBatchNorm gradient",
    "Step gradient",
    "Multiply gradient",
    "BatchNormalization class",
    "Activation class",
  ].forEach((what, i) => assert.equal(now[i], stockRegistries[i], `${what} was replaced`));
});

Deno.test("a saved likeness model loads with tfjs's own BatchNormalization and Activation; loading adds only likeness's class names", async () => {
  await tf.setBackend("cpu");
  const map = tf.serialization.SerializationMap.getMap().classNameMap as Record<string, unknown[]>;
  const stock = { bn: map.BatchNormalization[0], act: map.Activation[0] };
  const namesBefore = new Set(Object.keys(map));
  const likeness = await import("./_training_parts.ts");
  const { pipe, compile, saveModel, loadModel } = likeness;
  const net = pipe(
    likeness.empty,
    likeness.dense(6),
    likeness.batchNorm(),
    likeness.activation("relu"),
    likeness.dense(3),
    likeness.l2Normalize(),
  );
  const program = compile({
    model: likeness.triplet(net),
    loss: likeness.tripletMargin(),
    inputShape: [5],
    seed: 2,
  });
  const x = tf.randomUniform([4, 5], -1, 1, "float32", 9);
  const batch = { kind: "triplet" as const, anchor: x, positive: x.add(0.1), negative: x.neg() };
  program.trainStep(batch).dispose(); // batch-norm statistics off their defaults
  const dir = `${await Deno.makeTempDir()}/model`;
  try {
    await saveModel({ embedder: program.embedder, kind: "triplet" }, dir);
    const topology = JSON.parse(await Deno.readTextFile(`${dir}/model.json`)).modelTopology;
    const names = JSON.stringify(topology);
    // Saved under tfjs's own class names: plain tfjs reads these layers.
    assert.ok(names.includes('"class_name":"BatchNormalization"'), names);
    assert.ok(names.includes('"class_name":"Activation"'), names);
    const loaded = await loadModel(dir);
    const want = program.embed(x);
    const got = loaded.embed(x);
    assert.deepEqual(Array.from(await got.data()), Array.from(await want.data()));
    const classes = loaded.embedder.layers.map((l) => l.constructor);
    assert.ok(classes.includes(stock.bn as never) && classes.includes(stock.act as never));
    assert.equal(map.BatchNormalization[0], stock.bn);
    assert.equal(map.Activation[0], stock.act);
    const added = Object.keys(map).filter((k) => !namesBefore.has(k));
    const ours = ["L2Normalize", "SeededDropout", "SpatialDropout2D"];
    assert.ok(added.every((k) => ours.includes(k)), `class names added: ${added.join()}`);
    tf.dispose([want, got]);
    loaded.embedder.dispose();
  } finally {
    tf.dispose(Object.values(batch));
    program.dispose();
    await Deno.remove(dir.replace(/\/model$/, ""), { recursive: true });
  }
});
