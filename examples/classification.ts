#!/usr/bin/env -S deno run --allow-read --allow-write=runs
/**
 * The same backbone trained as a classifier, its penultimate layer used as an embedding:
 *
 *     deno run --allow-read --allow-write=runs examples/classification.ts
 *
 * Permissions (the narrowest that work): `--allow-read` (the data, the bundled sample, the
 * wasm binaries) and `--allow-write=runs` (the run folder; widen it with `--out`). Optional:
 * `--allow-ffi` for the `native` backend; `--allow-env` and `--allow-net` to find or fetch
 * Fashion-MNIST (see examples/triplet.ts). `--quick` uses only the bundled sample.
 *
 * The lecture's network `pipe(vgg(), embedding(32))` → a 10-way softmax head trained with
 * cross-entropy on class-balanced batches: the embedding stage is the 32-d linear bottleneck
 * between the backbone's 256 features and the classifier. It is then evaluated exactly as the
 * Siamese embeddings are (with `distances.euclidean`), so its metrics.json sits beside
 * theirs. A classifier needs every class at training time; metric learning does not (see
 * examples/enrol.ts).
 *
 * @module
 */
import { pipe } from "../lib/pipe.ts";
import { useBackend } from "../lib/backend/mod.ts";
import { vgg } from "../lib/backbones/mod.ts";
import { embedding, labelled } from "../lib/branches/mod.ts";
import { compile } from "../lib/compile/mod.ts";
import { fashionMnistOrSample, tensorBatches } from "../lib/data/mod.ts";
import { euclidean } from "../lib/distances/mod.ts";
import { embedderOf, evaluate, saveEmbedder } from "../lib/embedder/mod.ts";
import { softmaxCrossEntropy } from "../lib/losses/mod.ts";
import { standard } from "../lib/report/mod.ts";
import { pk, repeat, seeded } from "../lib/samplers/mod.ts";
import { fitToEnd } from "../lib/train/mod.ts";
import { fitOptions, parseExampleArgs, reportOptions } from "./_common.ts";

const args = parseExampleArgs({
  name: "classification",
  summary:
    "the backbone trained with softmax cross-entropy; its 32-d penultimate layer as embedding",
  permissions: "--allow-read --allow-write=runs",
  defaults: { epochs: 1, batch: 60, embedding: 32, lr: 1e-3 },
  notes: ["Batches hold every class equally: 10 classes × ⌈batch / 10⌉ images."],
});
if (args) {
  const backend = (await useBackend(args.backend)).name;
  const data = await fashionMnistOrSample({ sample: args.quick, seed: args.seed });
  const { train, test, description } = data;
  const classes = train.classNames.length;
  const model = labelled(pipe(vgg({ dropout: 0 }), embedding(args.embedding)));
  const loss = softmaxCrossEntropy({ classes });
  const { lr: learningRate, seed } = args;
  const program = compile({ model, loss, inputShape: train.shape, learningRate, seed });
  console.error(`classification: ${description.train} → ${args.out} (backend ${backend})`);
  const sampler = pk(train, { p: classes, k: Math.max(1, Math.ceil(args.batch / classes)) });
  const batches = pipe(sampler, repeat(), seeded(seed));
  const history = await fitToEnd(program, tensorBatches(train)(batches), fitOptions(args, data));

  // A classifier's loss compares no embeddings: say which distance to use them with.
  const classNames = train.classNames, distance = euclidean;
  const embedder = embedderOf(program, { model, distance, seed, history, classNames });
  const evaluation = await evaluate(embedder, test, { seed });
  const threshold = evaluation.verification.eerThreshold, extra = { example: "classification" };
  await saveEmbedder(embedder, `${args.out}/model`, { overwrite: true, threshold, extra });
  const run = standard(evaluation, history, reportOptions(args, backend, data));
  await run.write(args.out);
  console.log(`classification → ${args.out}\n${run.summary}`);
  program.dispose();
}
