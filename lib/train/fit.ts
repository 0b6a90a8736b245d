import * as tf from "@tensorflow/tfjs";
import { readInLayerOrder, writeInLayerOrder } from "./_layer_weights.ts";
import type { Tensor } from "../types.ts";
import { cleanCheckpointDir, listCheckpointDirs, readCheckpoint } from "./_checkpoint.ts";
import { disposeBatch, imagesIn } from "./_batch.ts";
import { createProgress, stderrIsTerminal } from "./_progress.ts";
import { latestCheckpoint } from "./latest_checkpoint.ts";
import { loadCheckpoint } from "./load_checkpoint.ts";
import { saveCheckpoint } from "./save_checkpoint.ts";
import {
  captureState,
  disposeState,
  finiteProbe,
  finiteProbes,
  firstNonFinite,
  lossStateOf,
  type NamedTensor,
  restoreState,
  stateTensors,
  type TrainingState,
} from "./_state.ts";
import type { TrainableProgram } from "./trainable_program.ts";

/**
 * The batches `fit` trains on: tensor batches (e.g. `Triplet<Tensor>` from `toTensors`), as
 * an iterable, an async iterable, or a function of the 0-based epoch that returns one.
 *
 * - With `stepsPerEpoch`, an iterable is read once across all epochs (an endless seeded
 *   sampler), and a function is called at the start of every epoch.
 * - Without it, each epoch reads the batches to their end: an iterable is iterated afresh
 *   each epoch (use an array or another re-iterable, not a one-shot generator), a function is
 *   called once per epoch.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fitToEnd } from "./fit_to_end.ts";
 * import type { Batches } from "./fit.ts";
 * await tf.setBackend("cpu");
 * // A program whose loss is its batch's mean (it trains nothing).
 * const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });
 * const program = { embedder, optimizer: tf.train.sgd(0.1), setLearningRate: () => {}, trainStep: (x: tf.Tensor) => tf.mean(x) as tf.Scalar };
 * // A function of the epoch gives that epoch's batches: [epoch, epoch + 10].
 * const perEpoch: Batches<tf.Tensor> = (epoch) => [tf.fill([2, 1], epoch), tf.fill([2, 1], epoch + 10)];
 * const history = await fitToEnd(program, perEpoch, { epochs: 2, progress: "none" });
 * if (history.loss.join() !== "0,10,1,11") throw new Error(`${history.loss}`);
 * ```
 */
export type Batches<B> =
  | Iterable<B>
  | AsyncIterable<B>
  | ((epoch: number) => Iterable<B> | AsyncIterable<B>);

/**
 * A learning rate: a constant, or a schedule of the 0-based index of the step about to run
 * and its 0-based epoch.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import type { LearningRate } from "./fit.ts";
 * import { fitToEnd } from "./fit_to_end.ts";
 * await tf.setBackend("cpu");
 * const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });
 * const optimizer = tf.train.sgd(1);
 * const program = { embedder, optimizer, setLearningRate: (lr: number) => optimizer.setLearningRate(lr), trainStep: (x: tf.Tensor) => tf.mean(x) as tf.Scalar };
 * // Halve the rate every 2 steps, from 0.4.
 * const halving: LearningRate = (step) => 0.4 * 0.5 ** Math.floor(step / 2);
 * const history = await fitToEnd(program, () => [1, 2, 3, 4, 5].map(() => tf.ones([1, 1])), { learningRate: halving, progress: "none" });
 * if (history.learningRate.join() !== "0.4,0.4,0.2,0.2,0.1") throw new Error(`${history.learningRate}`);
 * if (optimizer.getConfig().learningRate !== 0.1) throw new Error("the optimiser's rate is the last one set");
 * ```
 */
export type LearningRate = number | ((step: number, epoch: number) => number);

/**
 * Validation run every `every` steps; `run` returns named numbers (e.g. precision@1), which
 * the step report and the history carry and early stopping may monitor.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fitToEnd } from "./fit_to_end.ts";
 * import type { ValidationOptions } from "./fit.ts";
 * await tf.setBackend("cpu");
 * // A program whose loss is its batch's mean (it trains nothing).
 * const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });
 * const program = { embedder, optimizer: tf.train.sgd(0.1), setLearningRate: () => {}, trainStep: (x: tf.Tensor) => tf.mean(x) as tf.Scalar };
 * // Validate after every 2nd step of 5; the report carries what `run` returned.
 * const v: ValidationOptions = { every: 2, run: ({ step }) => ({ score: 10 * step }) };
 * const history = await fitToEnd(program, () => [1, 2, 3, 4, 5].map(() => tf.ones([1, 1])), { validation: v, progress: "none" });
 * const seen = history.validation.map(({ step, metrics }) => `${step}:${metrics.score}`);
 * if (seen.join() !== "2:20,4:40") throw new Error(seen.join());
 * ```
 */
export interface ValidationOptions {
  /** Run after every `every`-th step (a positive integer). */
  readonly every: number;
  /** Computes the validation metrics; may be async. */
  run(
    at: { readonly step: number; readonly epoch: number },
  ): Record<string, number> | Promise<Record<string, number>>;
}

/**
 * Stop when a monitored number stops improving.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fitToEnd } from "./fit_to_end.ts";
 * import type { EarlyStoppingOptions } from "./fit.ts";
 * await tf.setBackend("cpu");
 * // A program whose loss is its batch's mean (it trains nothing).
 * const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });
 * const program = { embedder, optimizer: tf.train.sgd(0.1), setLearningRate: () => {}, trainStep: (x: tf.Tensor) => tf.mean(x) as tf.Scalar };
 * // The score peaks at step 2; with patience 1 the run stops at step 4 (2 checks without a gain).
 * const scores = [1, 3, 2, 3, 9, 9];
 * const e: EarlyStoppingOptions = { monitor: "score", mode: "max", patience: 1 };
 * const validation = { every: 1, run: ({ step }: { step: number }) => ({ score: scores[step - 1] }) };
 * const history = await fitToEnd(program, () => scores.map(() => tf.ones([1, 1])), { validation, earlyStopping: e, progress: "none" });
 * if (history.steps !== 4 || history.stopReason !== "early-stopping") throw new Error(`${history.steps}`);
 * ```
 */
export interface EarlyStoppingOptions {
  /** A validation metric name; or `"loss"`, the epoch's mean training loss, checked at each
   * epoch end when no validation is configured. */
  readonly monitor: string;
  /** `"min"` (default) when smaller is better, `"max"` when larger is better. */
  readonly mode?: "min" | "max";
  /** Checks without improvement before stopping. Default 3. */
  readonly patience?: number;
  /** Smallest change that counts as an improvement. Default 0. */
  readonly minDelta?: number;
  /** Put back the weights of the best check when stopping early. Default false. */
  readonly restoreBest?: boolean;
}

/**
 * Checkpoints: every `every` steps (and when training stops) the full training state is
 * written to `dir/step-<9 digits>/`, atomically; the newest `keep` are kept. What a killed
 * write left in `dir` (`.step-N.tmp-…` folders) is removed when the next `fit` starts.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fitToEnd } from "./fit_to_end.ts";
 * import type { CheckpointOptions } from "./fit.ts";
 * await tf.setBackend("cpu");
 * // A program whose loss is its batch's mean (it trains nothing).
 * const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });
 * const program = { embedder, optimizer: tf.train.sgd(0.1), setLearningRate: () => {}, trainStep: (x: tf.Tensor) => tf.mean(x) as tf.Scalar };
 * // Every 2 steps and at the end (steps 2, 4, 5); only the newest is kept.
 * const dir = await Deno.makeTempDir();
 * const c: CheckpointOptions = { dir, every: 2, keep: 1 };
 * await fitToEnd(program, () => [1, 2, 3, 4, 5].map(() => tf.ones([1, 1])), { checkpoint: c, progress: "none" });
 * const names = (await Array.fromAsync(Deno.readDir(dir))).map((d) => d.name);
 * await Deno.remove(dir, { recursive: true });
 * if (names.join() !== "step-000000005") throw new Error(names.join());
 * ```
 */
export interface CheckpointOptions {
  /** Directory of the checkpoints. */
  readonly dir: string;
  /** Steps between checkpoints (a positive integer). */
  readonly every: number;
  /** How many to keep, newest first. Default 2. */
  readonly keep?: number;
}

/**
 * Options of {@linkcode fit}.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fitToEnd } from "./fit_to_end.ts";
 * import type { FitOptions } from "./fit.ts";
 * await tf.setBackend("cpu");
 * // A program whose loss is its batch's mean (it trains nothing).
 * const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });
 * const program = { embedder, optimizer: tf.train.sgd(0.1), setLearningRate: () => {}, trainStep: (x: tf.Tensor) => tf.mean(x) as tf.Scalar };
 * // An endless stream of batches 1, 2, 3, …: 5 steps in epochs of 2 steps.
 * function* stream() { for (let i = 1; ; i++) yield tf.fill([1, 1], i); }
 * const quick: FitOptions = { steps: 5, stepsPerEpoch: 2, progress: "none" };
 * const history = await fitToEnd(program, stream(), quick);
 * // epochs (1, 2) and (3, 4) completed; step 5 began a third
 * if (history.steps !== 5 || history.epochLoss.join() !== "1.5,3.5") throw new Error(`${history.epochLoss}`);
 * if (history.stopReason !== "steps") throw new Error(history.stopReason);
 * ```
 */
export interface FitOptions {
  /** Epochs to train. Default 1, or unlimited when `steps` is given. */
  readonly epochs?: number;
  /** Stop after this many steps in total (resumed steps included). */
  readonly steps?: number;
  /** Steps in one epoch; without it an epoch is one pass over the batches. */
  readonly stepsPerEpoch?: number;
  /** Learning rate or schedule; absent: the optimiser's own rate is left as is. */
  readonly learningRate?: LearningRate;
  /** Validation every N steps. */
  readonly validation?: ValidationOptions;
  /** Early stopping on a validation metric (or the epoch loss). */
  readonly earlyStopping?: EarlyStoppingOptions;
  /** Periodic checkpoints. */
  readonly checkpoint?: CheckpointOptions;
  /**
   * Continue from a checkpoint: `true` for the newest one in `checkpoint.dir` (a fresh start
   * when there is none), or the path of a checkpoint directory. The weights and optimiser
   * state are restored, and the batch stream is advanced past the batches the checkpointed
   * run consumed (they are drawn and disposed), so a seeded stream continues where it was.
   */
  readonly resume?: boolean | string;
  /** Stops training after the current step; `fit` then returns normally. */
  readonly signal?: AbortSignal;
  /** `"auto"` (default): a bar when stderr is a terminal, else plain lines; or force one. */
  readonly progress?: "auto" | "bar" | "lines" | "none";
  /** Steps between plain progress lines. Default: 1/20 of the run, or 50. */
  readonly logEvery?: number;
  /** Replaces stderr as the progress output (receives text with its newlines). */
  readonly write?: (text: string) => void;
}

/**
 * One training step's report, yielded by {@linkcode fit} after the step.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fit, type StepReport } from "./fit.ts";
 * await tf.setBackend("cpu");
 * // A program whose loss is its batch's mean (it trains nothing).
 * const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });
 * const program = { embedder, optimizer: tf.train.sgd(0.1), setLearningRate: () => {}, trainStep: (x: tf.Tensor) => tf.mean(x) as tf.Scalar };
 * // One epoch of two batches of 3 images, with values 2 and 4.
 * const reports: StepReport[] = [];
 * for await (const r of fit(program, () => [tf.fill([3, 1], 2), tf.fill([3, 1], 4)], { progress: "none" })) reports.push(r);
 * const [first, last] = reports;
 * if (first.step !== 1 || first.loss !== 2 || first.images !== 3 || first.epochEnd) throw new Error("step 1");
 * if (last.stepInEpoch !== 2 || last.epochEnd?.meanLoss !== 3) throw new Error("the epoch ends at step 2");
 * if (!(last.elapsedMs >= first.elapsedMs)) throw new Error("elapsedMs counts from the start");
 * ```
 */
export interface StepReport {
  /** Optimiser steps done, this one included (1-based, counts resumed steps). */
  readonly step: number;
  /** 0-based epoch of this step. */
  readonly epoch: number;
  /** Steps done in this epoch, this one included (1-based). */
  readonly stepInEpoch: number;
  /** The batch's loss. */
  readonly loss: number;
  /** Input images in the batch (a triplet batch of B counts 3B). */
  readonly images: number;
  /** Images per second over this step (batch preparation included). */
  readonly imagesPerSecond: number;
  /** The learning rate the step used (NaN if the optimiser does not tell). */
  readonly learningRate: number;
  /** Milliseconds since training started (resumed runs included). */
  readonly elapsedMs: number;
  /** Present on an epoch's last step: the epoch's mean loss and throughput. */
  readonly epochEnd?: { readonly meanLoss: number; readonly imagesPerSecond: number };
  /** Present after a validation: its metrics. */
  readonly validation?: Record<string, number>;
  /** Present when a checkpoint was written after this step: its path. */
  readonly checkpoint?: string;
}

/**
 * The history of a training run, returned by {@linkcode fit} (the generator's return value)
 * and by `fitToEnd`; saved in checkpoints, so a resumed run's history is whole.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fitToEnd } from "./fit_to_end.ts";
 * import type { History } from "./fit.ts";
 * await tf.setBackend("cpu");
 * // A program whose loss is its batch's mean (it trains nothing).
 * const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });
 * const program = { embedder, optimizer: tf.train.sgd(0.1), setLearningRate: () => {}, trainStep: (x: tf.Tensor) => tf.mean(x) as tf.Scalar };
 * // Two epochs of two batches of 2 images.
 * const h: History = await fitToEnd(program, (e) => [tf.fill([2, 1], e), tf.fill([2, 1], e + 2)], { epochs: 2, progress: "none" });
 * if (h.loss.join() !== "0,2,1,3" || h.epochLoss.join() !== "1,2") throw new Error(`${h.loss}`);
 * if (h.steps !== 4 || h.epochs !== 2 || h.images !== 8 || h.stopReason !== "completed") throw new Error("counts");
 * if (Math.abs(h.imagesPerSecond - h.images / (h.elapsedMs / 1000)) > 1e-6 * h.imagesPerSecond) throw new Error("rate");
 * ```
 */
export interface History {
  /** Loss of every step. */
  readonly loss: number[];
  /** Learning rate of every step. */
  readonly learningRate: number[];
  /** Mean loss of every completed epoch. */
  readonly epochLoss: number[];
  /** Images per second of every completed epoch. */
  readonly epochImagesPerSecond: number[];
  /** Validation results with their step. */
  readonly validation: { step: number; metrics: Record<string, number> }[];
  /** Steps done. */
  steps: number;
  /** Epochs completed. */
  epochs: number;
  /** Images trained on. */
  images: number;
  /** Milliseconds spent in the loop. */
  elapsedMs: number;
  /** Images per second over the whole run. */
  imagesPerSecond: number;
  /** Why training stopped. */
  stopReason: "completed" | "steps" | "aborted" | "early-stopping" | "exhausted";
}

interface EarlyState {
  best: number | null;
  bestStep: number;
  wait: number;
}

interface FitState {
  history: History;
  early: EarlyState;
}

const emptyHistory = (): History => ({
  loss: [],
  learningRate: [],
  epochLoss: [],
  epochImagesPerSecond: [],
  validation: [],
  steps: 0,
  epochs: 0,
  images: 0,
  elapsedMs: 0,
  imagesPerSecond: 0,
  stopReason: "completed",
});

const shown = (value: unknown): string =>
  typeof value === "string"
    ? JSON.stringify(value)
    : typeof value === "function"
    ? "a function"
    : typeof value === "bigint"
    ? `${value}n`
    : Array.isArray(value)
    ? "an array"
    : value !== null && typeof value === "object"
    ? "an object"
    : String(value);

const checkCount = (
  name: string,
  value: number | undefined,
  min: number,
  infinite = true,
): void => {
  if (value === undefined) return;
  if (
    typeof value !== "number" || !(Number.isInteger(value) || (infinite && value === Infinity)) ||
    value < min
  ) {
    throw new Error(
      `Cannot fit as ${name} must be an integer ≥ ${min}: current value is ${shown(value)}`,
    );
  }
};

const checkOptions = (options: FitOptions): void => {
  if (options === null || typeof options !== "object") {
    throw new Error(`Cannot fit as options must be an object: current value is ${shown(options)}`);
  }
  const { validation, earlyStopping, checkpoint } = options;
  checkCount("epochs", options.epochs, 1);
  checkCount("steps", options.steps, 1);
  checkCount("stepsPerEpoch", options.stepsPerEpoch, 1);
  checkCount("logEvery", options.logEvery, 1);
  const lr = options.learningRate;
  if (typeof lr === "number") {
    if (!(Number.isFinite(lr) && lr > 0)) {
      throw new Error(
        `Cannot fit as learningRate must be a positive number: current value is ${lr}`,
      );
    }
  } else if (lr !== undefined && typeof lr !== "function") {
    throw new Error(
      `Cannot fit as learningRate must be a positive number or a function (step, epoch) => rate: current value is ${
        shown(lr)
      }`,
    );
  }
  if (validation !== undefined) {
    if (validation === null || typeof validation !== "object") {
      throw new Error(
        `Cannot fit as validation must be { every, run }: current value is ${shown(validation)}`,
      );
    }
    checkCount("validation.every", validation.every ?? NaN, 1, false);
    if (typeof validation.run !== "function") {
      throw new Error(
        `Cannot fit as validation.run must be a function: current value is ${
          shown(validation.run)
        }`,
      );
    }
  }
  if (checkpoint !== undefined) {
    if (checkpoint === null || typeof checkpoint !== "object") {
      throw new Error(
        `Cannot fit as checkpoint must be { dir, every, keep? }: current value is ${
          shown(checkpoint)
        }`,
      );
    }
    if (typeof checkpoint.dir !== "string" || checkpoint.dir.length === 0) {
      throw new Error(
        `Cannot fit as checkpoint.dir must be a non-empty path: current value is ${
          shown(checkpoint.dir)
        }`,
      );
    }
    checkCount("checkpoint.every", checkpoint.every ?? NaN, 1, false);
    checkCount("checkpoint.keep", checkpoint.keep, 1, false);
  }
  if (earlyStopping !== undefined) {
    if (earlyStopping === null || typeof earlyStopping !== "object") {
      throw new Error(
        `Cannot fit as earlyStopping must be { monitor, … }: current value is ${
          shown(earlyStopping)
        }`,
      );
    }
    if (typeof earlyStopping.monitor !== "string") {
      throw new Error(
        `Cannot fit as earlyStopping.monitor must be a metric name: current value is ${
          shown(earlyStopping.monitor)
        }`,
      );
    }
    checkCount("earlyStopping.patience", earlyStopping.patience, 0);
    const mode = earlyStopping.mode;
    if (mode !== undefined && mode !== "min" && mode !== "max") {
      throw new Error(
        `Cannot fit as earlyStopping.mode must be "min" or "max": current value is ${shown(mode)}`,
      );
    }
    const delta = earlyStopping.minDelta;
    if (
      delta !== undefined && !(typeof delta === "number" && Number.isFinite(delta) && delta >= 0)
    ) {
      throw new Error(
        `Cannot fit as earlyStopping.minDelta must be a finite number ≥ 0: current value is ${
          shown(delta)
        }`,
      );
    }
    if (earlyStopping.monitor !== "loss" && !validation) {
      throw new Error(
        `Cannot fit as earlyStopping monitors ${
          JSON.stringify(earlyStopping.monitor)
        }, which only validation produces: add validation or monitor "loss"`,
      );
    }
  }
  const resume = options.resume;
  if (
    resume !== undefined && typeof resume !== "boolean" &&
    !(typeof resume === "string" && resume.length > 0)
  ) {
    throw new Error(
      `Cannot fit as resume must be true, false or a checkpoint path: current value is ${
        shown(resume)
      }`,
    );
  }
  if (resume === true && !checkpoint) {
    throw new Error("Cannot fit as resume: true needs checkpoint.dir to find the last checkpoint");
  }
  const progress = options.progress;
  if (progress !== undefined && !["auto", "bar", "lines", "none"].includes(progress)) {
    throw new Error(
      `Cannot fit as progress must be "auto", "bar", "lines" or "none": current value is ${
        shown(progress)
      }`,
    );
  }
  if (options.write !== undefined && typeof options.write !== "function") {
    throw new Error(
      `Cannot fit as write must be a function: current value is ${shown(options.write)}`,
    );
  }
  const signal = options.signal;
  if (
    signal !== undefined &&
    (signal === null || typeof (signal as { aborted?: unknown }).aborted !== "boolean")
  ) {
    throw new Error(
      `Cannot fit as signal must be an AbortSignal: current value is ${shown(signal)}`,
    );
  }
};

/** The tensors of a batch with their names (`batch.anchor`, `batch.items[1]`, …). */
const batchTensors = (batch: unknown): NamedTensor[] => {
  const found: NamedTensor[] = [];
  const seen = new Set<unknown>();
  const visit = (value: unknown, name: string): void => {
    if (value instanceof tf.Tensor) {
      if (!value.isDisposed) found.push({ name, tensor: value });
    } else if (value !== null && typeof value === "object" && !seen.has(value)) {
      seen.add(value);
      if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${name}[${i}]`));
      else for (const [key, v] of Object.entries(value)) visit(v, `${name}.${key}`);
    }
  };
  visit(batch, "batch");
  return found;
};

const optimizerRate = (program: TrainableProgram<unknown>): number => {
  const rate = (program.optimizer as unknown as { learningRate?: unknown }).learningRate;
  return typeof rate === "number" ? rate : NaN;
};

type AnyIterator<B> = Iterator<B> | AsyncIterator<B>;

const iteratorOf = <B>(source: Iterable<B> | AsyncIterable<B>): AnyIterator<B> => {
  if (source && typeof (source as AsyncIterable<B>)[Symbol.asyncIterator] === "function") {
    return (source as AsyncIterable<B>)[Symbol.asyncIterator]();
  }
  if (source && typeof (source as Iterable<B>)[Symbol.iterator] === "function") {
    return (source as Iterable<B>)[Symbol.iterator]();
  }
  throw new Error(
    `Cannot fit as batches must be an iterable, an async iterable or a function returning one: current value is ${typeof source}`,
  );
};

/**
 * Trains `program` on `batches`: one optimiser step per batch, yielding a
 * {@linkcode StepReport} after each, and returning the {@linkcode History} when done.
 *
 * - **Length**: `epochs` (default 1) of `stepsPerEpoch` steps, or of one pass over the
 *   batches; `steps` caps the total.
 * - **Memory**: each batch's tensors and the loss are disposed after its step, so
 *   `tf.memory().numTensors` stays flat from step to step.
 * - **Learning rate**: a constant or a schedule (`(step, epoch) => rate`, e.g.
 *   `cosineDecay`), set through `program.setLearningRate` before the steps it changes.
 * - **Progress**: a bar on a terminal, plain lines otherwise, on stderr.
 * - **Validation and early stopping**: `validation.run` every N steps; `earlyStopping` stops
 *   when its metric has not improved for `patience` checks.
 * - **Stopping**: `signal` (an `AbortSignal`) stops after the current step and returns
 *   normally (with a checkpoint when checkpoints are on).
 * - **Non-finite numbers**: a batch holding a NaN or an infinity is rejected before its step
 *   (the error names the field, e.g. `batch.anchor`, and the step). A step whose loss, weights
 *   or optimiser slots come out non-finite (a non-finite gradient ends up in them) throws an
 *   error naming the step and the tensor, after putting back the weights, optimiser state and
 *   dropout streams of the last finite step (a copy-free snapshot kept each step; one fused
 *   sum of every weight, read with the loss, checks them). No checkpoint of non-finite weights
 *   is written, so the last good checkpoint is never deleted for one.
 * - **Checkpoints and resume**: see {@linkcode FitOptions}.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fit } from "./fit.ts";
 *
 * await tf.setBackend("cpu");
 * // Learn y = 2x with one weight.
 * const embedder = tf.sequential({
 *   layers: [tf.layers.dense({ inputShape: [1], units: 1, useBias: false, kernelInitializer: "zeros" })],
 * });
 * const optimizer = tf.train.sgd(0.1);
 * const program = {
 *   embedder,
 *   optimizer,
 *   setLearningRate: (lr: number) => optimizer.setLearningRate(lr),
 *   trainStep: ({ x, y }: { x: tf.Tensor; y: tf.Tensor }) =>
 *     optimizer.minimize(() => tf.losses.meanSquaredError(y, embedder.apply(x) as tf.Tensor), true)!,
 * };
 * function* batches() {
 *   while (true) yield { x: tf.tensor2d([[1], [2]]), y: tf.tensor2d([[2], [4]]) };
 * }
 * const before = tf.memory().numTensors;
 * const run = fit(program, batches(), { steps: 30, progress: "none" });
 * let result = await run.next();
 * while (!result.done) result = await run.next();
 * const history = result.value;
 * if (history.steps !== 30 || !(history.loss[29] < 1e-3)) throw new Error("did not learn");
 * if (tf.memory().numTensors !== before) throw new Error("leaked tensors");
 * embedder.dispose();
 * ```
 */
export async function* fit<B>(
  program: TrainableProgram<B>,
  batches: Batches<B>,
  options: FitOptions = {},
): AsyncGenerator<StepReport, History, void> {
  checkOptions(options);
  const { stepsPerEpoch, steps, validation, earlyStopping, checkpoint, signal } = options;
  const epochs = options.epochs ?? (steps !== undefined ? Infinity : 1);
  const maxSteps = steps ?? Infinity;
  const lr = options.learningRate;
  if (checkpoint) {
    const info = await Deno.stat(checkpoint.dir).catch((error) => {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    });
    if (info !== undefined && !info.isDirectory) {
      throw new Error(
        `Cannot fit as checkpoint.dir must be a folder: current value is ${
          JSON.stringify(checkpoint.dir)
        }, which is a file`,
      );
    }
    // What a killed checkpoint write left behind goes before anything reads the folder.
    await cleanCheckpointDir(checkpoint.dir);
  }

  // ---- resume ---------------------------------------------------------------------------
  let step = 0;
  let epoch = 0;
  let stepInEpoch = 0;
  let state: FitState = { history: emptyHistory(), early: { best: null, bestStep: 0, wait: 0 } };
  if (options.resume) {
    const path = typeof options.resume === "string"
      ? options.resume
      : await latestCheckpoint(checkpoint!.dir);
    if (path !== undefined) {
      let restored;
      try {
        restored = await loadCheckpoint(program, path);
      } catch (error) {
        let previous: string | undefined;
        if (typeof options.resume !== "string" && checkpoint) {
          const older = (await listCheckpointDirs(checkpoint.dir)).filter((c) => c.path !== path);
          for (const candidate of older.reverse()) {
            if (await readCheckpoint(candidate.path).then(() => true, () => false)) {
              previous = candidate.path;
              break;
            }
          }
        }
        if (previous === undefined) throw error;
        throw new Error(
          `${
            (error as Error).message
          }; the previous good checkpoint ${previous} is kept: pass resume: ${
            JSON.stringify(previous)
          } to continue from it`,
          { cause: error },
        );
      }
      step = restored.step;
      epoch = restored.epoch;
      stepInEpoch = restored.stepInEpoch;
      const saved = restored.state as Partial<FitState> | null;
      if (saved && saved.history && saved.early) {
        state = { history: { ...emptyHistory(), ...saved.history }, early: saved.early };
      }
      state.history.steps = step;
    }
  }
  const history = state.history;
  const early = state.early;

  // ---- progress -------------------------------------------------------------------------
  const totalSteps = Number.isFinite(maxSteps)
    ? (stepsPerEpoch !== undefined && Number.isFinite(epochs)
      ? Math.min(maxSteps, epochs * stepsPerEpoch)
      : maxSteps)
    : stepsPerEpoch !== undefined && Number.isFinite(epochs)
    ? epochs * stepsPerEpoch
    : undefined;
  const mode = options.progress ?? "auto";
  const progress = createProgress(
    mode === "auto" ? (stderrIsTerminal() ? "bar" : "lines") : mode,
    {
      logEvery: options.logEvery ??
        (totalSteps !== undefined ? Math.max(1, Math.round(totalSteps / 20)) : 50),
      write: options.write,
    },
  );

  // ---- loop state -----------------------------------------------------------------------
  const startTime = performance.now() - history.elapsedMs;
  let currentRate = optimizerRate(program as TrainableProgram<unknown>);
  let lastCheckpointStep = step;
  let snapshot: Tensor[] | null = null;
  /** The training state after the last step whose weights were all finite. */
  let lastGood: TrainingState | null = null;
  let iterator: AnyIterator<B> | null = null;
  let lookahead: IteratorResult<B> | null = null;
  let epochLossSum = 0;
  let epochImages = 0;
  let epochMs = 0;
  if (stepInEpoch > 0) {
    // Resumed mid-epoch: the epoch's sums so far come from the saved per-step losses.
    const losses = history.loss.slice(history.loss.length - stepInEpoch);
    epochLossSum = losses.reduce((a, b) => a + b, 0);
  }
  const continuous = stepsPerEpoch !== undefined && typeof batches !== "function";
  const epochDone = () => stepsPerEpoch !== undefined && stepInEpoch >= stepsPerEpoch;
  if (epochDone()) {
    epoch += 1;
    stepInEpoch = 0;
    epochLossSum = 0;
  }

  const closeIterator = async () => {
    if (lookahead && !lookahead.done) disposeBatch(lookahead.value);
    lookahead = null;
    if (iterator) await iterator.return?.();
    iterator = null;
  };
  const openIterator = async (skip: number) => {
    await closeIterator();
    iterator = iteratorOf(typeof batches === "function" ? batches(epoch) : batches);
    for (let i = 0; i < skip; i++) {
      const r = await iterator.next();
      if (r.done) {
        throw new Error(
          `Cannot resume at step ${step} as the batches ended after ${i} of the ${skip} batches to skip`,
        );
      }
      disposeBatch(r.value);
    }
  };
  const takeBatch = async (): Promise<IteratorResult<B>> => {
    if (lookahead) {
      const r = lookahead;
      lookahead = null;
      return r;
    }
    return await iterator!.next();
  };
  /** Writes a checkpoint unless this step has one; `atEpochEnd` saves "next epoch, step 0". */
  const saveState = async (atEpochEnd: boolean): Promise<string | undefined> => {
    if (!checkpoint || step === lastCheckpointStep) return undefined;
    history.elapsedMs = performance.now() - startTime;
    const path = await saveCheckpoint(program, checkpoint.dir, {
      step,
      epoch: atEpochEnd ? epoch + 1 : epoch,
      stepInEpoch: atEpochEnd ? 0 : stepInEpoch,
      state,
      keep: checkpoint.keep,
    });
    lastCheckpointStep = step;
    return path;
  };
  const takeSnapshot = () => {
    if (snapshot) tf.dispose(snapshot);
    snapshot = [
      ...readInLayerOrder(program.embedder).map((w) => w.clone()),
      ...(program.head ? readInLayerOrder(program.head).map((w) => w.clone()) : []),
      ...(lossStateOf(program as TrainableProgram<unknown>)?.parameters.map((p) =>
        p.variable.clone()
      ) ?? []),
    ];
  };
  const improved = (value: number): boolean => {
    const e = earlyStopping!;
    if (early.best === null) return true;
    const delta = e.minDelta ?? 0;
    return (e.mode ?? "min") === "max" ? value > early.best + delta : value < early.best - delta;
  };
  /** Returns true when early stopping says stop. */
  const checkEarly = (value: number | undefined): boolean => {
    if (!earlyStopping) return false;
    if (value === undefined || !Number.isFinite(value)) {
      throw new Error(
        `Cannot apply early stopping at step ${step} as ${
          JSON.stringify(earlyStopping.monitor)
        } is ${value}: expected a finite number`,
      );
    }
    if (improved(value)) {
      early.best = value;
      early.bestStep = step;
      early.wait = 0;
      if (earlyStopping.restoreBest) takeSnapshot();
      return false;
    }
    early.wait += 1;
    return early.wait > (earlyStopping.patience ?? 3);
  };

  /** Rejects a batch holding a NaN or an infinity, naming the field, before its step. */
  const checkInputs = async (batch: B): Promise<void> => {
    const floats = batchTensors(batch).filter((n) => n.tensor.dtype === "float32");
    if (floats.length === 0) return;
    const probe = finiteProbes(floats.map((n) => n.tensor));
    let sums: ArrayLike<number>;
    try {
      sums = await probe.data();
    } finally {
      probe.dispose();
    }
    for (let i = 0; i < floats.length; i++) {
      if (Number.isFinite(sums[i])) continue;
      const bad = firstNonFinite([floats[i]]);
      if (bad === undefined) continue; // finite values whose sum overflows
      throw new Error(
        `Cannot train step ${step + 1} (epoch ${
          epoch + 1
        }) as ${bad.name} holds ${bad.value} at index ${bad.index} of ${bad.size}: a batch with a non-finite value is rejected before its step, the weights are unchanged`,
      );
    }
  };
  /** Names the first non-finite weight or optimiser slot, or undefined when all are finite. */
  const findPoisoned = async (): Promise<string | undefined> => {
    const { tensors, fresh } = await stateTensors(program as TrainableProgram<unknown>);
    tf.dispose(fresh);
    const probe = finiteProbe(tensors.map((n) => n.tensor));
    try {
      if (Number.isFinite((await probe.data())[0])) return undefined;
    } finally {
      probe.dispose();
    }
    const bad = firstNonFinite(tensors);
    return bad && `${bad.name} holds ${bad.value} at index ${bad.index} of ${bad.size}`;
  };

  let stopReason: History["stopReason"] = "completed";
  try {
    const poisoned = await findPoisoned();
    if (poisoned !== undefined) {
      throw new Error(
        `Cannot fit as the program's state is not finite before step ${step + 1}: ${poisoned}`,
      );
    }
    lastGood = await captureState(program as TrainableProgram<unknown>);
    if (continuous) await openIterator(step);
    outer: while (epoch < epochs) {
      if (step >= maxSteps) {
        stopReason = "steps";
        break;
      }
      if (!continuous) await openIterator(stepInEpoch);
      let sawBatch = stepInEpoch > 0;
      while (!epochDone()) {
        if (step >= maxSteps) {
          stopReason = "steps";
          break outer;
        }
        if (signal?.aborted) {
          stopReason = "aborted";
          break outer;
        }
        const t0 = performance.now();
        const next = await takeBatch();
        if (next.done) {
          if (stepsPerEpoch !== undefined) {
            stopReason = "exhausted";
            break outer;
          }
          if (!sawBatch) {
            throw new Error(
              `Cannot fit epoch ${
                epoch + 1
              } as the batches gave no batch: pass a re-iterable (an array, or a function of the epoch) or stepsPerEpoch`,
            );
          }
          break;
        }
        sawBatch = true;
        const batch = next.value;
        let loss = NaN;
        let images = 0;
        try {
          const rate = typeof lr === "function" ? lr(step, epoch) : lr;
          if (rate !== undefined) {
            if (!(typeof rate === "number" && Number.isFinite(rate) && rate > 0)) {
              throw new Error(
                `Cannot set the learning rate at step ${step + 1} as the schedule gave ${
                  shown(rate)
                } (learningRate(${step}, ${epoch})): expected a positive number`,
              );
            }
            if (rate !== currentRate) {
              program.setLearningRate(rate);
              currentRate = rate;
            }
          }
          images = imagesIn(batch);
          await checkInputs(batch);
          const lossTensor = program.trainStep(batch);
          let finite = true;
          try {
            // The loss and one finiteness probe of every weight and optimiser slot, read at once.
            const { tensors, fresh } = await stateTensors(program as TrainableProgram<unknown>);
            tf.dispose(fresh);
            const read = tf.tidy(() =>
              tf.concat([
                tf.reshape(tf.cast(lossTensor, "float32"), [-1]),
                tf.reshape(finiteProbe(tensors.map((n) => n.tensor)), [1]),
              ])
            );
            let values: ArrayLike<number>;
            try {
              values = await read.data();
            } finally {
              read.dispose();
            }
            loss = lossTensor.size > 0 ? values[0] : NaN;
            finite = Number.isFinite(values[values.length - 1]);
          } finally {
            lossTensor.dispose();
          }
          const poisoned = finite ? undefined : await findPoisoned();
          if (!Number.isFinite(loss) || poisoned !== undefined) {
            await restoreState(program as TrainableProgram<unknown>, lastGood!);
            const where = `at step ${step + 1} (epoch ${epoch + 1}, step ${
              stepInEpoch + 1
            } of the epoch)`;
            const restored = step === 0
              ? "the initial weights and optimiser state are restored"
              : `the weights and optimiser state of step ${step} are restored`;
            throw new Error(
              !Number.isFinite(loss)
                ? `Cannot continue training as the loss is ${loss} ${where}: ${restored}`
                : `Cannot continue training as the weights became non-finite ${where} although the loss is ${loss}: ${poisoned}; ${restored} (look for a learning rate that is too high or a loss whose gradient overflows)`,
            );
          }
          disposeState(lastGood);
          lastGood = null;
          lastGood = await captureState(program as TrainableProgram<unknown>);
        } finally {
          disposeBatch(batch);
        }
        step += 1;
        stepInEpoch += 1;
        // Look one batch ahead when only the stream's end tells where the epoch ends.
        if (stepsPerEpoch === undefined && step < maxSteps) {
          lookahead = await iterator!.next();
        }
        const t1 = performance.now();
        const ms = Math.max(t1 - t0, 1e-6);
        history.loss.push(loss);
        history.learningRate.push(currentRate);
        history.steps = step;
        history.images += images;
        history.elapsedMs = t1 - startTime;
        epochLossSum += loss;
        epochImages += images;
        epochMs += ms;
        const report: {
          -readonly [K in keyof StepReport]: StepReport[K];
        } = {
          step,
          epoch,
          stepInEpoch,
          loss,
          images,
          imagesPerSecond: (images / ms) * 1000,
          learningRate: currentRate,
          elapsedMs: history.elapsedMs,
        };
        const endsEpoch = stepsPerEpoch !== undefined
          ? stepInEpoch >= stepsPerEpoch
          : lookahead?.done === true;
        let stop = false;
        if (endsEpoch) {
          const meanLoss = epochLossSum / stepInEpoch;
          const rateEpoch = epochMs > 0 ? (epochImages / epochMs) * 1000 : 0;
          history.epochLoss.push(meanLoss);
          history.epochImagesPerSecond.push(rateEpoch);
          history.epochs = epoch + 1;
          report.epochEnd = { meanLoss, imagesPerSecond: rateEpoch };
          if (earlyStopping?.monitor === "loss" && !validation) stop = checkEarly(meanLoss);
        }
        if (validation && step % validation.every === 0) {
          const metrics = await validation.run({ step, epoch });
          history.validation.push({ step, metrics: { ...metrics } });
          report.validation = metrics;
          if (earlyStopping) stop = checkEarly(metrics[earlyStopping.monitor]);
        }
        if (checkpoint && step % checkpoint.every === 0) {
          report.checkpoint = await saveState(endsEpoch);
        }
        progress.step({
          step,
          epoch,
          stepInEpoch: report.stepInEpoch,
          stepsPerEpoch,
          epochs: Number.isFinite(epochs) ? epochs : undefined,
          totalSteps,
          loss,
          imagesPerSecond: report.imagesPerSecond,
          learningRate: currentRate,
          elapsedMs: history.elapsedMs,
        });
        if (report.epochEnd) {
          progress.line(
            `epoch ${epoch + 1} done: mean loss ${report.epochEnd.meanLoss.toPrecision(4)}, ${
              Math.round(report.epochEnd.imagesPerSecond)
            } img/s`,
          );
        }
        if (report.validation) {
          progress.line(
            `validation at step ${step}: ${
              Object.entries(report.validation).map(([k, v]) => `${k} ${v.toPrecision(4)}`).join(
                ", ",
              )
            }`,
          );
        }
        yield report;
        if (stop) {
          stopReason = "early-stopping";
          break outer;
        }
        if (endsEpoch && stepsPerEpoch === undefined) break;
      }
      epoch += 1;
      stepInEpoch = 0;
      epochLossSum = 0;
      epochImages = 0;
      epochMs = 0;
    }
    if (stopReason === "completed" && step >= maxSteps && epoch < epochs) stopReason = "steps";
    history.stopReason = stopReason;
    history.elapsedMs = performance.now() - startTime;
    history.imagesPerSecond = history.elapsedMs > 0
      ? (history.images / history.elapsedMs) * 1000
      : 0;
    await saveState(epochDone());
    if (stopReason === "early-stopping" && earlyStopping?.restoreBest && snapshot) {
      const weights = snapshot as Tensor[];
      const n = program.embedder.weights.length;
      const h = n + (program.head?.weights.length ?? 0);
      writeInLayerOrder(program.embedder, weights.slice(0, n));
      if (program.head) writeInLayerOrder(program.head, weights.slice(n, h));
      lossStateOf(program as TrainableProgram<unknown>)?.parameters.forEach((p, i) =>
        p.variable.assign(weights[h + i])
      );
      progress.line(`early stopping: restored the weights of step ${early.bestStep}`);
    }
    return history;
  } finally {
    progress.finish();
    await closeIterator();
    if (snapshot) tf.dispose(snapshot as Tensor[]);
    disposeState(lastGood);
  }
}
