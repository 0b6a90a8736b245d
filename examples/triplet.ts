#!/usr/bin/env -S deno run --allow-read --allow-write --allow-env
/**
 * Triplet loss on Fashion-MNIST — the README's first command:
 *
 *     deno run --allow-read --allow-write --allow-env examples/triplet.ts
 *
 * Permissions: `--allow-read` (the data, the wasm binaries, the run folder), `--allow-write`
 * (the run folder), `--allow-env` (LIKENESS_DATA / LIKENESS_BACKEND and the cache folder);
 * add `--allow-net` only to download Fashion-MNIST when no local copy exists (the Debian
 * package `dataset-fashion-mnist` or $LIKENESS_DATA). `--quick` needs no data at all.
 *
 * Anchor / positive / negative triplets (the positive of the anchor's class, the negative of
 * another), one shared VGG-style branch with a 32-d L2-normalised embedding, and the triplet
 * margin loss max(0, d(a, p) − d(a, n) + 1).
 *
 * @module
 */
import { pipe } from "../lib/pipe.ts";
import { vgg } from "../lib/backbones/mod.ts";
import { dense, l2Normalize, triplet } from "../lib/branches/mod.ts";
import { compile } from "../lib/compile/mod.ts";
import { tripletMargin } from "../lib/losses/mod.ts";
import { batch, triplets } from "../lib/samplers/mod.ts";
import {
  evaluateEmbedding,
  loadExampleData,
  parseExampleArgs,
  startBackend,
  summary,
  trainExample,
  writeRun,
} from "./_common.ts";

const args = parseExampleArgs({
  name: "triplet",
  summary: "a shared VGG-style branch trained with the triplet margin loss on Fashion-MNIST",
  permissions: "--allow-read --allow-write --allow-env",
  defaults: { epochs: 3, batch: 64, embedding: 32, lr: 1e-3 },
});
if (args) {
  const backend = await startBackend(args);
  const data = await loadExampleData(args);
  const spec = {
    backbone: "vgg",
    embedding: args.embedding,
    normalise: "l2",
    loss: "tripletMargin",
    margin: 1,
  };
  const program = compile({
    model: triplet(pipe(vgg(), dense(args.embedding), l2Normalize())),
    loss: tripletMargin({ margin: 1 }),
    inputShape: data.train.shape,
    learningRate: args.lr,
    seed: args.seed,
  });
  console.error(`triplet: ${data.description.train} → ${args.out} (backend ${backend})`);
  const trained = await trainExample(
    program,
    pipe(triplets(data.train), batch(args.batch)),
    data,
    args,
  );
  const evaluated = evaluateEmbedding((x) => program.embed(x), data.test, args.seed);
  const m = await writeRun({
    name: "triplet",
    args,
    backend,
    program,
    data,
    trained,
    evaluated,
    normalisation: "l2",
    spec,
  });
  console.log(`triplet → ${args.out}\n${summary(m)}`);
  program.dispose();
}
