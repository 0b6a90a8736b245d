/**
 * The backbones take any channel count: vgg, mlp and resnet compile on RGB (3-channel) and
 * 4-channel images, train a step, and their embeddings depend on every channel (a red image
 * and a blue one embed differently); resnet takes 64 to 224 px RGB photos.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { mlp, resnet, vgg } from "../../lib/backbones/mod.ts";
import { embedding, l2Normalize, triplet } from "../../lib/branches/mod.ts";
import { compile } from "../../lib/compile/mod.ts";
import { tripletMargin } from "../../lib/losses/mod.ts";
import { pipe } from "../../lib/pipe.ts";
import type { Branch } from "../../lib/types.ts";

await tf.setBackend("cpu");

/** n images of size × size × channels: channel `on` is 1 in a centre square, the rest 0. */
const coloured = (n: number, size: number, channels: number, on: number) =>
  tf.tidy(() => {
    const mask = tf.pad(tf.ones([size / 2, size / 2, 1]), [[size / 4, size / 4], [
      size / 4,
      size / 4,
    ], [0, 0]]);
    const pick = tf.oneHot([on], channels).reshape([1, 1, channels]);
    return tf.tile(tf.mul(mask, pick).expandDims(0), [n, 1, 1, 1]) as tf.Tensor4D;
  });

function check(name: string, backbone: Branch, size: number, channels: number, train = true) {
  const before = tf.memory().numTensors;
  const program = compile({
    model: triplet(pipe(backbone, embedding(6), l2Normalize())),
    loss: tripletMargin(),
    inputShape: [size, size, channels],
    seed: 2,
  });
  const red = coloured(2, size, channels, 0), blue = coloured(2, size, channels, 2);
  if (train) {
    const loss = program.trainStep({ kind: "triplet", anchor: red, positive: red, negative: blue });
    assert.ok(Number.isFinite(loss.dataSync()[0]), `${name}: finite loss`);
    loss.dispose();
  }
  const both = tf.concat([red, blue]);
  const e = program.embed(both);
  assert.deepEqual(e.shape, [4, 6], name);
  const v = e.arraySync() as number[][];
  const gap = Math.max(...v[0].map((x, i) => Math.abs(x - v[2][i])));
  assert.ok(gap > 1e-4, `${name}: red and blue embed alike (gap ${gap})`);
  assert.ok(v.flat().every(Number.isFinite), `${name}: finite embeddings`);
  tf.dispose([e, both, red, blue]);
  program.dispose();
  assert.equal(tf.memory().numTensors, before, `${name}: no tensor leaks`);
}

Deno.test("vgg, mlp and resnet take 3- and 4-channel images; every channel counts", () => {
  for (const channels of [3, 4]) {
    check(`vgg ${channels}`, vgg({ dropout: 0, filters: [4, 8], dense: 16 }), 16, channels);
    check(`mlp ${channels}`, mlp({ hidden: [16] }), 16, channels);
    check(`resnet ${channels}`, resnet({ filters: [4, 8] }), 16, channels);
  }
});

Deno.test("resnet takes 64 × 64 and 224 × 224 RGB photos (stemStride 4 for the large ones)", () => {
  // (training steps at these sizes are left to bench/: tfjs's cpu convolution gradients are slow)
  check("resnet 64", resnet({ filters: [8, 16] }), 64, 3, false);
  check("resnet 64, stem 4, one step", resnet({ filters: [4, 8], stemStride: 4 }), 64, 3);
  check("resnet 224", resnet({ filters: [8, 16, 32], stemStride: 4 }), 224, 3, false);
  assert.throws(
    () => resnet({ stemStride: 3 as 2 }),
    /stemStride must be 1, 2 or 4: current value is 3/,
  );
});
