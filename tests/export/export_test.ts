import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { pipe } from "../../lib/pipe.ts";
import { mlp, resnet, vgg } from "../../lib/backbones/mod.ts";
import { fromLayersModel } from "../../lib/backbones/from_layers_model.ts";
import {
  activation,
  andThen,
  batchNorm,
  conv2d,
  dense,
  dropout,
  embedding,
  empty,
  flatten,
  l2Normalize,
  maxPool2d,
  spatialDropout2d,
  triplet,
} from "../../lib/branches/mod.ts";
import { compile } from "../../lib/compile/mod.ts";
import { tripletMargin } from "../../lib/losses/mod.ts";
import { saveModel } from "../../lib/train/mod.ts";
import { embedderOf } from "../../lib/embedder/mod.ts";
import { exportArtifacts, exportEmbedder, exportOnnx } from "../../lib/export/mod.ts";
import type { Branch, LayersModel } from "../../lib/types.ts";
import { embedWithOnnxRuntime, embedWithPlainTfjs, maxDifference, toNchw } from "./_check.ts";

await tf.setBackend("cpu");

/** Compiles `branch` and gives its batch-norms non-trivial statistics (seeded). */
function program(branch: Branch, inputShape: number[], seed = 1) {
  const p = compile({ model: triplet(branch), loss: tripletMargin(), inputShape, seed });
  randomiseBatchNorm(p.embedder, seed);
  return p;
}

function randomiseBatchNorm(model: LayersModel, seed: number) {
  let s = seed;
  for (const w of model.weights) {
    const name = w.originalName;
    const range: Record<string, [number, number]> = {
      gamma: [0.5, 1.5],
      beta: [-0.3, 0.3],
      moving_mean: [-0.3, 0.3],
      moving_variance: [0.3, 2],
    };
    const r = range[name.slice(name.lastIndexOf("/") + 1)];
    if (r) w.write(tf.randomUniform(w.shape as number[], r[0], r[1], "float32", ++s));
  }
}

function inputs(shape: number[], seed = 7): { x: tf.Tensor; data: Float32Array } {
  const x = tf.randomUniform(shape, 0, 1, "float32", seed);
  return { x, data: Float32Array.from(x.dataSync() as Float32Array) };
}

/** Loads in-memory tfjs artifacts with plain tfjs (same process). */
function loadArtifacts(tfjs: { modelJson: Record<string, unknown>; weights: Uint8Array }) {
  const json = tfjs.modelJson as {
    modelTopology: tf.io.ModelJSON["modelTopology"];
    weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
  };
  return tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest[0].weights,
    weightData: tfjs.weights.slice().buffer,
  }));
}

Deno.test("a resnet program (a second backbone: residual adds, projection shortcuts) exports to plain tfjs (fresh process) to 1e-5 and ONNX to 1e-4", async () => {
  const p = program(pipe(resnet({ filters: [8, 16] }), embedding(16), l2Normalize()), [20, 20, 3]);
  const dir = `${await Deno.makeTempDir()}/exported`;
  try {
    const m = await exportEmbedder(p, dir, { format: "both", threshold: 0.9 });
    // stem, 2 per block, 1 projection: all folded into their convolutions
    assert.equal(m.foldedBatchNorm.length, 6);
    assert.equal(m.threshold, 0.9);
    const shape = [6, 20, 20, 3];
    const { x, data } = inputs(shape);
    const e = p.embed(x);
    const expected = Float32Array.from(e.dataSync() as Float32Array);
    tf.dispose([x, e]);
    const plain = await embedWithPlainTfjs(dir, data, shape);
    assert.ok(maxDifference(plain.embeddings, expected) <= 1e-5);
    assert.ok(plain.classes.includes("Add"));
    const onnx = await embedWithOnnxRuntime(`${dir}/model.onnx`, data, shape);
    assert.ok(maxDifference(onnx.embeddings, expected) <= 1e-4);
  } finally {
    p.dispose();
    await Deno.remove(dir.replace(/\/exported$/, ""), { recursive: true });
  }
});

Deno.test("every supported layer (nested tfjs model inlined, valid/same pads on odd sizes, dilation, avg/max/global pools, unfoldable batch-norm, each activation) matches in tfjs and ONNX (NHWC and NCHW)", async () => {
  const nested = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [13, 11, 3],
        filters: 4,
        kernelSize: 3,
        strides: 2,
        padding: "same",
        activation: "relu6",
      }),
      tf.layers.conv2d({
        filters: 5,
        kernelSize: [2, 3],
        dilationRate: 2,
        padding: "same",
        activation: "elu",
      }),
      tf.layers.averagePooling2d({ poolSize: 2, strides: 2, padding: "same" }),
      tf.layers.batchNormalization({}),
      tf.layers.conv2d({ filters: 6, kernelSize: 1, useBias: false }),
      tf.layers.maxPooling2d({ poolSize: 3, strides: 1, padding: "same" }),
      tf.layers.activation({ activation: "selu" }),
      tf.layers.dropout({ rate: 0.3 }),
      tf.layers.gaussianNoise({ stddev: 0.1 }),
    ],
  });
  const conv = pipe(
    fromLayersModel(nested),
    conv2d(6, { activation: "tanh" }),
    spatialDropout2d(0.4),
    maxPool2d(2),
    batchNorm(),
    flatten(),
    dense(12, { activation: "swish" }),
    dropout(0.5),
    dense(10, { activation: "sigmoid" }),
    batchNorm(),
    dense(9, { activation: "softplus" }),
  );
  const all = pipe(conv, dense(8), batchNorm(), activation("relu"), embedding(7));
  const p = program(all, [13, 11, 3], 3);
  randomiseBatchNorm(nested, 11);
  try {
    const shape = [5, 13, 11, 3];
    const { x, data } = inputs(shape, 9);
    const e = p.embed(x);
    const expected = Float32Array.from(e.dataSync() as Float32Array);
    const before = tf.memory().numTensors;
    const a = await exportArtifacts(p, { format: "both" });
    assert.equal(tf.memory().numTensors, before, "exportArtifacts leaks no tensor");
    assert.deepEqual(a.metadata.removedLayers.map((r) => r.replace(/^.* \(/, "(")), [
      "(Dropout)",
      "(GaussianNoise)",
      "(SpatialDropout2D)",
      "(SeededDropout)",
    ]);
    // the batch-norms after an activation or a pool stay (3 of them); the one after dense(8) folds
    assert.equal(a.metadata.foldedBatchNorm.length, 1);
    assert.equal(a.metadata.normalisation, null);
    const loaded = await loadArtifacts(a.tfjs!);
    const y = loaded.predict(x) as tf.Tensor;
    assert.ok(maxDifference(y.dataSync() as Float32Array, expected) <= 1e-5);
    assert.equal(
      loaded.layers.filter((l) => l.getClassName() === "BatchNormalization").length,
      3,
    );
    tf.dispose([x, e, y]);
    loaded.dispose();
    const onnx = await embedWithOnnxRuntime(a.onnx!, data, shape);
    assert.ok(maxDifference(onnx.embeddings, expected) <= 1e-4);
    const b = await exportArtifacts(p, { format: "onnx", inputLayout: "nchw" });
    const nchw = await embedWithOnnxRuntime(b.onnx!, toNchw(data, shape), [5, 3, 13, 11]);
    assert.ok(maxDifference(nchw.embeddings, expected) <= 1e-4);
    assert.deepEqual(b.metadata.onnx?.inputShape, ["batch", 3, 13, 11]);
  } finally {
    p.dispose();
  }
});

Deno.test("an mlp on vectors with a rank-3 dense (MatMul in ONNX) and an L2 normalisation exports to both", async () => {
  const p = program(
    pipe(
      empty,
      dense(6, { activation: "relu" }),
      flatten(),
      andThen(mlp({ hidden: [8], batchNorm: true, dropout: 0.2 })),
      embedding(4),
      l2Normalize(),
    ),
    [3, 5],
  );
  try {
    const shape = [4, 3, 5];
    const { x, data } = inputs(shape);
    const e = p.embed(x);
    const expected = Float32Array.from(e.dataSync() as Float32Array);
    const a = await exportArtifacts(p, { format: "both" });
    const loaded = await loadArtifacts(a.tfjs!);
    const y = loaded.predict(x) as tf.Tensor;
    assert.ok(maxDifference(y.dataSync() as Float32Array, expected) <= 1e-5);
    const onnx = await embedWithOnnxRuntime(a.onnx!, data, shape);
    assert.ok(maxDifference(onnx.embeddings, expected) <= 1e-4);
    tf.dispose([x, e, y]);
    loaded.dispose();
  } finally {
    p.dispose();
  }
});

Deno.test("a zero embedding stays zero (L2 normalisation's ε), not NaN, in tfjs and ONNX", async () => {
  const p = program(pipe(empty, dense(3, { useBias: false }), l2Normalize()), [2]);
  try {
    const x = tf.zeros([2, 2]);
    const a = await exportArtifacts(p, { format: "both" });
    const loaded = await loadArtifacts(a.tfjs!);
    const y = loaded.predict(x) as tf.Tensor;
    assert.deepEqual([...(y.dataSync() as Float32Array)], [0, 0, 0, 0, 0, 0]);
    const onnx = await embedWithOnnxRuntime(a.onnx!, new Float32Array(4), [2, 2]);
    assert.deepEqual([...onnx.embeddings], [0, 0, 0, 0, 0, 0]);
    tf.dispose([x, y]);
    loaded.dispose();
  } finally {
    p.dispose();
  }
});

class Unknown extends tf.layers.Layer {
  static className = "MyCustomLayer";
  override call(x: tf.Tensor | tf.Tensor[]) {
    return Array.isArray(x) ? x[0] : x;
  }
}

Deno.test("an unsupported layer is refused, naming the layer and its class; nothing is written and nothing leaks", async () => {
  const root = await Deno.makeTempDir();
  try {
    const cases: [LayersModel, RegExp][] = [
      [
        tf.sequential({
          layers: [
            tf.layers.conv2dTranspose({
              inputShape: [4, 4, 1],
              filters: 2,
              kernelSize: 2,
              name: "upsample",
            }),
            tf.layers.flatten(),
          ],
        }),
        /Cannot export layer upsample \(class Conv2DTranspose\) as export does not support that class/,
      ],
      [
        tf.sequential({
          layers: [tf.layers.dense({ inputShape: [3], units: 2 }), new Unknown({ name: "mine" })],
        }),
        /Cannot export layer mine \(class MyCustomLayer\)/,
      ],
      [
        tf.sequential({
          layers: [tf.layers.dense({ inputShape: [3], units: 2, activation: "gelu", name: "g" })],
        }),
        /Cannot export layer g \(class Dense\) as its activation "gelu" is not supported/,
      ],
      [
        tf.sequential({
          layers: [
            tf.layers.conv2d({ inputShape: [4, 4, 2], filters: 2, kernelSize: 1 }),
            tf.layers.batchNormalization({ axis: 1, name: "bn_h" }),
            tf.layers.flatten(),
          ],
        }),
        /Cannot export layer bn_h \(class BatchNormalization\) as it normalises axis 1/,
      ],
    ];
    for (const [model, expected] of cases) {
      // inside a likeness program too: the error names the inner layer
      const p = compile({
        model: triplet(pipe(fromLayersModel(model), flatten(), embedding(2))),
        loss: tripletMargin(),
        inputShape: model.inputs[0].shape.slice(1) as number[],
      });
      const before = tf.memory().numTensors;
      await assert.rejects(exportEmbedder(p, `${root}/out`, { format: "both" }), expected);
      assert.equal(tf.memory().numTensors, before);
      assert.deepEqual([...Deno.readDirSync(root)], [], "nothing written");
      p.dispose();
    }
    // A dense layer on an image (rank 4) is fine in tfjs but not in ONNX: refused by name.
    const image = compile({
      model: triplet(pipe(empty, conv2d(2), dense(3), flatten(), embedding(2))),
      loss: tripletMargin(),
      inputShape: [4, 4, 1],
    });
    const layer = image.embedder.layers.find((l) => l.getClassName() === "Dense")?.name;
    await assert.rejects(
      exportOnnx(image, `${root}/out`),
      new RegExp(`Cannot export layer ${layer} to ONNX as its input has rank 4`),
    );
    assert.ok((await exportArtifacts(image)).tfjs);
    image.dispose();
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("bad source, dir and options are refused with the argument and the value", async () => {
  const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] });
  const dir = `${await Deno.makeTempDir()}/x`;
  try {
    const bad: [unknown, unknown, unknown, RegExp][] = [
      [null, dir, {}, /source must be an Embedder, a compiled program.*got null/],
      [{ embedder: 3 }, dir, {}, /source must be an Embedder.*an object with keys \["embedder"\]/],
      [embedder, "", {}, /dir must be a path ending in a folder name: got ""/],
      [embedder, "..", {}, /dir must be a path ending in a folder name: got "\.\."/],
      [
        embedder,
        dir,
        { format: "xml" },
        /options\.format must be "tfjs", "onnx" or "both": got "xml"/,
      ],
      [
        embedder,
        dir,
        { inputLayout: "NHWC" },
        /options\.inputLayout must be "nhwc" or "nchw": got "NHWC"/,
      ],
      [embedder, dir, { threshold: NaN }, /options\.threshold must be a finite number: got NaN/],
      [embedder, dir, { overwrite: "yes" }, /options\.overwrite must be true or false: got "yes"/],
      [
        embedder,
        dir,
        { classNames: [1] },
        /options\.classNames must be an array of strings: got \[1\]/,
      ],
      [embedder, dir, 5, /options must be an object: got 5/],
      [`${dir}-missing`, dir, {}, /metadata\.json does not exist/],
    ];
    for (const [source, d, options, expected] of bad) {
      await assert.rejects(
        // deno-lint-ignore no-explicit-any
        exportEmbedder(source as any, d as string, options as any),
        expected,
      );
    }
    // deno-lint-ignore no-explicit-any
    await assert.rejects(exportOnnx(embedder, dir, 5 as any), /options must be an object: got 5/);
  } finally {
    embedder.dispose();
    await Deno.remove(dir.replace(/\/x$/, ""), { recursive: true });
  }
});

Deno.test("never writes over what is not an export; replaces an export only with overwrite: true", async () => {
  const root = await Deno.makeTempDir();
  const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] });
  try {
    await Deno.writeTextFile(`${root}/file`, "mine");
    await Deno.mkdir(`${root}/folder`);
    await Deno.writeTextFile(`${root}/folder/notes.txt`, "mine");
    await Deno.symlink(`${root}/folder`, `${root}/link`);
    await saveModel({ embedder }, `${root}/model`);
    const refusals: [string, RegExp][] = [
      ["file", /file exists and is a file, not a likeness export folder/],
      ["folder", /folder exists and is not a likeness export folder/],
      ["link", /link is a symbolic link/],
      ["model", /model holds a likeness model saved by saveModel, not an export/],
    ];
    for (const [name, expected] of refusals) {
      await assert.rejects(
        exportEmbedder(embedder, `${root}/${name}`, { overwrite: true }),
        expected,
      );
    }
    assert.equal(await Deno.readTextFile(`${root}/file`), "mine");
    assert.equal(await Deno.readTextFile(`${root}/folder/notes.txt`), "mine");
    assert.ok((await Deno.stat(`${root}/model/metadata.json`)).isFile);

    // An empty folder is used; an export is replaced only when asked.
    await Deno.mkdir(`${root}/empty`);
    await exportEmbedder(embedder, `${root}/empty`, { threshold: 1 });
    await assert.rejects(
      exportEmbedder(embedder, `${root}/empty`, { threshold: 2 }),
      /already holds a likeness export: pass \{ overwrite: true \} to replace it/,
    );
    await exportEmbedder(embedder, `${root}/empty`, {
      threshold: 2,
      format: "onnx",
      overwrite: true,
    });
    const meta = JSON.parse(await Deno.readTextFile(`${root}/empty/export.json`));
    assert.equal(meta.threshold, 2);
    assert.deepEqual([...Deno.readDirSync(`${root}/empty`)].map((e) => e.name).sort(), [
      "export.json",
      "model.onnx",
    ]);
    // An export folder with a file of someone else's in it is not replaced.
    await Deno.writeTextFile(`${root}/empty/README`, "mine");
    await assert.rejects(
      exportEmbedder(embedder, `${root}/empty`, { overwrite: true }),
      /holds a likeness export and files exportEmbedder did not write \(README\)/,
    );
    assert.equal(await Deno.readTextFile(`${root}/empty/README`), "mine");
    // No temp or old folders are left beside the exports.
    const names = [...Deno.readDirSync(root)].map((e) => e.name).sort();
    assert.deepEqual(names, ["empty", "file", "folder", "link", "model"]);
  } finally {
    embedder.dispose();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("the lecture network with spatial dropout on (vgg(), 0.2) drops its 3 SpatialDropout2D layers and matches", async () => {
  const p = program(pipe(vgg(), embedding(32), l2Normalize()), [28, 28, 1]);
  try {
    const { x } = inputs([4, 28, 28, 1]);
    const e = p.embed(x);
    const a = await exportArtifacts(p);
    assert.equal(a.metadata.removedLayers.length, 3);
    const loaded = await loadArtifacts(a.tfjs!);
    const y = loaded.predict(x) as tf.Tensor;
    assert.ok(maxDifference(y.dataSync() as Float32Array, e.dataSync() as Float32Array) <= 1e-5);
    assert.ok(a.metadata.checkedDifference <= 1e-5);
    tf.dispose([x, e, y]);
    loaded.dispose();
  } finally {
    p.dispose();
  }
});

Deno.test("an Embedder value exports with its distance, threshold and class names", async () => {
  const model = triplet(pipe(mlp({ hidden: [8] }), embedding(4), l2Normalize()));
  const p = compile({ model, loss: tripletMargin(), inputShape: [5], seed: 2 });
  const e = { ...embedderOf(p, { model, seed: 2 }), threshold: 0.8, classNames: ["a", "b"] };
  try {
    const a = await exportArtifacts(e, { format: "onnx" });
    assert.equal(a.metadata.distance, e.distance.name);
    assert.equal(a.metadata.threshold, 0.8);
    assert.deepEqual(a.metadata.classNames, ["a", "b"]);
    assert.equal(a.metadata.normalisation, "l2");
    const { x, data } = inputs([3, 5]);
    const y = p.embed(x);
    const onnx = await embedWithOnnxRuntime(a.onnx!, data, [3, 5]);
    assert.ok(maxDifference(onnx.embeddings, y.dataSync() as Float32Array) <= 1e-4);
    tf.dispose([x, y]);
  } finally {
    p.dispose();
  }
});
