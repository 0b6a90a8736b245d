/**
 * The examples' command line, and nothing else: the options every example takes, the option
 * records they stand for (`fit`'s, `report.standard`'s), Ctrl-C, and a data error shown as
 * its message (exit code 1) rather than a stack trace. Everything an example does — load
 * data (`data.fashionMnistOrSample`), train, embed, evaluate, report, save — is a library
 * call in the example itself.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { BackendName } from "../lib/backend/mod.ts";
import { DataFileError, DataNotFoundError, type TrainTestData } from "../lib/data/mod.ts";
import type { StandardReportOptions } from "../lib/report/mod.ts";
import type { FitToEndOptions } from "../lib/train/mod.ts";

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
  // Data the user must fix (a corrupt or unreadable file, no data where it was pointed at):
  // its message, which names the file, and exit code 1, not a stack trace.
  globalThis.addEventListener("unhandledrejection", (event) => {
    const error = event.reason;
    if (!(error instanceof DataFileError || error instanceof DataNotFoundError)) return;
    event.preventDefault();
    console.error(error.message);
    Deno.exit(1);
  });
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
 * --checkpoint-every steps in `<out>/checkpoints`, --resume, Ctrl-C, and every step logged
 * to `<out>/history.jsonl` (continued on --resume) with the run's settings and `config`.
 */
export function fitOptions(
  args: ExampleArgs,
  data: { readonly train: { readonly size: number } },
  config: Readonly<Record<string, unknown>> = {},
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
      config: {
        seed: args.seed,
        batch: args.batch,
        learningRate: args.lr,
        epochs: args.epochs,
        ...config,
      },
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
  data: Pick<TrainTestData, "train" | "description">,
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
