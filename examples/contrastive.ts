#!/usr/bin/env -S deno run --allow-read --allow-write=runs
/**
 * Contrastive loss on Fashion-MNIST:
 *
 *     deno run --allow-read --allow-write=runs examples/contrastive.ts
 *
 * Permissions (the narrowest that work): `--allow-read` (the data, the bundled sample, the
 * wasm binaries) and `--allow-write=runs` (the run folder; widen it with `--out`). Optional:
 * `--allow-ffi` for the `native` backend; `--allow-env` and `--allow-net` to find or fetch
 * Fashion-MNIST (see examples/triplet.ts). `--quick` uses only the bundled sample.
 *
 * Random pairs, half of the same class; a shared branch, the lecture's network
 * `pipe(vgg(), embedding(32))`, L2-normalised; the contrastive loss with margin 1: d² for
 * same-class pairs, max(0, 1 − d)² for the others.
 *
 * @module
 */
import { pipe } from "../lib/pipe.ts";
import { useBackend } from "../lib/backend/mod.ts";
import { vgg } from "../lib/backbones/mod.ts";
import { embedding, l2Normalize, siamese } from "../lib/branches/mod.ts";
import { compile } from "../lib/compile/mod.ts";
import { fashionMnistOrSample, tensorBatches } from "../lib/data/mod.ts";
import { embedderOf, evaluate, saveEmbedder } from "../lib/embedder/mod.ts";
import { contrastive } from "../lib/losses/mod.ts";
import { standard } from "../lib/report/mod.ts";
import { batch, pairs, repeat, seeded } from "../lib/samplers/mod.ts";
import { fitToEnd } from "../lib/train/mod.ts";
import { fitOptions, parseExampleArgs, reportOptions } from "./_common.ts";

const args = parseExampleArgs({
  name: "contrastive",
  summary: "a shared VGG-style branch trained with the contrastive loss (margin 1) on pairs",
  permissions: "--allow-read --allow-write=runs",
  defaults: { epochs: 1, batch: 32, embedding: 32, lr: 1e-3 },
});
if (args) {
  const backend = (await useBackend(args.backend)).name;
  const data = await fashionMnistOrSample({ sample: args.quick, seed: args.seed });
  const { train, test, description } = data;
  const model = siamese(pipe(vgg({ dropout: 0 }), embedding(args.embedding), l2Normalize()));
  const margin = 1;
  const loss = contrastive({ margin });
  const { lr: learningRate, seed } = args;
  const program = compile({ model, loss, inputShape: train.shape, learningRate, seed });
  console.error(`contrastive: ${description.train} → ${args.out} (backend ${backend})`);
  const sampler = pairs(train, { positiveFraction: 0.5 });
  const batches = pipe(sampler, batch(args.batch), repeat(), seeded(seed));
  const history = await fitToEnd(program, tensorBatches(train)(batches), fitOptions(args, data));

  const classNames = train.classNames;
  const embedder = embedderOf(program, { model, loss: { margin }, seed, history, classNames });
  const evaluation = await evaluate(embedder, test, { seed });
  const threshold = evaluation.verification.eerThreshold, extra = { example: "contrastive" };
  await saveEmbedder(embedder, `${args.out}/model`, { overwrite: true, threshold, extra });
  const run = standard(evaluation, history, reportOptions(args, backend, data));
  await run.write(args.out);
  console.log(`contrastive → ${args.out}\n${run.summary}`);
  program.dispose();
}
