#!/usr/bin/env -S deno run --allow-read --allow-write=runs
/**
 * Contrastive loss on Fashion-MNIST:
 *
 *     deno run --allow-read --allow-write=runs examples/contrastive.ts
 *
 * Permissions (the narrowest that work): `--allow-read` (the data, the bundled sample, the
 * wasm binaries) and `--allow-write=runs` (the default run folder; widen it with `--out`).
 * Optional: `--allow-ffi` to train on the `native` backend (oneDNN + OpenBLAS, about 3× wasm)
 * when `libdnnl2` and `libopenblas0` are installed; `--allow-env` to honour
 * LIKENESS_DATA, LIKENESS_BACKEND and the user cache folder when looking for Fashion-MNIST;
 * `--allow-net` to download it when no local copy exists (the Debian package
 * `dataset-fashion-mnist` is found without either). `--quick` uses only the
 * bundled sample.
 *
 * Random pairs, half of the same class; a shared branch, the lecture's network
 * `pipe(vgg(), embedding(32))`, L2-normalised; the contrastive loss with margin 1: d² for
 * same-class pairs, max(0, 1 − d)² for the others.
 *
 * @module
 */
import { pipe } from "../lib/pipe.ts";
import { vgg } from "../lib/backbones/mod.ts";
import { embedding, l2Normalize, siamese } from "../lib/branches/mod.ts";
import { compile } from "../lib/compile/mod.ts";
import { contrastive } from "../lib/losses/mod.ts";
import { batch, pairs } from "../lib/samplers/mod.ts";
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
  name: "contrastive",
  summary: "a shared VGG-style branch trained with the contrastive loss (margin 1) on pairs",
  permissions: "--allow-read --allow-write=runs",
  defaults: { epochs: 1, batch: 32, embedding: 32, lr: 1e-3 },
});
if (args) {
  const backend = await startBackend(args);
  const data = await loadExampleData(args);
  const model = siamese(pipe(vgg({ dropout: 0 }), embedding(args.embedding), l2Normalize()));
  const margin = 1;
  const loss = contrastive({ margin });
  const program = compile({
    model,
    loss,
    inputShape: data.train.shape,
    learningRate: args.lr,
    seed: args.seed,
  });
  console.error(`contrastive: ${data.description.train} → ${args.out} (backend ${backend})`);
  const sampler = pipe(pairs(data.train, { positiveFraction: 0.5 }), batch(args.batch));
  const trained = await trainExample(program, sampler, data, args);
  const evaluated = evaluateEmbedding((x) => program.embed(x), data.test, args.seed);
  const m = await writeRun({
    name: "contrastive",
    args,
    backend,
    program,
    data,
    trained,
    evaluated,
    normalisation: "l2",
    // The saved metadata describes the network by the model value itself: its stages.
    spec: { model, loss: { name: loss.name, margin } },
  });
  console.log(`contrastive → ${args.out}\n${summary(m)}`);
  program.dispose();
}
