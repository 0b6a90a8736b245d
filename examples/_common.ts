/**
 * The examples' command line: the options every example takes, what they mean for the
 * library's calls (`fit` options, the data `--quick` selects), and Ctrl-C. The run itself —
 * train, embed, evaluate, report, save — is library calls in each example.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { BackendName } from "../lib/backend/mod.ts";
import {
  DataFileError,
  DataNotFoundError,
  fashionMnist,
  stratifiedSplit,
} from "../lib/data/mod.ts";
import type { StandardReportOptions } from "../lib/report/mod.ts";
import type { FitToEndOptions } from "../lib/train/mod.ts";
import type { Dataset } from "../lib/types.ts";

/** Options every example takes. */
export interface ExampleArgs {
  /** The example's name. */
  readonly name: string;
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
  /** Aborted by the first Ctrl-C: training stops after its current step (a second quits). */
  readonly signal: AbortSignal;
  /** The example's own integer options (`ExampleSpec.integers`), by name. */
  readonly integers: Readonly<Record<string, number>>;
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
    /** Epochs with --quick (default 2). */
    readonly quickEpochs?: number;
  };
  /** The example's own integer options: `--name N`, with default, least value and help. */
  readonly integers?: Readonly<
    Record<string, { readonly fallback: number; readonly min: number; readonly help: string }>
  >;
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
      ...Object.fromEntries(
        Object.keys(spec.integers ?? {}).map((name) => [name, { type: "string" as const }]),
      ),
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
        `  --epochs N            epochs over the training set (default ${d.epochs}; ${
          d.quickEpochs ?? 2
        } with --quick)`,
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
        ...Object.entries(spec.integers ?? {}).map(([name, { fallback, help }]) =>
          `  --${`${name} N`.padEnd(20)}${help} (default ${fallback})`
        ),
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
  const controller = new AbortController();
  try {
    Deno.addSignalListener("SIGINT", () => {
      if (controller.signal.aborted) Deno.exit(130);
      console.error("\nstopping after this step (Ctrl-C again to quit at once)…");
      controller.abort();
    });
  } catch {
    // Signals are not available here (e.g. some Windows setups): no graceful Ctrl-C.
  }
  const own = values as Record<string, string | boolean | undefined>;
  const integers = Object.fromEntries(
    Object.entries(spec.integers ?? {}).map((
      [name, { fallback, min }],
    ) => [name, int(name, own[name] as string | undefined, fallback, min)]),
  );
  const quickEpochs = spec.defaults.quickEpochs ?? 2;
  return {
    name: spec.name,
    signal: controller.signal,
    integers,
    epochs: int("epochs", values.epochs, quick ? quickEpochs : spec.defaults.epochs, 1),
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

/**
 * `fit`'s options for these arguments and training data: --epochs epochs of
 * ⌈training items / --batch⌉ steps (or --steps in all) at --lr, checkpoints every
 * --checkpoint-every steps in `<out>/checkpoints`, --resume, and Ctrl-C.
 */
export function fitOptions(
  args: ExampleArgs,
  data: { readonly train: Dataset },
): FitToEndOptions & { readonly stepsPerEpoch: number } {
  const trainSize = data.train.size;
  return {
    learningRate: args.lr,
    epochs: args.epochs,
    steps: args.steps,
    stepsPerEpoch: Math.max(1, Math.ceil(trainSize / args.batch)),
    signal: args.signal,
    checkpoint: { dir: `${args.out}/checkpoints`, every: args.checkpointEvery },
    resume: args.resume,
    // every run logs its steps (continued on --resume)
    history: {
      path: `${args.out}/history.jsonl`,
      append: args.resume,
      overwrite: !args.resume,
      config: { seed: args.seed, batch: args.batch, learningRate: args.lr, epochs: args.epochs },
    },
  };
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

/**
 * `report.standard`'s options for these arguments: the run's name, backend, data, --batch,
 * steps per epoch, and a PCA map with --quick (fast) or else a t-SNE map.
 */
export function reportOptions(
  args: ExampleArgs,
  backend: string,
  data: ExampleData,
): StandardReportOptions {
  return {
    name: args.name,
    backend,
    data: data.description,
    batch: args.batch,
    stepsPerEpoch: fitOptions(args, data).stepsPerEpoch,
    trainImages: data.train.size,
    map: args.quick ? "pca" : "tsne",
  };
}
