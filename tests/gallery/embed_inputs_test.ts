import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { embedInputs, memoryStore, openGallery } from "../../lib/gallery/mod.ts";
import type { Tensor, Tensor2D } from "../../lib/types.ts";

await tf.setBackend("cpu");

// A toy embedding of 2×2×1 "images": (sum of pixels, top-left minus bottom-right).
const embed = (x: Tensor): Tensor2D =>
  tf.matMul(tf.reshape(x, [-1, 4]) as Tensor2D, tf.tensor2d([[1, 1], [1, 0], [1, 0], [1, -1]]));

Deno.test("embedInputs embeds in batches and matches the hand-computed rows", async () => {
  const images = tf.tensor4d(
    [1, 0, 0, 0, 0, 0, 0, 2, 1, 1, 1, 1, 0, 3, 0, 0, 5, 0, 0, 5],
    [5, 2, 2, 1],
  );
  const before = tf.memory().numTensors;
  for (const batchSize of [1, 2, 3, 5, 100]) {
    const rows = await embedInputs(images, { embed, batchSize });
    assert.deepEqual([...rows], [1, 1, 2, -2, 4, 0, 3, 0, 10, 0]);
  }
  assert.equal(tf.memory().numTensors, before);
  images.dispose();
});

Deno.test("embedInputs feeds a gallery: enrol from raw inputs, identify raw queries", async () => {
  const gallery = openGallery(memoryStore({ dim: 2, fingerprint: "toy" }));
  const bright = tf.fill([2, 2, 2, 1], 1);
  const dark = tf.zeros([1, 2, 2, 1]);
  gallery.enrol("bright", await embedInputs(bright, { embed }));
  gallery.enrol("dark", await embedInputs(dark, { embed }));
  const query = tf.fill([1, 2, 2, 1], 0.9);
  assert.equal(gallery.identify(await embedInputs(query, { embed }), 1)[0].identity, "bright");
  tf.dispose([bright, dark, query]);
});

Deno.test("embedInputs: clear errors, and no leak when embed misbehaves", async () => {
  const x = tf.zeros([3, 4]);
  const before = tf.memory().numTensors;
  await assert.rejects(
    () => embedInputs(x, { embed: (t) => tf.sum(t, 1) as unknown as Tensor2D }),
    /embed must return one row per input \(shape \[3, dim\]\): current shape is \[3\]/,
  );
  await assert.rejects(
    () => embedInputs(x, { embed, batchSize: 0 }),
    /batchSize must be a positive integer: current value is 0/,
  );
  await assert.rejects(
    () => embedInputs(tf.zeros([0, 4]), { embed }),
    /inputs must hold at least one item/,
  );
  assert.equal(tf.memory().numTensors, before + 1); // the zeros([0, 4]) made above
  x.dispose();
});
