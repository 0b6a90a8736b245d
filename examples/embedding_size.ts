#!/usr/bin/env -S deno run --allow-read --allow-write=runs
/**
 * How big should an embedding be? The triplet model trained at sizes 2, 4, 8, 32 and 128
 * (permissions, optional ones and `--quick` as in examples/triplet.ts):
 *
 *     deno run --allow-read --allow-write=runs examples/embedding_size.ts
 *
 * Each size is trained with the same seed, data and steps and evaluated into `size-<n>/`; the
 * run folder gets the table and plot of metrics against size, and the `--embedding` model.
 * `vgg()` ends at 256 features; `embedding(size)` projects them to `size` dimensions.
 *
 * @module
 */
import { pipe } from "../lib/pipe.ts";
import { useBackend } from "../lib/backend/mod.ts";
import { vgg } from "../lib/backbones/mod.ts";
import { embedding, l2Normalize, triplet } from "../lib/branches/mod.ts";
import { compile } from "../lib/compile/mod.ts";
import { fashionMnistOrSample, tensorBatches } from "../lib/data/mod.ts";
import { embedderOf, evaluate, saveEmbedder } from "../lib/embedder/mod.ts";
import { tripletMargin } from "../lib/losses/mod.ts";
import { sizePlot, standard } from "../lib/report/mod.ts";
import { batch, repeat, seeded, triplets } from "../lib/samplers/mod.ts";
import { fitToEnd } from "../lib/train/mod.ts";
import { fitOptions, parseExampleArgs, reportOptions } from "./_common.ts";

const SIZES = [2, 4, 8, 32, 128];
const args = parseExampleArgs({
  name: "embedding_size",
  summary: "the triplet model at embedding sizes 2, 4, 8, 32, 128: metrics against size",
  permissions: "--allow-read --allow-write=runs",
  defaults: { epochs: 1, batch: 32, embedding: 32, lr: 1e-3 },
  notes: [`Sizes: ${SIZES.join(", ")} (and --embedding, if another).`],
});
if (args) {
  const backend = (await useBackend(args.backend)).name, { seed } = args;
  const data = await fashionMnistOrSample({ sample: args.quick, seed });
  const { train, test } = data, { classNames } = train;
  const sizes = [...new Set([...SIZES, args.embedding])].sort((a, b) => a - b);
  const runs = [], rows = [], points = [];
  for (const size of sizes) {
    const sub = { ...args, name: `embedding_size (size ${size})`, out: `${args.out}/size-${size}` };
    const model = triplet(pipe(vgg({ dropout: 0 }), embedding(size), l2Normalize()));
    const margin = 1, loss = tripletMargin({ margin }), learningRate = args.lr;
    const program = compile({ model, loss, inputShape: train.shape, learningRate, seed });
    console.error(`embedding_size: size ${size} → ${sub.out}`);
    const sampler = pipe(triplets(train), batch(args.batch), repeat(), seeded(seed));
    const history = await fitToEnd(program, tensorBatches(train)(sampler), fitOptions(sub, data));
    const embedder = embedderOf(program, { model, loss: { margin }, seed, history, classNames });
    const evaluation = await evaluate(embedder, test, { seed });
    const threshold = evaluation.verification.eerThreshold, extra = { example: "embedding_size" };
    for (const dir of size === args.embedding ? [sub.out, args.out] : [sub.out]) {
      await saveEmbedder(embedder, `${dir}/model`, { overwrite: true, threshold, extra });
    }
    const options = { ...reportOptions(sub, backend, data), standardFigures: false };
    const run = standard(evaluation, history, options);
    await run.write(sub.out);
    program.dispose();
    runs.push({ evaluation, history, metrics: { ...run.metrics, example: undefined } });
    const { verification: v, identification: i, retrieval: r } = evaluation;
    const plotted = { AUC: v.auc, "rank-1": i.rank1, "P@1": r.precisionAt1, "MAP@R": r.mapAtR };
    points.push({ size, metrics: plotted });
    const speed = Math.round(history.imagesPerSecond);
    rows.push([size, ...Object.values(plotted), v.eer, v.tarAtFar["0.01"], speed]);
  }
  // The run folder: the metrics of size --embedding, and every size side by side.
  const columns = ["size", "AUC", "rank-1", "P@1", "MAP@R", "EER", "TAR@FAR=0.01", "images/s"];
  const main = runs[sizes.indexOf(args.embedding)];
  const summary = standard(main.evaluation, main.history, {
    ...reportOptions(args, backend, data),
    standardFigures: false,
    extra: { sizes, results: runs.map(({ metrics }) => metrics) },
    tables: [{ caption: "Test metrics against embedding size", columns, rows }],
    figures: [{ title: "Metrics against embedding size", spec: sizePlot(points) }],
    links: sizes.map((s) => ({ text: `size ${s}`, href: `size-${s}/report.html` })),
  });
  await summary.write(args.out);
  console.log(`embedding_size → ${args.out}\n${columns.join("\t")}`);
  for (const row of rows) console.log(row.map((v) => +v.toFixed(4)).join("\t"));
}
