#!/usr/bin/env -S deno run --allow-read --allow-write=runs
/**
 * How big should an embedding be? The triplet model trained at sizes 2, 4, 8, 32 and 128:
 *
 *     deno run --allow-read --allow-write=runs examples/embedding_size.ts
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
 * Each size is trained with the same seed, data and steps (the options apply to each), then
 * evaluated; the run folder gets one table and one plot of the metrics against size, one
 * sub-folder per size (`size-<n>/` with its model, metrics.json and report), and the model of
 * size `--embedding` (default 32) as `model/`. Five trainings: expect five times the time of
 * `triplet.ts` (use `--epochs` or `--steps` to shorten).
 *
 * @module
 */
import { pipe } from "../lib/pipe.ts";
import { vgg } from "../lib/backbones/mod.ts";
import { embedding, l2Normalize, triplet } from "../lib/branches/mod.ts";
import { compile } from "../lib/compile/mod.ts";
import { tripletMargin } from "../lib/losses/mod.ts";
import { sizePlot, writeReport } from "../lib/report/mod.ts";
import { batch, triplets } from "../lib/samplers/mod.ts";
import { saveModel } from "../lib/train/mod.ts";
import {
  evaluateEmbedding,
  loadExampleData,
  metricsBlock,
  parseExampleArgs,
  startBackend,
  trainExample,
  writeRun,
  writeTextAtomic,
} from "./_common.ts";

const SIZES = [2, 4, 8, 32, 128];

const args = parseExampleArgs({
  name: "embedding_size",
  summary: "the triplet model at embedding sizes 2, 4, 8, 32, 128: metrics against size",
  permissions: "--allow-read --allow-write=runs",
  defaults: { epochs: 1, batch: 32, embedding: 32, lr: 1e-3 },
  notes: [`Sizes: ${SIZES.join(", ")} (and --embedding, if another).`],
});
if (args) {
  const backend = await startBackend(args);
  const data = await loadExampleData(args);
  const sizes = [...new Set([...SIZES, args.embedding])].sort((a, b) => a - b);
  const results: Record<string, unknown>[] = [];
  let main: Record<string, unknown> | undefined;
  for (const size of sizes) {
    const sub = { ...args, out: `${args.out}/size-${size}`, embedding: size };
    // vgg ends at its 256 features; embedding(size) projects them straight to `size`
    // dimensions, so each row of the study is a true embedding of that size.
    const model = triplet(pipe(vgg({ dropout: 0 }), embedding(size), l2Normalize()));
    const margin = 1;
    const loss = tripletMargin({ margin });
    const program = compile({
      model,
      loss,
      inputShape: data.train.shape,
      learningRate: args.lr,
      seed: args.seed,
    });
    console.error(`embedding_size: size ${size} → ${sub.out}`);
    const trained = await trainExample(
      program,
      pipe(triplets(data.train), batch(args.batch)),
      data,
      sub,
    );
    const evaluated = evaluateEmbedding((x) => program.embed(x), data.test, args.seed);
    // The saved metadata describes the network by the model value itself: its stages.
    const spec = { model, loss: { name: loss.name, margin } };
    const m = await writeRun({
      name: `embedding_size (size ${size})`,
      args: sub,
      backend,
      program,
      data,
      trained,
      evaluated,
      normalisation: "l2",
      spec,
      standardFigures: false,
    });
    results.push(m);
    if (size === args.embedding) {
      main = m;
      await saveModel(program, `${args.out}/model`, {
        // The run folder is ours: a rerun or --resume replaces the model saved there.
        overwrite: true,
        seed: args.seed,
        spec,
        normalisation: "l2",
        distance: "euclidean",
        threshold: metricsBlock(evaluated.evaluation).verification.threshold,
        classNames: data.train.classNames,
        extra: { example: "embedding_size" },
      });
    }
    program.dispose();
  }
  type Row = ReturnType<typeof metricsBlock> & Record<string, number>;
  const rows = results as unknown as Row[];
  const table = {
    caption: "Test metrics against embedding size",
    columns: ["size", "AUC", "EER", "TAR@FAR=0.01", "rank-1", "P@1", "MAP@R", "images/s"],
    rows: rows.map((r) => [
      r.embeddingSize,
      r.verification.auc,
      r.verification.eer,
      r.verification.tarAtFar["0.01"],
      r.identification.rank1,
      r.retrieval.precisionAt1,
      r.retrieval.mapAtR,
      Math.round(r.imagesPerSecond),
    ]),
  };
  const summaryJson = {
    ...main,
    example: "embedding_size",
    sizes,
    results: results.map((r) => ({ ...r, example: undefined })),
  };
  await writeTextAtomic(`${args.out}/metrics.json`, JSON.stringify(summaryJson, null, 2) + "\n");
  try {
    await writeReport(args.out, {
      title: "likeness — embedding size",
      info: { backend, "train data": data.description.train, "test data": data.description.test },
      tables: [table],
      figures: [{
        title: "Metrics against embedding size",
        spec: sizePlot(rows.map((r) => ({
          size: r.embeddingSize,
          metrics: {
            AUC: r.verification.auc,
            "rank-1": r.identification.rank1,
            "P@1": r.retrieval.precisionAt1,
            "MAP@R": r.retrieval.mapAtR,
          },
        }))),
      }],
      links: [
        { text: "metrics.json", href: "metrics.json" },
        ...sizes.map((s) => ({ text: `size ${s}`, href: `size-${s}/report.html` })),
      ],
    });
  } catch (error) {
    console.error(`report: not written: ${(error as Error).message}`);
  }
  console.log(`embedding_size → ${args.out}`);
  console.log(table.columns.join("\t"));
  for (const row of table.rows) {
    console.log(
      row.map((v) => (typeof v === "number" && !Number.isInteger(v) ? v.toFixed(4) : v)).join("\t"),
    );
  }
}
