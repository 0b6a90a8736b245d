import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { l2NormalizeLayer } from "../../lib/compile/mod.ts";
import { loadModel, saveModel } from "../../lib/train/mod.ts";

await tf.setBackend("cpu");

const here = new URL(".", import.meta.url).pathname;
const root = new URL("../../", import.meta.url).pathname;

const embedderWithCustomLayer = () =>
  tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [3, 3, 1] }),
      tf.layers.dense({ units: 4, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
      l2NormalizeLayer(),
    ],
  });

Deno.test("saveModel writes model.json, weights.bin and metadata.json; loadModel embeds the same", async () => {
  const dir = `${await Deno.makeTempDir()}/model`;
  const embedder = embedderWithCustomLayer();
  const head = tf.sequential({ layers: [tf.layers.dense({ inputShape: [8], units: 1 })] });
  const before = tf.memory().numTensors;
  const metadata = await saveModel({ embedder, head, kind: "pair" }, dir, {
    seed: 7,
    spec: { backbone: "tiny" },
    normalisation: "l2",
    distance: "euclidean",
    threshold: 0.75,
    classNames: ["a", "b"],
  });
  const files = [];
  for await (const e of Deno.readDir(dir)) files.push(e.name);
  assert.deepEqual(files.sort(), ["head", "metadata.json", "model.json", "weights.bin"]);
  const modelJson = JSON.parse(await Deno.readTextFile(`${dir}/model.json`));
  assert.equal(modelJson.format, "layers-model");
  assert.deepEqual(modelJson.weightsManifest[0].paths, ["weights.bin"]);
  assert.deepEqual(
    { ...metadata, createdAt: "" },
    {
      format: "likeness-model",
      version: 1,
      kind: "pair",
      inputShape: [3, 3, 1],
      embeddingSize: 4,
      normalisation: "l2",
      distance: "euclidean",
      threshold: 0.75,
      seed: 7,
      spec: { backbone: "tiny" },
      classNames: ["a", "b"],
      hasHead: true,
      createdAt: "",
      extra: {},
    },
  );
  assert.equal(tf.memory().numTensors, before, "saving leaks nothing");

  const loaded = await loadModel(dir);
  assert.deepEqual(loaded.metadata, JSON.parse(await Deno.readTextFile(`${dir}/metadata.json`)));
  const x = tf.randomUniform([5, 3, 3, 1], 0, 1, "float32", 1);
  const a = embedder.predict(x) as tf.Tensor;
  const b = loaded.embed(x);
  assert.deepEqual(Array.from(b.dataSync()), Array.from(a.dataSync()));
  assert.ok(loaded.head);
  const h = tf.ones([1, 8]);
  const ha = head.predict(h) as tf.Tensor;
  const hb = loaded.head!.predict(h) as tf.Tensor;
  assert.deepEqual(Array.from(hb.dataSync()), Array.from(ha.dataSync()));
  tf.dispose([x, a, b, h, ha, hb]);
  loaded.dispose();
  embedder.dispose();
  head.dispose();
  await Deno.remove(dir.replace(/\/model$/, ""), { recursive: true });
});

Deno.test("a fresh process loads a saved model with a likeness custom layer", async () => {
  const dir = `${await Deno.makeTempDir()}/model`;
  const embedder = embedderWithCustomLayer();
  await saveModel({ embedder }, dir, { normalisation: "l2" });
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "-A",
      "--config",
      `${root}deno.json`,
      `${here}_load_in_fresh_process.ts`,
      dir,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  const lines = new TextDecoder().decode(output.stdout).trim().split("\n");
  const result = JSON.parse(lines.at(-1)!);
  const x = tf.ones([2, 3, 3, 1]);
  const expected = embedder.predict(x) as tf.Tensor;
  const want = Array.from(expected.dataSync());
  assert.equal(result.embedding.length, want.length);
  result.embedding.forEach((v: number, i: number) => assert.ok(Math.abs(v - want[i]) < 1e-6));
  // The L2Normalize layer really ran: unit rows.
  const norm = Math.hypot(...result.embedding.slice(0, 4));
  assert.ok(Math.abs(norm - 1) < 1e-5);
  assert.equal(result.metadata.normalisation, "l2");
  tf.dispose([x, expected]);
  embedder.dispose();
  await Deno.remove(dir.replace(/\/model$/, ""), { recursive: true });
});

Deno.test("saveModel replaces a previous model whole, leaving no temp directories", async () => {
  const parent = await Deno.makeTempDir();
  const dir = `${parent}/model`;
  const first = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 2 })] });
  const second = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 3 })] });
  await saveModel({ embedder: first }, dir);
  await saveModel({ embedder: second }, dir, { threshold: 1 });
  const entries = [];
  for await (const e of Deno.readDir(parent)) entries.push(e.name);
  assert.deepEqual(entries, ["model"]);
  const loaded = await loadModel(dir);
  assert.equal(loaded.metadata.embeddingSize, 3);
  assert.equal(loaded.metadata.threshold, 1);
  assert.equal(loaded.metadata.normalisation, null);
  loaded.dispose();
  first.dispose();
  second.dispose();
  await Deno.remove(parent, { recursive: true });
});

Deno.test("loadModel names the broken file: truncated weights, bad JSON, unknown layer", async () => {
  const parent = await Deno.makeTempDir();
  const dir = `${parent}/model`;
  const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 2 })] });
  await saveModel({ embedder }, dir);
  const weights = await Deno.readFile(`${dir}/weights.bin`);
  await Deno.writeFile(`${dir}/weights.bin`, weights.subarray(0, 5));
  await assert.rejects(
    loadModel(dir),
    /Cannot load model from .*model as its weights are corrupt: 5 bytes on disk, the manifest needs 24/,
  );
  await Deno.writeFile(`${dir}/weights.bin`, weights);
  const json = await Deno.readTextFile(`${dir}/model.json`);
  await Deno.writeTextFile(
    `${dir}/model.json`,
    json.replace('"class_name":"Dense"', '"class_name":"NoSuchLayer"'),
  );
  await assert.rejects(loadModel(dir), /its layer class NoSuchLayer is not registered/);
  await Deno.writeTextFile(`${dir}/model.json`, json.slice(0, 20));
  await assert.rejects(loadModel(dir), /model\/model.json is not valid JSON/);
  await Deno.writeTextFile(`${dir}/metadata.json`, '{"format":"other"}');
  await assert.rejects(loadModel(dir), /is not likeness metadata: format is "other"/);
  const bad = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [2], units: 2 }),
      tf.layers.reshape({ targetShape: [2, 1] }),
    ],
  });
  await assert.rejects(
    saveModel({ embedder: bad }, `${parent}/bad`),
    /must have one rank-2 output: current output shape is \[null,2,1\]/,
  );
  embedder.dispose();
  bad.dispose();
  await Deno.remove(parent, { recursive: true });
});
