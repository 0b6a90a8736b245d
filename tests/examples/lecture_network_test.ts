/**
 * The examples train the lecture's network, `pipe(vgg(), embedding(size))`, and nothing else:
 * every example's saved model has the lecture's 429,176 weights (plus its loss head, saved
 * apart), its metadata describes the network by its stages (the embedding stage among them),
 * and in the embedding-size study each size is a true embedding of that size (no narrower
 * layer before it).
 */
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { loadModel } from "../../lib/train/mod.ts";
import type { Stage } from "../../lib/types.ts";
import { runExample } from "./_run.ts";

await tf.setBackend("cpu");

/** The lecture's "SiameseBranch": 429,176 parameters (reference/lecture-comparing-things.md). */
const LECTURE_WEIGHTS = 429_176;
/** Its backbone, without the 256 → 32 embedding layer (256·32 + 32 = 8,224). */
const BACKBONE_WEIGHTS = LECTURE_WEIGHTS - 8_224;

/** The embedding stages of the branch a saved model's metadata describes. */
function embeddingStages(spec: unknown): Stage[] {
  const stages = (spec as { model?: { branch?: { stages?: Stage[] } } })?.model?.branch?.stages;
  assert.ok(
    Array.isArray(stages),
    `metadata spec has no model.branch.stages: ${JSON.stringify(spec)}`,
  );
  return stages.filter((s) => s.kind === "dense" && s.role === "embedding");
}

/**
 * Numerical rank of a `rows × cols` matrix: Gaussian elimination with full pivoting in
 * float64; a pivot below `tolerance` × the largest entry ends it.
 */
function numericalRank(values: Float32Array, rows: number, cols: number, tolerance = 1e-4) {
  const a = Float64Array.from(values);
  let largest = 0;
  for (const v of a) largest = Math.max(largest, Math.abs(v));
  let rank = 0;
  for (let k = 0; k < Math.min(rows, cols); k++) {
    let pr = -1, pc = -1, best = 0;
    for (let i = k; i < rows; i++) {
      for (let j = k; j < cols; j++) {
        const v = Math.abs(a[i * cols + j]);
        if (v > best) [best, pr, pc] = [v, i, j];
      }
    }
    if (best <= tolerance * largest) break;
    for (let j = 0; j < cols; j++) { // swap rows k and pr
      const t = a[k * cols + j];
      a[k * cols + j] = a[pr * cols + j];
      a[pr * cols + j] = t;
    }
    for (let i = 0; i < rows; i++) { // swap columns k and pc
      const t = a[i * cols + k];
      a[i * cols + k] = a[i * cols + pc];
      a[i * cols + pc] = t;
    }
    for (let i = k + 1; i < rows; i++) {
      const f = a[i * cols + k] / a[k * cols + k];
      for (let j = k; j < cols; j++) a[i * cols + j] -= f * a[k * cols + j];
    }
    rank++;
  }
  return rank;
}

Deno.test("numericalRank: full, deficient and zero matrices", () => {
  // rows 3 = rows 1 + 2: rank 2 of 3
  const m = Float32Array.from([1, 2, 3, 0, 1, 4, 1, 3, 7]);
  assert.equal(numericalRank(m, 3, 3), 2);
  assert.equal(numericalRank(Float32Array.from([2, 0, 0, 3]), 2, 2), 2);
  assert.equal(numericalRank(new Float32Array(6), 2, 3), 0);
});

const examples = ["triplet", "contrastive", "siamese_bce", "classification", "custom_loss"];

Deno.test("every example trains and saves the lecture's network: 429,176 weights, its embedding stage in the metadata", async () => {
  const check = async (name: string) => {
    const out = await Deno.makeTempDir({ prefix: `likeness-lecture-${name}-` });
    try {
      await runExample(name, out, ["--steps", "1"]);
      const model = await loadModel(`${out}/model`);
      assert.equal(
        model.embedder.countParams(),
        LECTURE_WEIGHTS,
        `${name}: the saved network has ${model.embedder.countParams()} weights`,
      );
      const [stage, ...more] = embeddingStages(model.metadata.spec);
      assert.equal(more.length, 0, `${name}: one embedding stage`);
      assert.ok(stage?.kind === "dense" && stage.units === model.metadata.embeddingSize);
      assert.equal(model.metadata.embeddingSize, 32);
      model.dispose();
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  };
  // Two at a time (the examples are single-threaded subprocesses).
  const queue = [...examples];
  const worker = async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) await check(name);
  };
  await Promise.all([worker(), worker()]);
});

Deno.test("examples/embedding_size.ts: each size is a true embedding of that size (the 128 row has rank > 33)", async () => {
  const out = await Deno.makeTempDir({ prefix: "likeness-lecture-embedding_size-" });
  try {
    await runExample("embedding_size", out, ["--steps", "1"]);
    for (const size of [2, 4, 8, 32, 128]) {
      const model = await loadModel(`${out}/size-${size}/model`);
      // vgg's 256 features projected straight to `size`: 256·size + size weights after them
      assert.equal(model.embedder.countParams(), BACKBONE_WEIGHTS + 257 * size, `size ${size}`);
      const [stage] = embeddingStages(model.metadata.spec);
      assert.ok(stage?.kind === "dense" && stage.units === size, `size ${size}: embedding stage`);
      if (size === 128) {
        // 200 random images → a 200 × 128 embedding matrix. Behind a 32-wide linear layer
        // (and a bias) its rows would span at most 33 dimensions, whatever the weights.
        const x = tf.randomUniform([200, 28, 28, 1], 0, 1, "float32", 3);
        const y = model.embed(x);
        const rank = numericalRank(y.dataSync() as Float32Array, 200, 128);
        tf.dispose([x, y]);
        assert.ok(rank > 33, `the 128-d embedding has rank ${rank}`);
        if (Deno.env.get("LIKENESS_PRINT_RANK")) {
          console.log(`rank of the 128-d embedding: ${rank}`);
        }
      }
      model.dispose();
    }
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
