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
  await saveModel({ embedder: second }, dir, { threshold: 1, overwrite: true });
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

// ---- What saveModel may write over (issue 12, item 1) ----

const tinyEmbedder = (value: number, units = 2) =>
  tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [3],
        units,
        kernelInitializer: tf.initializers.constant({ value }),
        biasInitializer: tf.initializers.constant({ value }),
      }),
    ],
  });

/** Every weight of the model at `dir`, as read back by loadModel. */
async function loadedWeights(dir: string): Promise<number[]> {
  const loaded = await loadModel(dir);
  const values = loaded.embedder.getWeights().flatMap((w) => Array.from(w.dataSync()));
  loaded.dispose();
  return values;
}

async function listDir(dir: string): Promise<string[]> {
  const names = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

Deno.test("saveModel refuses a folder of the user's files and leaves every file in it", async () => {
  const parent = await Deno.makeTempDir();
  const dir = `${parent}/photos`;
  await Deno.mkdir(`${dir}/2024/summer`, { recursive: true });
  await Deno.writeTextFile(`${dir}/notes.txt`, "mine");
  await Deno.writeTextFile(`${dir}/2024/summer/beach.jpg`, "jpeg bytes");
  const embedder = tinyEmbedder(1);
  for (const overwrite of [false, true]) {
    await assert.rejects(
      saveModel({ embedder }, dir, { overwrite }),
      (e: Error) =>
        e.message.includes(`Cannot save model as ${dir} exists and is not a likeness model folder`),
    );
  }
  assert.equal(await Deno.readTextFile(`${dir}/notes.txt`), "mine");
  assert.equal(await Deno.readTextFile(`${dir}/2024/summer/beach.jpg`), "jpeg bytes");
  assert.deepEqual(await listDir(parent), ["photos"], "no temp folder left behind");
  embedder.dispose();
  await Deno.remove(parent, { recursive: true });
});

Deno.test("saveModel refuses a model folder whose head/ is a file, naming the folder, and keeps it", async () => {
  const parent = await Deno.makeTempDir();
  const dir = `${parent}/model`;
  const embedder = tinyEmbedder(1);
  await saveModel({ embedder }, dir);
  await Deno.writeTextFile(`${dir}/head`, "the user's file");
  await assert.rejects(
    saveModel({ embedder }, dir, { overwrite: true }),
    (e: Error) =>
      e.message.startsWith(`Cannot save model as ${dir} holds a likeness model and files`) &&
      e.message.includes("head (not a folder)"),
  );
  assert.equal(await Deno.readTextFile(`${dir}/head`), "the user's file");
  embedder.dispose();
  await Deno.remove(parent, { recursive: true });
});

Deno.test("saveModel refuses a plain file and a symbolic link at the path", async () => {
  const parent = await Deno.makeTempDir();
  const embedder = tinyEmbedder(1);
  await Deno.writeTextFile(`${parent}/report.pdf`, "precious");
  await assert.rejects(
    saveModel({ embedder }, `${parent}/report.pdf`, { overwrite: true }),
    (e: Error) => e.message.includes(`${parent}/report.pdf exists and is a file`),
  );
  assert.equal(await Deno.readTextFile(`${parent}/report.pdf`), "precious");
  await saveModel({ embedder }, `${parent}/real`);
  await Deno.symlink(`${parent}/real`, `${parent}/link`);
  await assert.rejects(
    saveModel({ embedder }, `${parent}/link`, { overwrite: true }),
    (e: Error) => e.message.includes(`${parent}/link is a symbolic link`),
  );
  assert.deepEqual(await listDir(parent), ["link", "real", "report.pdf"]);
  embedder.dispose();
  await Deno.remove(parent, { recursive: true });
});

Deno.test("saveModel replaces an existing model only with overwrite: true", async () => {
  const parent = await Deno.makeTempDir();
  const dir = `${parent}/model`;
  const first = tinyEmbedder(1);
  const second = tinyEmbedder(2);
  await saveModel({ embedder: first }, dir);
  await assert.rejects(
    saveModel({ embedder: second }, dir),
    (e: Error) =>
      e.message ===
        `Cannot save model as ${dir} already holds a likeness model: pass { overwrite: true } to replace it`,
  );
  assert.deepEqual(await loadedWeights(dir), [1, 1, 1, 1, 1, 1, 1, 1]);
  await saveModel({ embedder: second }, `${dir}/`, { overwrite: true });
  assert.deepEqual(await loadedWeights(dir), [2, 2, 2, 2, 2, 2, 2, 2]);
  assert.deepEqual(await listDir(parent), ["model"]);
  // A model folder the user added a file to is theirs now: never replaced.
  await Deno.writeTextFile(`${dir}/README.md`, "how I trained it");
  await assert.rejects(
    saveModel({ embedder: first }, dir, { overwrite: true }),
    (e: Error) =>
      e.message.includes(
        `${dir} holds a likeness model and files saveModel did not write (README.md)`,
      ),
  );
  assert.equal(await Deno.readTextFile(`${dir}/README.md`), "how I trained it");
  assert.deepEqual(await loadedWeights(dir), [2, 2, 2, 2, 2, 2, 2, 2]);
  first.dispose();
  second.dispose();
  await Deno.remove(parent, { recursive: true });
});

Deno.test("saveModel writes into an empty folder, and checks its options before writing", async () => {
  const parent = await Deno.makeTempDir();
  const dir = `${parent}/model`;
  await Deno.mkdir(dir);
  const embedder = tinyEmbedder(3);
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ overwrite: "yes" }, /options\.overwrite must be true or false: got "yes"/],
    [{ threshold: NaN }, /options\.threshold must be a finite number: got NaN/],
    [{ seed: Infinity }, /options\.seed must be a finite number: got Infinity/],
    [{ classNames: ["a", 1] }, /options\.classNames must be an array of strings: got \["a",1\]/],
    [{ extra: [] }, /options\.extra must be an object: got \[\]/],
    [{ extra: { n: 1n } }, /options\.spec or options\.extra is not JSON/],
  ];
  for (const [options, message] of bad) {
    await assert.rejects(saveModel({ embedder }, dir, options), message);
  }
  for (const path of ["", "/", ".", `${parent}/..`]) {
    await assert.rejects(
      saveModel({ embedder }, path),
      /Cannot save model as dir must be a path ending in a folder name/,
    );
  }
  assert.deepEqual(await listDir(dir), [], "nothing written");
  await saveModel({ embedder }, dir);
  assert.deepEqual(await loadedWeights(dir), [3, 3, 3, 3, 3, 3, 3, 3]);
  assert.deepEqual(await listDir(parent), ["model"]);
  embedder.dispose();
  await Deno.remove(parent, { recursive: true });
});

Deno.test("saveModel refuses NaN weights rather than write a model that cannot be used", async () => {
  const parent = await Deno.makeTempDir();
  const embedder = tinyEmbedder(1);
  const [kernel, bias] = embedder.getWeights();
  const poisoned = tf.tensor1d([1, NaN]);
  embedder.setWeights([kernel, poisoned]);
  poisoned.dispose();
  await assert.rejects(
    saveModel({ embedder }, `${parent}/model`),
    /Cannot save model as the embedder's weight .*bias holds NaN at index 1/,
  );
  assert.deepEqual(await listDir(parent), []);
  bias.dispose;
  embedder.dispose();
  await Deno.remove(parent, { recursive: true });
});

// ---- Recovery after a save killed mid-way (issue 12, item 3): the states, built by hand ----

/** Saves a value-`v` model at `path` (a fresh path). */
async function saveAt(path: string, value: number) {
  const embedder = tinyEmbedder(value);
  await saveModel({ embedder }, path, { extra: { value } });
  embedder.dispose();
}

Deno.test("loadModel restores the old model when a save died between its two renames", async () => {
  const parent = await Deno.makeTempDir();
  const dir = `${parent}/model`;
  // The state between rename(model → model.old-…) and rename(model.tmp-… → model).
  await saveAt(`${dir}.old-11-1000-1`, 1);
  await saveAt(`${dir}.tmp-11-1000-2`, 2);
  await Deno.mkdir(`${dir}.trash-11-999-1/half`, { recursive: true });
  assert.deepEqual(await loadedWeights(dir), [1, 1, 1, 1, 1, 1, 1, 1]);
  // The reader restored the old model and removed the trash; it leaves temp folders, which a
  // live save in another process might still be filling.
  assert.deepEqual(await listDir(parent), ["model", "model.tmp-11-1000-2"]);
  // The next save removes them.
  const embedder = tinyEmbedder(5);
  await saveModel({ embedder }, dir, { overwrite: true });
  assert.deepEqual(await listDir(parent), ["model"]);
  assert.deepEqual(await loadedWeights(dir), [5, 5, 5, 5, 5, 5, 5, 5]);
  embedder.dispose();
  await Deno.remove(parent, { recursive: true });
});

Deno.test("saveModel recovers too: a killed save's old model comes back before the overwrite check", async () => {
  const parent = await Deno.makeTempDir();
  const dir = `${parent}/model`;
  await saveAt(`${dir}.old-11-1000-1`, 1);
  await Deno.mkdir(`${dir}.tmp-11-1000-2`); // a temp folder killed half-written
  await Deno.writeTextFile(`${dir}.tmp-11-1000-2/weights.bin`, "half");
  const embedder = tinyEmbedder(4);
  // The old model is back at the path, so saving without overwrite is refused...
  await assert.rejects(saveModel({ embedder }, dir), /already holds a likeness model/);
  assert.deepEqual(await loadedWeights(dir), [1, 1, 1, 1, 1, 1, 1, 1]);
  assert.deepEqual(await listDir(parent), ["model"], "the half-written temp folder is gone");
  embedder.dispose();
  await Deno.remove(parent, { recursive: true });
});

Deno.test("after a save finished its renames, leftovers go and the new model stays", async () => {
  const parent = await Deno.makeTempDir();
  const dir = `${parent}/model`;
  await saveAt(dir, 2);
  await saveAt(`${dir}.old-11-1000-1`, 1);
  assert.deepEqual(await loadedWeights(dir), [2, 2, 2, 2, 2, 2, 2, 2]);
  assert.deepEqual(await listDir(parent), ["model"]);
  await Deno.remove(parent, { recursive: true });
});

Deno.test("recovery: a first save killed before its rename, a legacy .old.tmp, foreign names", async () => {
  const parent = await Deno.makeTempDir();
  const dir = `${parent}/model`;
  // A half-written temp folder is never taken for a model.
  await Deno.mkdir(`${dir}.tmp-11-1000-1`);
  await Deno.writeTextFile(`${dir}.tmp-11-1000-1/model.json`, "{}");
  await assert.rejects(loadModel(dir), /model\/metadata.json does not exist/);
  // A complete one (killed just before its only rename) is published.
  await saveAt(`${dir}.tmp-11-1000-2`, 2);
  assert.deepEqual(await loadedWeights(dir), [2, 2, 2, 2, 2, 2, 2, 2]);
  // What likeness 0.x left between its renames: model.old.tmp-…
  await Deno.remove(dir, { recursive: true });
  await saveAt(`${dir}.old.tmp-11-1000-3`, 3);
  assert.deepEqual(await loadedWeights(dir), [3, 3, 3, 3, 3, 3, 3, 3]);
  // Names that merely look alike are never touched.
  for (const name of ["model.old-notes", "model.tmp-1-2", "model.trash", "modelx.old-1-2-3"]) {
    await Deno.mkdir(`${parent}/${name}`);
  }
  const embedder = tinyEmbedder(6);
  await saveModel({ embedder }, dir, { overwrite: true });
  assert.deepEqual(
    await listDir(parent),
    [
      "model",
      "model.old-notes",
      "model.tmp-1-2",
      "model.tmp-11-1000-1",
      "model.trash",
      "modelx.old-1-2-3",
    ].filter((n) => n !== "model.tmp-11-1000-1"),
  );
  embedder.dispose();
  await Deno.remove(parent, { recursive: true });
});

// ---- What loadModel refuses (issue 12, items 6 and 7, and corrupt folders) ----

/** A fresh saved model (weights all 1) in a temp folder; returns its path. */
async function freshModel(): Promise<{ parent: string; dir: string }> {
  const parent = await Deno.makeTempDir();
  await saveAt(`${parent}/model`, 1);
  return { parent, dir: `${parent}/model` };
}

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

async function editJson(path: string, edit: (json: Json) => void) {
  const json = JSON.parse(await Deno.readTextFile(path));
  edit(json);
  await Deno.writeTextFile(path, JSON.stringify(json));
}

Deno.test("loadModel refuses metadata.json that claims another embedding size or input shape", async () => {
  const { parent, dir } = await freshModel();
  const before = tf.memory().numTensors;
  await editJson(`${dir}/metadata.json`, (m) => m.embeddingSize = 5);
  await assert.rejects(loadModel(dir), (e: Error) =>
    e.message ===
      `Cannot load model as ${dir}/metadata.json says embeddingSize 5 but the network in ${dir}/model.json outputs [null,2]`);
  await editJson(`${dir}/metadata.json`, (m) => {
    m.embeddingSize = 2;
    m.inputShape = [4];
  });
  await assert.rejects(loadModel(dir), (e: Error) =>
    e.message ===
      `Cannot load model as ${dir}/metadata.json says inputShape [4] but the network in ${dir}/model.json takes [3]`);
  assert.equal(tf.memory().numTensors, before, "the refused network is disposed");
  await Deno.remove(parent, { recursive: true });
});

Deno.test("loadModel refuses weight paths outside the model folder before reading them", async () => {
  const { parent, dir } = await freshModel();
  const outside = await Deno.makeTempDir();
  // The same size as the real weights, so only the path check can refuse it.
  await Deno.writeFile(`${outside}/secret`, new Uint8Array(32).fill(7));
  const relative = `../../${outside.split("/").pop()}/secret`;
  const cases: [string, RegExp][] = [
    [
      "../../etc/passwd",
      /weightsManifest path "\.\.\/\.\.\/etc\/passwd" in .*\/model\/model\.json resolves outside the model folder$/,
    ],
    [relative, /resolves outside the model folder$/],
    ["sub/../../x.bin", /resolves outside the model folder$/],
    [`${outside}/secret`, /is absolute: weight files must be inside the model folder$/],
    ["C:\\Windows\\x.bin", /is absolute/],
    ["file:///etc/passwd", /is absolute/],
    ["", /"" in .* is not a file name$/],
  ];
  for (const [path, message] of cases) {
    await editJson(`${dir}/model.json`, (m) => m.weightsManifest[0].paths = [path]);
    await assert.rejects(loadModel(dir), message, path);
  }
  await editJson(`${dir}/model.json`, (m) => m.weightsManifest[0].paths = [42]);
  await assert.rejects(loadModel(dir), /weightsManifest path 42 in .* is not a file name/);
  // A symbolic link inside the folder that points outside it.
  await Deno.symlink(`${outside}/secret`, `${dir}/linked.bin`);
  await editJson(`${dir}/model.json`, (m) => m.weightsManifest[0].paths = ["linked.bin"]);
  await assert.rejects(
    loadModel(dir),
    /path "linked\.bin" in .* resolves outside the model folder$/,
  );
  // One that stays inside is fine.
  await Deno.remove(`${dir}/linked.bin`);
  await Deno.symlink(`${dir}/weights.bin`, `${dir}/linked.bin`);
  assert.deepEqual(await loadedWeights(dir), [1, 1, 1, 1, 1, 1, 1, 1]);
  await Deno.remove(parent, { recursive: true });
  await Deno.remove(outside, { recursive: true });
});

Deno.test("loadModel names the file for every corrupt or hostile model folder", async () => {
  const { parent, dir } = await freshModel();
  const before = tf.memory().numTensors;
  const model = await Deno.readTextFile(`${dir}/model.json`);
  const metadata = await Deno.readTextFile(`${dir}/metadata.json`);
  const weights = await Deno.readFile(`${dir}/weights.bin`);
  const restore = async () => {
    await Deno.writeTextFile(`${dir}/model.json`, model);
    await Deno.writeTextFile(`${dir}/metadata.json`, metadata);
    await Deno.writeFile(`${dir}/weights.bin`, weights);
  };
  type Edit = () => Promise<void>;
  const onModel = (edit: (m: Json) => void): Edit => () => editJson(`${dir}/model.json`, edit);
  const onMeta = (edit: (m: Json) => void): Edit => () => editJson(`${dir}/metadata.json`, edit);
  const nan = new Uint8Array(weights);
  new DataView(nan.buffer).setFloat32(8, NaN, true);
  const cases: [string, Edit, RegExp][] = [
    [
      "missing weights",
      () => Deno.remove(`${dir}/weights.bin`),
      /weights file .*model\/weights\.bin does not exist/,
    ],
    [
      "missing model.json",
      () => Deno.remove(`${dir}/model.json`),
      /Cannot load model as .*model\/model\.json does not exist/,
    ],
    ["metadata.json a folder", async () => {
      await Deno.remove(`${dir}/metadata.json`);
      await Deno.mkdir(`${dir}/metadata.json`);
    }, /model metadata as .*model\/metadata\.json cannot be read/],
    [
      "weights too long",
      () => Deno.writeFile(`${dir}/weights.bin`, new Uint8Array(33)),
      /weights are corrupt: 33 bytes on disk, the manifest needs 32/,
    ],
    [
      "NaN weight",
      () => Deno.writeFile(`${dir}/weights.bin`, nan),
      /model\/weights\.bin holds NaN in weight .*kernel at index 2/,
    ],
    [
      "string dtype",
      onModel((m) => m.weightsManifest[0].weights[0].dtype = "string"),
      /weightsManifest\[0\]\.weights\[0\]\.dtype in .*model\.json is "string": expected float32, int32 or bool/,
    ],
    [
      "huge shape",
      onModel((m) => m.weightsManifest[0].weights[0].shape = [1e9, 1e9]),
      /weights are corrupt: 32 bytes on disk, the manifest needs 4\d{18}$/,
    ],
    [
      "negative shape",
      onModel((m) => m.weightsManifest[0].weights[0].shape = [-3, 2]),
      /weights\[0\]\.shape in .* is \[-3,2\]: expected up to 8 non-negative integers/,
    ],
    [
      "wrong shape",
      onModel((m) => m.weightsManifest[0].weights[0].shape = [2, 3]),
      /Cannot load model from .*model\.json: .*[Ss]hape/,
    ],
    [
      "quantised",
      onModel((m) => m.weightsManifest[0].weights[0].quantization = { dtype: "uint8" }),
      /quantised weights are not supported/,
    ],
    [
      "duplicate name",
      onModel((m) => m.weightsManifest[0].weights[1].name = m.weightsManifest[0].weights[0].name),
      /another weight has that name/,
    ],
    [
      "manifest not an array",
      onModel((m) => m.weightsManifest = {}),
      /model\.json is not a tfjs layers model/,
    ],
    [
      "group without paths",
      onModel((m) => m.weightsManifest = [{ weights: [] }]),
      /weightsManifest\[0\] in .* is \{"weights":\[\]\}: expected/,
    ],
    [
      "model.json a list",
      () => Deno.writeTextFile(`${dir}/model.json`, "[]"),
      /model\.json is not a tfjs layers model/,
    ],
    [
      "topology nonsense",
      onModel((m) => m.modelTopology = { class_name: 7 }),
      /Cannot load model from .*model\.json: /,
    ],
    [
      "version 2",
      onMeta((m) => m.version = 2),
      /metadata\.json field version is 2: this likeness reads version 1/,
    ],
    [
      "hasHead string",
      onMeta((m) => m.hasHead = "yes"),
      /field hasHead is "yes": expected true or false/,
    ],
    [
      "threshold text",
      onMeta((m) => m.threshold = "0.5"),
      /field threshold is "0\.5": expected a finite number or null/,
    ],
    [
      "inputShape zero",
      onMeta((m) => m.inputShape = [0]),
      /field inputShape is \[0\]: expected an array of positive integers/,
    ],
    [
      "input dtype string (found by the fuzz suite)",
      onModel((m) => m.modelTopology.config.layers[0].config.dtype = "string"),
      /the network in .*model\/model\.json has input dtype "string": an embedder's is float32/,
    ],
    [
      "metadata null",
      () => Deno.writeTextFile(`${dir}/metadata.json`, "null"),
      /metadata\.json is not likeness metadata: format is null/,
    ],
    ["head promised", onMeta((m) => m.hasHead = true), /model\/head\/model\.json does not exist/],
  ];
  for (const [name, edit, message] of cases) {
    await edit();
    await assert.rejects(loadModel(dir), (e: Error) => {
      assert.match(e.message, message, name);
      return true;
    });
    await Deno.remove(`${dir}/metadata.json`, { recursive: true }).catch(() => {});
    await restore();
  }
  assert.deepEqual(await loadedWeights(dir), [1, 1, 1, 1, 1, 1, 1, 1]);
  assert.equal(tf.memory().numTensors, before, "no tensors leaked by the refusals");
  await Deno.remove(parent, { recursive: true });
});

Deno.test("saveModel stores a Distance record's name; loadModel gives the record back (built-in, user-defined, legacy name)", async () => {
  const { cosine, distance, euclidean } = await import("../../lib/distances/mod.ts");
  const base = await Deno.makeTempDir();
  const embedder = embedderWithCustomLayer();
  try {
    // A built-in record: its name on disk, the same record back.
    await saveModel({ embedder }, `${base}/cos`, { distance: cosine });
    const onDisk = JSON.parse(await Deno.readTextFile(`${base}/cos/metadata.json`));
    assert.equal(onDisk.distance, "cosine");
    const a = await loadModel(`${base}/cos`);
    assert.equal(a.distance, cosine);
    a.dispose();
    // A model saved before records (a plain name) loads with its record too.
    await saveModel({ embedder }, `${base}/legacy`, { distance: "euclidean" });
    const b = await loadModel(`${base}/legacy`);
    assert.equal(b.distance, euclidean);
    b.dispose();
    // No distance recorded: none restored (never a silent euclidean).
    await saveModel({ embedder }, `${base}/none`);
    const c = await loadModel(`${base}/none`);
    assert.equal(c.distance, undefined);
    assert.equal(c.metadata.distance, null);
    c.dispose();
    // A user distance: restored only from the records the caller passes.
    const chebyshev = distance({
      name: "chebyshev",
      rows: (x, y) => tf.max(tf.abs(tf.sub(x, y)), 1),
    });
    await saveModel({ embedder }, `${base}/user`, { distance: chebyshev });
    const d = await loadModel(`${base}/user`);
    assert.equal(d.distance, undefined);
    assert.equal(d.metadata.distance, "chebyshev");
    d.dispose();
    const e = await loadModel(`${base}/user`, { distances: [cosine, chebyshev] });
    assert.equal(e.distance, chebyshev);
    e.dispose();
    // Bad records are refused before anything is written or read, naming the option.
    await assert.rejects(
      () => saveModel({ embedder }, `${base}/bad`, { distance: { name: "x" } as never }),
      /Cannot save model as options\.distance must be a Distance record/,
    );
    await assert.rejects(() => Deno.stat(`${base}/bad`), Deno.errors.NotFound);
    await assert.rejects(
      () => loadModel(`${base}/user`, { distances: ["chebyshev" as never] }),
      /Cannot load model as options\.distances\[0\] must be a Distance record.*current value is the string "chebyshev"/,
    );
  } finally {
    embedder.dispose();
    await Deno.remove(base, { recursive: true });
  }
});
