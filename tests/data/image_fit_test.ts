// End to end: a folder of PNG and JPEG files, data.imageFolder, the triplet sampler,
// data.imageBatches (prefetching, decoding in a worker, augmenting) and train.fit.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { augment, imageBatches, imageFolder } from "../../lib/data/mod.ts";
import { batch, repeat, seeded, take, triplets } from "../../lib/samplers/mod.ts";
import { mlp } from "../../lib/backbones/mod.ts";
import { embedding, l2Normalize, triplet } from "../../lib/branches/mod.ts";
import { compile } from "../../lib/compile/mod.ts";
import { tripletMargin } from "../../lib/losses/mod.ts";
import { fit } from "../../lib/train/mod.ts";
import { pipe } from "../../lib/pipe.ts";
import { encode, rgba } from "./_images.ts";

Deno.test("fit trains a triplet model on a folder of JPEG/PNG files streamed through imageBatches", async () => {
  await tf.setBackend("cpu");
  const dir = await Deno.makeTempDir();
  try {
    for (const [c, name] of ["stripes", "dots"].entries()) {
      await Deno.mkdir(`${dir}/${name}`);
      for (let i = 0; i < 6; i++) {
        const w = 10 + i, h = 12;
        const px = rgba(w, h, (x, y) => {
          const v = c === 0
            ? ((x + i) % 4 < 2 ? 230 : 20)
            : ((x % 3 === 0 && y % 3 === 0) ? 240 : 30);
          return [v, v, c * 100, 255];
        });
        const format = i % 2 === 0 ? "png" : "jpeg";
        await Deno.writeFile(
          `${dir}/${name}/${i}.${format === "png" ? "png" : "jpg"}`,
          await encode(format, w, h, px),
        );
      }
    }
    const d = await imageFolder(dir, { size: 8, channels: 3, workers: 1 });
    const program = compile({
      model: triplet(pipe(mlp({ hidden: [16] }), embedding(4), l2Normalize())),
      loss: tripletMargin({ margin: 0.5 }),
      inputShape: [8, 8, 3],
      seed: 1,
      learningRate: 0.05,
    });
    const before = program.embedder.getWeights().map((w) => [...w.dataSync()]);
    const source = pipe(triplets(d), repeat(), batch(4), take(8), seeded(3));
    const batches = imageBatches(d, { augment: augment.flip(), seed: 2 })(source);
    const losses: number[] = [];
    const counts: number[] = [];
    for await (const step of fit(program, batches, { steps: 8, progress: "none" })) {
      losses.push(step.loss);
      counts.push(tf.memory().numTensors);
    }
    assert.equal(losses.length, 8);
    assert.ok(losses.every(Number.isFinite), `${losses}`);
    const after = program.embedder.getWeights().map((w) => [...w.dataSync()]);
    assert.notDeepEqual(after, before, "the weights moved");
    // optimiser slots appear at step 1; from then on nothing accumulates
    assert.ok(counts.slice(1, -1).every((c) => c === counts[0]), `numTensors moved: ${counts}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
