#!/usr/bin/env -S deno run --allow-read --allow-write=runs
/**
 * The same backbone trained as a classifier, its penultimate layer used as an embedding:
 *
 *     deno run --allow-read --allow-write=runs examples/classification.ts
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
 * The lecture's network `pipe(vgg(), embedding(32))` → a 10-way softmax head trained with
 * cross-entropy on class-balanced batches: the embedding stage is the 32-d linear bottleneck
 * between the backbone's 256 features and the classifier. That layer before the softmax is then
 * evaluated exactly as the Siamese embeddings are (verification, identification, retrieval),
 * so its metrics.json sits beside theirs. A classifier needs every class at training time;
 * metric learning does not (see the gallery example).
 *
 * @module
 */
import { pipe } from "../lib/pipe.ts";
import { vgg } from "../lib/backbones/mod.ts";
import { embedding, labelled } from "../lib/branches/mod.ts";
import { compile } from "../lib/compile/mod.ts";
import { softmaxCrossEntropy } from "../lib/losses/mod.ts";
import { pk } from "../lib/samplers/mod.ts";
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
  name: "classification",
  summary:
    "the backbone trained with softmax cross-entropy; its 32-d penultimate layer as embedding",
  permissions: "--allow-read --allow-write=runs",
  defaults: { epochs: 1, batch: 60, embedding: 32, lr: 1e-3 },
  notes: ["Batches hold every class equally: 10 classes × ⌈batch / 10⌉ images."],
});
if (args) {
  const backend = await startBackend(args);
  const data = await loadExampleData(args);
  const classes = data.train.classNames.length;
  const model = labelled(pipe(vgg({ dropout: 0 }), embedding(args.embedding)));
  const loss = softmaxCrossEntropy({ classes });
  const program = compile({
    model,
    loss,
    inputShape: data.train.shape,
    learningRate: args.lr,
    seed: args.seed,
  });
  console.error(`classification: ${data.description.train} → ${args.out} (backend ${backend})`);
  const sampler = pk(data.train, { p: classes, k: Math.max(1, Math.ceil(args.batch / classes)) });
  const trained = await trainExample(program, sampler, data, args);
  const evaluated = evaluateEmbedding((x) => program.embed(x), data.test, args.seed);
  const m = await writeRun({
    name: "classification",
    args,
    backend,
    program,
    data,
    trained,
    evaluated,
    normalisation: "none",
    // The saved metadata describes the network and the classifier head by their values.
    spec: { model, loss: { name: loss.name, head: loss.head ?? null } },
  });
  console.log(`classification → ${args.out}\n${summary(m)}`);
  program.dispose();
}
