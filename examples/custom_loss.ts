#!/usr/bin/env -S deno run --allow-read --allow-write=runs
/**
 * A loss written by the user in a few lines, trained like the built-in ones:
 *
 *     deno run --allow-read --allow-write=runs examples/custom_loss.ts
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
 * The loss is a "soft" triplet loss, softplus(d(a, p) − d(a, n) + margin): it never stops
 * pushing, unlike the hinge of the triplet margin loss. `losses.fromPerItem` turns the
 * per-triplet function into a loss (mean-reduced), and `compile` checks at compile time that
 * a triplet loss goes with a triplet model.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { pipe } from "../lib/pipe.ts";
import { vgg } from "../lib/backbones/mod.ts";
import { embedding, l2Normalize, triplet } from "../lib/branches/mod.ts";
import { compile } from "../lib/compile/mod.ts";
import { euclidean } from "../lib/distances/mod.ts";
import { fromPerItem } from "../lib/losses/mod.ts";
import { batch, triplets } from "../lib/samplers/mod.ts";
import type { Tensor1D, Triplet } from "../lib/types.ts";
import {
  evaluateEmbedding,
  loadExampleData,
  parseExampleArgs,
  startBackend,
  summary,
  trainExample,
  writeRun,
} from "./_common.ts";

// The user's loss: four lines.
const margin = 1;
const softTriplet = fromPerItem<Triplet>(
  "soft-triplet",
  ({ anchor, positive, negative }) =>
    tf.tidy(() =>
      tf.softplus(
        tf.add(tf.sub(euclidean.rows(anchor, positive), euclidean.rows(anchor, negative)), margin),
      ) as Tensor1D
    ),
);

const args = parseExampleArgs({
  name: "custom_loss",
  summary: "a user-written soft triplet loss (softplus of the margin violation), trained",
  permissions: "--allow-read --allow-write=runs",
  defaults: { epochs: 1, batch: 32, embedding: 32, lr: 1e-3 },
});
if (args) {
  const backend = await startBackend(args);
  const data = await loadExampleData(args);
  const model = triplet(pipe(vgg({ dropout: 0 }), embedding(args.embedding), l2Normalize()));
  const program = compile({
    model,
    loss: softTriplet,
    inputShape: data.train.shape,
    learningRate: args.lr,
    seed: args.seed,
  });
  console.error(`custom_loss: ${data.description.train} → ${args.out} (backend ${backend})`);
  const trained = await trainExample(
    program,
    pipe(triplets(data.train), batch(args.batch)),
    data,
    args,
  );
  const evaluated = evaluateEmbedding((x) => program.embed(x), data.test, args.seed);
  const m = await writeRun({
    name: "custom_loss",
    args,
    backend,
    program,
    data,
    trained,
    evaluated,
    normalisation: "l2",
    // The saved metadata describes the network by the model value itself: its stages.
    spec: { model, loss: { name: softTriplet.name, margin } },
  });
  console.log(`custom_loss → ${args.out}\n${summary(m)}`);
  program.dispose();
}
