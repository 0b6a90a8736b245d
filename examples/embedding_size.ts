#!/usr/bin/env -S deno run --allow-read --allow-write=runs
/**
 * How big should an embedding be? The triplet model trained at sizes 2, 4, 8, 32 and 128:
 *
 *     deno run --allow-read --allow-write=runs examples/embedding_size.ts
 *
 * Permissions: `--allow-read` and `--allow-write=runs` (widen it with `--out`); the optional
 * ones are in examples/triplet.ts. `--quick` uses only the bundled sample.
 *
 * Each size is trained with the same seed, data and steps, then evaluated into `size-<n>/`
 * (model, metrics.json, report); the run folder gets the table and plot of metrics against
 * size and the model of size `--embedding` as `model/`. `vgg()` ends at its 256 features and
 * `embedding(size)` projects them straight to `size` dimensions: true embeddings of each size.
 *
 * @module
 */
import { pipe } from "../lib/pipe.ts";
import { useBackend } from "../lib/backend/mod.ts";
import { vgg } from "../lib/backbones/mod.ts";
import { embedding, l2Normalize, triplet } from "../lib/branches/mod.ts";
import { compile } from "../lib/compile/mod.ts";
import { tensorBatches } from "../lib/data/mod.ts";
import { embedderOf, evaluate, saveEmbedder } from "../lib/embedder/mod.ts";
import { tripletMargin } from "../lib/losses/mod.ts";
import { sizePlot, standard } from "../lib/report/mod.ts";
import { batch, repeat, seeded, triplets } from "../lib/samplers/mod.ts";
import { fitToEnd } from "../lib/train/mod.ts";
import { fitOptions, loadExampleData, parseExampleArgs, reportOptions } from "./_common.ts";

const SIZES = [2, 4, 8, 32, 128];
const args = parseExampleArgs({
  name: "embedding_size",
  summary: "the triplet model at embedding sizes 2, 4, 8, 32, 128: metrics against size",
  permissions: "--allow-read --allow-write=runs",
  defaults: { epochs: 1, batch: 32, embedding: 32, lr: 1e-3 },
  notes: [`Sizes: ${SIZES.join(", ")} (and --embedding, if another).`],
});
if (args) {
  const backend = (await useBackend(args.backend)).name;
  const data = await loadExampleData(args), { train, test } = data, { seed } = args;
  const sizes = [...new Set([...SIZES, args.embedding])].sort((a, b) => a - b);
  const runs = [];
  for (const size of sizes) {
    const sub = { ...args, out: `${args.out}/size-${size}`, embedding: size };
    const model = triplet(pipe(vgg({ dropout: 0 }), embedding(size), l2Normalize()));
    const margin = 1, loss = tripletMargin({ margin }), learningRate = args.lr;
    const program = compile({ model, loss, inputShape: train.shape, learningRate, seed });
    console.error(`embedding_size: size ${size} → ${sub.out}`);
    const sampler = pipe(triplets(train), batch(args.batch), repeat(), seeded(seed));
    const history = await fitToEnd(program, tensorBatches(train)(sampler), fitOptions(sub, data));
    const classNames = train.classNames;
    const embedder = embedderOf(program, { model, loss: { margin }, seed, history, classNames });
    const evaluation = await evaluate(embedder, test, { seed });
    const threshold = evaluation.verification.eerThreshold, extra = { example: "embedding_size" };
    for (const dir of size === args.embedding ? [sub.out, args.out] : [sub.out]) {
      await saveEmbedder(embedder, `${dir}/model`, { overwrite: true, threshold, extra });
    }
    const name = `embedding_size (size ${size})`;
    const options = { ...reportOptions(sub, backend, data), name, standardFigures: false };
    const run = standard(evaluation, history, options);
    await run.write(sub.out);
    runs.push({ evaluation, history, metrics: run.metrics });
    program.dispose();
  }
  // The run folder: the metrics of size --embedding, and every size side by side.
  const columns = ["size", "AUC", "EER", "TAR@FAR=0.01", "rank-1", "P@1", "MAP@R", "images/s"];
  const rows = runs.map(({ evaluation: e, history }) => {
    const { verification: v, identification: i, retrieval: r } = e, size = e.embedder.embeddingSize;
    const speed = Math.round(history.imagesPerSecond);
    return [size, v.auc, v.eer, v.tarAtFar["0.01"], i.rank1, r.precisionAt1, r.mapAtR, speed];
  });
  const plot = sizePlot(rows.map(([size, auc, , , rank1, p1, mapAtR]) => ({
    size,
    metrics: { AUC: auc, "rank-1": rank1, "P@1": p1, "MAP@R": mapAtR },
  })));
  const main = runs[sizes.indexOf(args.embedding)];
  const summary = standard(main.evaluation, main.history, {
    ...reportOptions(args, backend, data),
    standardFigures: false,
    extra: { sizes, results: runs.map(({ metrics }) => ({ ...metrics, example: undefined })) },
    tables: [{ caption: "Test metrics against embedding size", columns, rows }],
    figures: [{ title: "Metrics against embedding size", spec: plot }],
    links: sizes.map((s) => ({ text: `size ${s}`, href: `size-${s}/report.html` })),
  });
  await summary.write(args.out);
  const cell = (v: number) => (Number.isInteger(v) ? v : v.toFixed(4));
  const lines = [columns.join("\t"), ...rows.map((row) => row.map(cell).join("\t"))];
  console.log(`embedding_size → ${args.out}\n${lines.join("\n")}`);
}
