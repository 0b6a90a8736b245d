/**
 * Shared plumbing of the examples: command-line options, data, training with progress and
 * checkpoints, evaluation on held-out data, and the run folder (saved model, metrics.json,
 * report.html). Each example supplies only its model, loss and batches.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { type BackendName, useBackend } from "../lib/backend/mod.ts";
import {
  DataFileError,
  DataNotFoundError,
  fashionMnist,
  stratifiedSplit,
  tensorBatches,
} from "../lib/data/mod.ts";
import { euclidean } from "../lib/distances/mod.ts";
import * as metrics from "../lib/metrics/mod.ts";
import * as report from "../lib/report/mod.ts";
import { repeat, seeded } from "../lib/samplers/mod.ts";
import { fit, type History, saveModel } from "../lib/train/mod.ts";
import type {
  Dataset,
  IndexTuple,
  LossInput,
  Program,
  Sampler,
  Tensor,
  Tensor2D,
} from "../lib/types.ts";

/** Options every example takes. */
export interface ExampleArgs {
  readonly epochs: number;
  readonly steps?: number;
  readonly batch: number;
  readonly embedding: number;
  readonly seed: number;
  readonly out: string;
  readonly backend?: BackendName | "auto";
  readonly quick: boolean;
  readonly lr: number;
  readonly checkpointEvery: number;
  readonly resume: boolean;
}

/** An example's description and default options. */
export interface ExampleSpec {
  readonly name: string;
  readonly summary: string;
  readonly permissions: string;
  readonly defaults: {
    readonly epochs: number;
    readonly batch: number;
    readonly embedding: number;
    readonly lr: number;
  };
  /** Extra lines for --help. */
  readonly notes?: readonly string[];
}

const timestamp = () => new Date().toISOString().replace(/[-:]/g, "").replace(/\..*$/, "");

/** Parses the common options; prints help and returns undefined on --help. */
export function parseExampleArgs(
  spec: ExampleSpec,
  argv: readonly string[] = Deno.args,
): ExampleArgs | undefined {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      help: { type: "boolean", short: "h" },
      epochs: { type: "string" },
      steps: { type: "string" },
      batch: { type: "string" },
      embedding: { type: "string" },
      seed: { type: "string" },
      out: { type: "string" },
      backend: { type: "string" },
      quick: { type: "boolean" },
      lr: { type: "string" },
      "checkpoint-every": { type: "string" },
      resume: { type: "boolean" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    const d = spec.defaults;
    console.log(
      [
        `${spec.name}: ${spec.summary}`,
        "",
        `Usage: deno run ${spec.permissions} examples/${spec.name}.ts [options]`,
        "",
        "Options:",
        `  --epochs N            epochs over the training set (default ${d.epochs}; 2 with --quick)`,
        "  --steps N             stop after N optimiser steps in total",
        `  --batch N             items (pairs, triplets or images) per step (default ${d.batch})`,
        `  --embedding N         embedding size (default ${d.embedding})`,
        "  --seed N              seed of sampling, initial weights and dropout (default 1)",
        `  --out DIR             run folder (default runs/${spec.name}-<timestamp>/)`,
        "  --backend NAME        auto (default: native when available, else wasm), native, wasm, cpu,",
        "                        webgpu or tensorflow",
        "  --quick               train and evaluate on the bundled 1,000-image sample (600/400)",
        `  --lr X                learning rate (default ${d.lr})`,
        "  --checkpoint-every N  steps between checkpoints in <out>/checkpoints (default 500)",
        "  --resume              continue from the last checkpoint in <out>/checkpoints",
        "  -h, --help            this text",
        ...(spec.notes ? ["", ...spec.notes] : []),
        "",
        "Writes <out>/model/ (model.json, weights.bin, metadata.json), <out>/metrics.json and",
        "<out>/report.html with its figures.",
      ].join("\n"),
    );
    return undefined;
  }
  const int = (name: string, raw: string | undefined, fallback: number, min: number): number => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) {
      throw new Error(
        `Cannot run ${spec.name} as --${name} must be an integer ≥ ${min}: current value is ${raw}`,
      );
    }
    return n;
  };
  const quick = values.quick ?? false;
  const backend = values.backend as BackendName | "auto" | undefined;
  const backends = ["auto", "native", "wasm", "cpu", "webgpu", "tensorflow"];
  if (backend !== undefined && !backends.includes(backend)) {
    throw new Error(
      `Cannot run ${spec.name} as --backend must be one of ${
        backends.join(", ")
      }: current value is ${backend}`,
    );
  }
  const lr = values.lr === undefined ? spec.defaults.lr : Number(values.lr);
  if (!(Number.isFinite(lr) && lr > 0)) {
    throw new Error(
      `Cannot run ${spec.name} as --lr must be a positive number: current value is ${values.lr}`,
    );
  }
  return {
    epochs: int("epochs", values.epochs, quick ? 2 : spec.defaults.epochs, 1),
    steps: values.steps === undefined ? undefined : int("steps", values.steps, 0, 1),
    batch: int("batch", values.batch, spec.defaults.batch, 2),
    embedding: int("embedding", values.embedding, spec.defaults.embedding, 1),
    seed: int("seed", values.seed, 1, 0),
    out: values.out ?? `runs/${spec.name}-${timestamp()}`,
    backend,
    quick,
    lr,
    checkpointEvery: int("checkpoint-every", values["checkpoint-every"], 500, 1),
    resume: values.resume ?? false,
  };
}

/** Starts the backend; returns its name. */
export async function startBackend(args: ExampleArgs): Promise<string> {
  const info = await useBackend(args.backend);
  return info.name;
}

/** Training and evaluation data, with a description for metrics.json. */
export interface ExampleData {
  readonly train: Dataset;
  readonly test: Dataset;
  readonly description: { readonly train: string; readonly test: string };
}

/**
 * Fashion-MNIST train/test; with --quick the bundled 1,000-image sample split 600/400 by
 * class (stratified, seeded), so a quick run needs no download. When Fashion-MNIST is not
 * found anywhere (a `DataNotFoundError`), falls back to the sample, saying so on stderr; a
 * copy that is found but unreadable or corrupt (a `DataFileError`) ends the program with exit
 * code 1 and a message naming the file.
 */
export async function loadExampleData(args: ExampleArgs): Promise<ExampleData> {
  if (args.quick) {
    const sample = await fashionMnist({ split: "sample" });
    const { train, validation } = stratifiedSplit(sample, {
      validationFraction: 0.4,
      seed: args.seed,
    });
    return {
      train,
      test: validation,
      description: {
        train: `bundled sample, ${train.size} of 1000 (stratified, seed ${args.seed})`,
        test: `bundled sample, the other ${validation.size}`,
      },
    };
  }
  let train: Dataset, test: Dataset;
  try {
    train = await fashionMnist({ split: "train" });
    test = await fashionMnist({ split: "test" });
  } catch (error) {
    // Only when no copy of Fashion-MNIST was found (and none could be downloaded): say so,
    // then run on the bundled sample (metrics.json records which data was used). A copy that
    // was found but is unreadable or corrupt is an error: training on other data than the
    // user pointed at would hide it.
    if (error instanceof DataFileError) {
      // The user's data is broken: say which file and why, without a stack trace, and fail.
      console.error(`${error.message}\n(not falling back to the bundled sample: fix or remove it)`);
      Deno.exit(1);
    }
    if (!(error instanceof DataNotFoundError)) throw error;
    console.error(`${error.message}\nFalling back to the bundled sample (as --quick).`);
    return loadExampleData({ ...args, quick: true });
  }
  return {
    train,
    test,
    description: {
      train: `Fashion-MNIST train (${train.size})`,
      test: `Fashion-MNIST test (${test.size})`,
    },
  };
}

/** Embeds every item of `dataset` in chunks; returns the rows as one Float32Array. */
export function embedAll(
  embed: (x: Tensor) => Tensor2D,
  dataset: Dataset,
  chunk = 500,
): { embeddings: Float32Array; dim: number } {
  const per = dataset.shape.reduce((a, b) => a * b, 1);
  let out: Float32Array | undefined;
  let dim = 0;
  for (let start = 0; start < dataset.size; start += chunk) {
    const n = Math.min(chunk, dataset.size - start);
    const x = tf.tensor(
      dataset.images.subarray(start * per, (start + n) * per),
      [n, ...dataset.shape],
    );
    const y = embed(x);
    try {
      dim = y.shape[1];
      out ??= new Float32Array(dataset.size * dim);
      out.set(y.dataSync() as Float32Array, start * dim);
    } finally {
      tf.dispose([x, y]);
    }
  }
  return { embeddings: out ?? new Float32Array(0), dim };
}

/** What training returns. */
export interface Trained {
  readonly history: History;
  readonly seconds: number;
  readonly stepsPerEpoch: number;
}

/**
 * Trains `program` on `sampler`'s index batches (batched by the example), seeded by --seed,
 * for --epochs epochs of ⌈train / batch⌉ steps (or --steps) at learning rate --lr, with
 * checkpoints in
 * `<out>/checkpoints` and --resume. Ctrl-C stops after the current step (a checkpoint is
 * written) and the run is still evaluated and saved.
 */
export async function trainExample<I extends LossInput>(
  program: Program<I>,
  batches: Sampler<readonly IndexTuple[]>,
  data: ExampleData,
  args: ExampleArgs,
): Promise<Trained> {
  const stepsPerEpoch = Math.max(1, Math.ceil(data.train.size / args.batch));
  // Samplers yield one epoch per iteration: repeat them, so that the one seeded stream runs
  // through every epoch (and a resumed run can skip to its position in it).
  const stream = tensorBatches(data.train)(seeded(args.seed)(repeat()(batches)));
  const controller = new AbortController();
  const onInterrupt = () => {
    console.error("\nstopping after this step (Ctrl-C again to quit at once)…");
    if (controller.signal.aborted) Deno.exit(130);
    controller.abort();
  };
  let listening = false;
  try {
    Deno.addSignalListener("SIGINT", onInterrupt);
    listening = true;
  } catch {
    // Signals are not available here (e.g. some Windows setups): no graceful Ctrl-C.
  }
  const t0 = performance.now();
  try {
    const run = fit(program, stream as Iterable<never>, {
      learningRate: args.lr,
      epochs: args.epochs,
      steps: args.steps,
      stepsPerEpoch,
      signal: controller.signal,
      checkpoint: { dir: `${args.out}/checkpoints`, every: args.checkpointEvery },
      resume: args.resume,
    });
    let r = await run.next();
    while (!r.done) r = await run.next();
    return { history: r.value, seconds: (performance.now() - t0) / 1000, stepsPerEpoch };
  } finally {
    if (listening) Deno.removeSignalListener("SIGINT", onInterrupt);
  }
}

/** The metrics.json fields of one evaluated embedding. */
export interface EvaluatedEmbedding {
  readonly evaluation: metrics.Evaluation;
  readonly embeddings: Float32Array;
  readonly dim: number;
}

/** Embeds the test set and computes verification, identification and retrieval metrics. */
export function evaluateEmbedding(
  embed: (x: Tensor) => Tensor2D,
  test: Dataset,
  seed: number,
): EvaluatedEmbedding {
  const { embeddings, dim } = embedAll(embed, test);
  const evaluation = metrics.evaluate(
    { embeddings, labels: test.labels, dim },
    { distance: euclidean, seed, maxPairs: 200_000 },
  );
  return { evaluation, embeddings, dim };
}

/** The metrics.json block of an evaluation (the fields the issue lists, plus a few). */
export function metricsBlock(e: metrics.Evaluation) {
  return {
    verification: {
      auc: e.verification.auc,
      eer: e.verification.eer,
      tarAtFar: {
        "0.01": e.verification.tarAtFar["0.01"],
        "0.001": e.verification.tarAtFar["0.001"],
      },
      // The equal-error-rate threshold: a balanced operating point (the best-accuracy one
      // follows the share of same-class pairs, 10% here, and rejects nearly everything).
      threshold: e.verification.eerThreshold,
      bestAccuracyThreshold: e.verification.threshold,
      accuracy: e.verification.accuracy,
    },
    identification: { rank1: e.identification.rank1, rank5: e.identification.rank5 },
    retrieval: {
      precisionAt1: e.retrieval.precisionAt1,
      rPrecision: e.retrieval.rPrecision,
      mapAtR: e.retrieval.mapAtR,
    },
  };
}

/** Writes a text file atomically (temp file, then rename). */
export async function writeTextAtomic(path: string, text: string): Promise<void> {
  const temp = `${path}.tmp-${Deno.pid}-${Date.now()}`;
  await Deno.writeTextFile(temp, text);
  await Deno.rename(temp, path);
}

/** The standard figures of a run: loss curve, distance histogram, ROC, CMC, 2-D map, ranking gallery. */
export function standardFigures(
  name: string,
  history: History,
  evaluated: EvaluatedEmbedding,
  test: Dataset,
  args: ExampleArgs,
): report.ReportFigure[] {
  const figures: report.ReportFigure[] = [];
  const attempt = (title: string, make: () => Omit<report.ReportFigure, "title">) => {
    try {
      figures.push({ title, ...make() });
    } catch (error) {
      console.error(`report: skipped "${title}": ${(error as Error).message}`);
    }
  };
  const { embeddings, dim } = evaluated;
  const set = { embeddings, labels: test.labels, dim };
  attempt("Training loss", () => ({
    spec: report.lossPlot(history.loss.map((loss, i) => ({ step: i + 1, loss })), {
      title: `${name}: loss per step`,
    }),
  }));
  const pairs = metrics.pairDistances(set, {
    distance: euclidean,
    seed: args.seed,
    maxPairs: 50_000,
  });
  attempt("Matched and mismatched distances", () => {
    const h = metrics.distanceHistogram(pairs.distances, pairs.same, { bins: 40 });
    return {
      spec: report.histogramPlot({
        edges: h.edges,
        matched: h.same.counts,
        mismatched: h.different.counts,
      }, {
        normalize: true,
      }),
      caption: "Distances of same-class (matched) and different-class (mismatched) test pairs.",
    };
  });
  attempt("ROC", () => {
    const roc = metrics.rocCurve(pairs.distances, pairs.same);
    return {
      spec: report.rocPlot(roc.far.map((far, i) => ({ far, tar: roc.tar[i] }))),
      caption: `AUC ${evaluated.evaluation.verification.auc.toFixed(4)}`,
    };
  });
  attempt("CMC", () => {
    const { gallery, probes } = metrics.galleryProbeSplit(set, { seed: args.seed });
    const cmc = metrics.cmcCurve(gallery, probes, { distance: euclidean, maxRank: 10 });
    return { spec: report.cmcPlot(cmc.accuracy) };
  });
  attempt(
    args.quick ? "PCA map of the test embeddings" : "t-SNE map of the test embeddings",
    () => {
      const map = args.quick || dim <= 2
        ? report.pca(embeddings, dim, { seed: args.seed })
        : report.tsne(embeddings, dim, { seed: args.seed, maxPoints: 1000 });
      return {
        spec: report.mapPlot(map, { labels: test.labels, classNames: test.classNames }),
      };
    },
  );
  attempt("Nearest neighbours of a few test images", () => {
    const queries: report.RankedQuery[] = [];
    for (let c = 0; c < test.classNames.length && queries.length < 6; c++) {
      const query = test.labels.indexOf(c);
      if (query < 0) continue;
      const ranked: { index: number; distance: number }[] = [];
      for (let j = 0; j < test.size; j++) {
        if (j === query) continue;
        let s = 0;
        for (let k = 0; k < dim; k++) {
          const d = embeddings[query * dim + k] - embeddings[j * dim + k];
          s += d * d;
        }
        ranked.push({ index: j, distance: Math.sqrt(s) });
      }
      ranked.sort((a, b) => a.distance - b.distance);
      queries.push({
        query,
        neighbours: ranked.slice(0, 8).map((n) => ({ ...n, correct: test.labels[n.index] === c })),
      });
    }
    return { svg: report.rankingGallery(test, queries) };
  });
  return figures;
}

/** Everything written into the run folder. */
export interface RunRecord<I extends LossInput> {
  readonly name: string;
  readonly args: ExampleArgs;
  readonly backend: string;
  readonly program: Program<I>;
  readonly data: ExampleData;
  readonly trained: Trained;
  readonly evaluated: EvaluatedEmbedding;
  readonly normalisation: string;
  readonly spec: unknown;
  readonly extra?: Record<string, unknown>;
  readonly figures?: readonly report.ReportFigure[];
  readonly tables?: readonly report.ReportTable[];
  /** Draw the standard figures (loss, histogram, ROC, CMC, map, neighbours). Default true. */
  readonly standardFigures?: boolean;
}

/** Saves the model, writes metrics.json and report.html into --out; returns metrics.json's value. */
export async function writeRun<I extends LossInput>(
  run: RunRecord<I>,
): Promise<Record<string, unknown>> {
  const { name, args, program, data, trained, evaluated } = run;
  await Deno.mkdir(args.out, { recursive: true });
  const block = metricsBlock(evaluated.evaluation);
  await saveModel(program, `${args.out}/model`, {
    // The run folder is ours: a rerun or --resume replaces the model saved there.
    overwrite: true,
    seed: args.seed,
    spec: run.spec,
    normalisation: run.normalisation,
    distance: "euclidean",
    threshold: block.verification.threshold,
    classNames: data.train.classNames,
    extra: { example: name, loss: program.loss.name },
  });
  const m = {
    example: name,
    backend: run.backend,
    embeddingSize: program.embeddingSize,
    epochs: Math.round((trained.history.steps / trained.stepsPerEpoch) * 1000) / 1000,
    steps: trained.history.steps,
    batch: args.batch,
    seed: args.seed,
    loss: program.loss.name,
    trainImages: data.train.size,
    imagesSeen: trained.history.images,
    imagesPerSecond: trained.history.imagesPerSecond,
    trainSeconds: trained.seconds,
    stopReason: trained.history.stopReason,
    finalLoss: trained.history.epochLoss.at(-1) ?? trained.history.loss.at(-1) ?? null,
    data: data.description,
    ...block,
    ...(run.extra ?? {}),
  };
  await writeTextAtomic(`${args.out}/metrics.json`, JSON.stringify(m, null, 2) + "\n");
  const figures = [
    ...(run.standardFigures === false
      ? []
      : standardFigures(name, trained.history, evaluated, data.test, args)),
    ...(run.figures ?? []),
  ];
  try {
    await report.writeReport(args.out, {
      title: `likeness — ${name}`,
      info: {
        example: name,
        backend: run.backend,
        loss: program.loss.name,
        "embedding size": program.embeddingSize,
        "train data": data.description.train,
        "test data": data.description.test,
        steps: trained.history.steps,
        "train seconds": Math.round(trained.seconds),
      },
      metrics: {
        "verification AUC": block.verification.auc,
        EER: block.verification.eer,
        "TAR@FAR=0.01": block.verification.tarAtFar["0.01"],
        "TAR@FAR=0.001": block.verification.tarAtFar["0.001"],
        threshold: block.verification.threshold,
        "rank-1": block.identification.rank1,
        "rank-5": block.identification.rank5,
        "precision@1": block.retrieval.precisionAt1,
        "R-precision": block.retrieval.rPrecision,
        "MAP@R": block.retrieval.mapAtR,
        "images/s": trained.history.imagesPerSecond,
      },
      tables: run.tables,
      figures,
      links: [
        { text: "metrics.json", href: "metrics.json" },
        { text: "model (tfjs)", href: "model/model.json" },
        { text: "model metadata", href: "model/metadata.json" },
      ],
    });
  } catch (error) {
    console.error(`report: not written: ${(error as Error).message}`);
  }
  return m;
}

/** One line per metric for the terminal. */
export function summary(m: Record<string, unknown>): string {
  const b = m as ReturnType<typeof metricsBlock> & Record<string, number>;
  return [
    `  images/s ${Math.round(b.imagesPerSecond)}  train ${
      Math.round(b.trainSeconds)
    } s  steps ${b.steps}`,
    `  verification  AUC ${b.verification.auc.toFixed(4)}  EER ${
      b.verification.eer.toFixed(4)
    }  TAR@FAR=0.01 ${b.verification.tarAtFar["0.01"].toFixed(4)}  threshold ${
      b.verification.threshold.toFixed(4)
    }`,
    `  identification rank-1 ${b.identification.rank1.toFixed(4)}  rank-5 ${
      b.identification.rank5.toFixed(4)
    }`,
    `  retrieval  P@1 ${b.retrieval.precisionAt1.toFixed(4)}  R-precision ${
      b.retrieval.rPrecision.toFixed(4)
    }  MAP@R ${b.retrieval.mapAtR.toFixed(4)}`,
  ].join("\n");
}

/** Picks some test pairs (half same-class) for a pair gallery, seeded. */
export function somePairs(
  test: Dataset,
  count: number,
  seed: number,
): { left: number[]; right: number[]; same: boolean[] } {
  let s = (seed * 2654435761) >>> 0 || 1;
  const next = (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.floor((s / 2 ** 32) * n);
  };
  const left: number[] = [];
  const right: number[] = [];
  const same: boolean[] = [];
  while (left.length < count) {
    const a = next(test.size);
    const wantSame = left.length % 2 === 0;
    let b = next(test.size);
    for (
      let tries = 0;
      tries < 1000 && (b === a || (test.labels[a] === test.labels[b]) !== wantSame);
      tries++
    ) {
      b = next(test.size);
    }
    left.push(a);
    right.push(b);
    same.push(test.labels[a] === test.labels[b]);
  }
  return { left, right, same };
}
