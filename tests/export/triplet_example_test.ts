// The "done when": a model exported from examples/triplet.ts loads in stock tfjs (a
// fresh process with no likeness import) and in onnxruntime, giving the same embeddings.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { loadModel } from "../../lib/train/mod.ts";
import { exportEmbedder } from "../../lib/export/mod.ts";
import { runExample } from "../examples/_run.ts";
import {
  childImports,
  embedWithOnnxRuntime,
  embedWithPlainTfjs,
  maxDifference,
  toNchw,
} from "./_check.ts";

Deno.test("examples/triplet.ts's saved model exports to stock tfjs (fresh process, no likeness import) and ONNX with the same embeddings", async () => {
  await tf.setBackend("cpu");
  const out = await Deno.makeTempDir();
  try {
    await runExample("triplet", out);
    const saved = `${out}/model`;
    const savedMeta = JSON.parse(await Deno.readTextFile(`${saved}/metadata.json`));
    const metadata = await exportEmbedder(saved, `${out}/exported`, { format: "both" });
    await exportEmbedder(saved, `${out}/exported-nchw`, { format: "onnx", inputLayout: "nchw" });

    // What travels with the model: the run's distance, threshold and class names, and how
    // the graph was rebuilt (the lecture network: 3 spatial dropouts, 4 batch-norms folded).
    assert.equal(metadata.distance, "euclidean");
    assert.equal(metadata.threshold, savedMeta.threshold);
    assert.deepEqual(metadata.classNames, savedMeta.classNames);
    assert.deepEqual(metadata.inputShape, [28, 28, 1]);
    assert.equal(metadata.embeddingSize, 32);
    assert.equal(metadata.normalisation, "l2");
    assert.equal(metadata.normalisedInModel, true);
    assert.equal(metadata.removedLayers.length, 3);
    assert.ok(metadata.removedLayers.every((l) => l.endsWith("(SpatialDropout2D)")));
    assert.equal(metadata.foldedBatchNorm.length, 4);
    const onDisk = JSON.parse(await Deno.readTextFile(`${out}/exported/export.json`));
    assert.equal(onDisk.format, "likeness-export");
    assert.deepEqual(onDisk.files, ["model.json", "weights.bin", "model.onnx"]);

    // likeness's own embeddings of 16 seeded images, from the saved model.
    const shape = [16, 28, 28, 1];
    const x = tf.randomUniform(shape, 0, 1, "float32", 42);
    const xs = Float32Array.from(x.dataSync() as Float32Array);
    const loaded = await loadModel(saved);
    const e = loaded.embed(x);
    const expected = Float32Array.from(e.dataSync() as Float32Array);
    tf.dispose([x, e]);
    loaded.dispose();

    assert.deepEqual(await childImports(), ["@tensorflow/tfjs"]);
    const plain = await embedWithPlainTfjs(`${out}/exported`, xs, shape);
    const tfjsGap = maxDifference(plain.embeddings, expected);
    assert.ok(tfjsGap <= 1e-5, `plain tfjs differs by ${tfjsGap}`);
    // Only stock layers, and no training-only ones, in what plain tfjs loaded.
    for (const c of ["SpatialDropout2D", "SeededDropout", "L2Normalize"]) {
      assert.ok(!plain.classes.includes(c), `${c} in ${plain.classes}`);
    }
    assert.ok(!plain.classes.includes("BatchNormalization"), "batch-norm is folded");
    assert.equal((plain.metadata.likeness as { distance: string }).distance, "euclidean");

    const onnx = await embedWithOnnxRuntime(`${out}/exported/model.onnx`, xs, shape);
    assert.deepEqual(onnx.dims, [16, 32]);
    const onnxGap = maxDifference(onnx.embeddings, expected);
    assert.ok(onnxGap <= 1e-4, `onnxruntime differs by ${onnxGap}`);
    const nchw = await embedWithOnnxRuntime(
      `${out}/exported-nchw/model.onnx`,
      toNchw(xs, shape),
      [16, 1, 28, 28],
    );
    const nchwGap = maxDifference(nchw.embeddings, expected);
    assert.ok(nchwGap <= 1e-4, `onnxruntime (NCHW input) differs by ${nchwGap}`);
    console.log(`max |Δ|: plain tfjs ${tfjsGap}, onnxruntime ${onnxGap} (NHWC), ${nchwGap} (NCHW)`);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
