#!/usr/bin/env -S deno run --allow-read --allow-write=runs
/**
 * A loss written by the user in a few lines, trained like the built-in ones:
 *
 *     deno run --allow-read --allow-write=runs examples/custom_loss.ts
 *
 * Permissions (the narrowest that work): `--allow-read` (the data, the bundled sample, the
 * wasm binaries) and `--allow-write=runs` (the run folder; widen it with `--out`). Optional:
 * `--allow-ffi` for the `native` backend; `--allow-env` and `--allow-net` to find or fetch
 * Fashion-MNIST (see examples/triplet.ts). `--quick` uses only the bundled sample.
 *
 * The loss is a "soft" triplet loss, softplus(d(a, p) − d(a, n) + margin): it never stops
 * pushing, unlike the hinge of the triplet margin loss. `losses.fromPerItem` turns the
 * per-triplet function into a loss (mean-reduced, comparing with `distances.euclidean`), and
 * `compile` checks at compile time that a triplet loss goes with a triplet model.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { pipe } from "../lib/pipe.ts";
import { useBackend } from "../lib/backend/mod.ts";
import { vgg } from "../lib/backbones/mod.ts";
import { embedding, l2Normalize, triplet } from "../lib/branches/mod.ts";
import { compile } from "../lib/compile/mod.ts";
import { fashionMnistOrSample, tensorBatches } from "../lib/data/mod.ts";
import { euclidean } from "../lib/distances/mod.ts";
import { embedderOf, evaluate, saveEmbedder } from "../lib/embedder/mod.ts";
import { fromPerItem } from "../lib/losses/mod.ts";
import { standard } from "../lib/report/mod.ts";
import { batch, repeat, seeded, triplets } from "../lib/samplers/mod.ts";
import { fitToEnd } from "../lib/train/mod.ts";
import type { Tensor1D, Triplet } from "../lib/types.ts";
import { fitOptions, parseExampleArgs, reportOptions } from "./_common.ts";

// The user's loss: a few lines.
const margin = 1, d = euclidean;
const soft = ({ anchor, positive, negative }: Triplet) =>
  tf.tidy(() =>
    tf.softplus(tf.add(tf.sub(d.rows(anchor, positive), d.rows(anchor, negative)), margin))
  ) as Tensor1D;
const softTriplet = fromPerItem("soft-triplet", soft, undefined, d);

const args = parseExampleArgs({
  name: "custom_loss",
  summary: "a user-written soft triplet loss (softplus of the margin violation), trained",
  permissions: "--allow-read --allow-write=runs",
  defaults: { epochs: 1, batch: 32, embedding: 32, lr: 1e-3 },
});
if (args) {
  const backend = (await useBackend(args.backend)).name;
  const data = await fashionMnistOrSample({ sample: args.quick, seed: args.seed });
  const { train, test, description } = data;
  const model = triplet(pipe(vgg({ dropout: 0 }), embedding(args.embedding), l2Normalize()));
  const { lr: learningRate, seed } = args;
  const loss = softTriplet;
  const program = compile({ model, loss, inputShape: train.shape, learningRate, seed });
  console.error(`custom_loss: ${description.train} → ${args.out} (backend ${backend})`);
  const batches = pipe(triplets(train), batch(args.batch), repeat(), seeded(seed));
  const history = await fitToEnd(program, tensorBatches(train)(batches), fitOptions(args, data));

  const classNames = train.classNames;
  const embedder = embedderOf(program, { model, loss: { margin }, seed, history, classNames });
  const evaluation = await evaluate(embedder, test, { seed });
  const threshold = evaluation.verification.eerThreshold, extra = { example: "custom_loss" };
  await saveEmbedder(embedder, `${args.out}/model`, { overwrite: true, threshold, extra });
  const run = standard(evaluation, history, reportOptions(args, backend, data));
  await run.write(args.out);
  console.log(`custom_loss → ${args.out}\n${run.summary}`);
  program.dispose();
}
