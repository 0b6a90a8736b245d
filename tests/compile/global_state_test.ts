// Importing likeness, starting its backends and compiling + training a likeness program leave
// a user's own tfjs model exactly as it was: a stock batch-norm + ReLU model gives
// bit-identical outputs and gradients before and after, on cpu and wasm (native:
// global_state_native_test.ts), and tfjs's gradient and layer-class registries hold the same
// functions and classes. likeness is imported dynamically, after the baseline.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm"; // the stock wasm backend, before likeness
import { registries, sameBits, stockRun } from "./_stock_model.ts";

Deno.test("a stock batch-norm + relu model is bit-identical before and after likeness (import, useBackend, compile, train)", async () => {
  const stockRegistries = registries();
  const baseline = { cpu: await stockRun("cpu"), wasm: await stockRun("wasm") };

  // The parts a training program uses (tests/import_test.ts imports every entry point).
  const likeness = await import("./_training_parts.ts");
  await likeness.trainProgram("cpu");
  await likeness.trainProgram("wasm");

  sameBits("cpu", await stockRun("cpu"), baseline.cpu);
  sameBits("wasm", await stockRun("wasm"), baseline.wasm);
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
