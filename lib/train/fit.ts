import type { TrainableProgram } from "./trainable_program.ts";
import { checkCount as count, shown } from "./chain/_util.ts";
import { chain, type Steps, steps, type Transformer } from "./chain/steps.ts";
import type { LazyBatches } from "./chain/lazy_batches.ts";
import { schedule } from "./chain/schedule.ts";
import { finiteGuard } from "./chain/finite_guard.ts";
import { validate } from "./chain/validate.ts";
import { earlyStopping } from "./chain/early_stopping.ts";
import { historyOf, recordHistory } from "./chain/record_history.ts";
import { checkpoints, prepareCheckpointDir } from "./chain/checkpoints.ts";
import { showProgress } from "./chain/show_progress.ts";
import { resume } from "./chain/resume.ts";

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
   * when there is none), or the path of a checkpoint directory. The weights, optimiser state
   * and dropout streams are restored, and the batch stream continues at the position the
   * checkpoint saved: {@linkcode lazyBatches} skip the index batches already trained on
   * without building their tensors; plain tensor batches are drawn and disposed. A seeded
   * stream thus continues where it was, and the resumed run matches an uninterrupted one.
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

const checkCount = (name: string, value: number | undefined, min: number, infinite = true) =>
  count("fit", name, value, min, infinite);

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

/**
 * Trains `program` on `batches`: one optimiser step per batch, yielding a
 * {@linkcode StepReport} after each, and returning the {@linkcode History} when done.
 *
 * `fit` is a preset chain (see {@linkcode fitSteps}): the minimal step stream
 * {@linkcode steps} (which owns and frees every batch) through the report-stream transformers
 * {@linkcode schedule}, {@linkcode finiteGuard}, {@linkcode validate},
 * {@linkcode earlyStopping}, {@linkcode recordHistory}, {@linkcode checkpoints} and
 * {@linkcode showProgress}. Assemble your own with `pipe(steps(…), …)` or `chain(…)`.
 *
 * - **Batches**: tensor batches, or {@linkcode lazyBatches} (index batches plus a conversion
 *   to tensors, applied only for the step that trains on it: resume skips indices, not tensors).
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
  batches: Batches<B> | LazyBatches<unknown, B>,
  options: FitOptions = {},
): AsyncGenerator<StepReport, History, void> {
  const run = await fitSteps(program, batches, options);
  for await (const report of run) yield report;
  return historyOf(run.run)!;
}

/**
 * `fit` as a step stream (the preset chain, before it is run): the resumed
 * {@linkcode steps} through {@linkcode schedule}, {@linkcode finiteGuard},
 * {@linkcode validate}, {@linkcode earlyStopping}, {@linkcode recordHistory},
 * {@linkcode checkpoints} and {@linkcode showProgress}, as `options` asks. Checks the options,
 * prepares the checkpoint folder and loads the checkpoint to resume from (so it is async).
 * Add transformers of your own with `pipe`; the history is `historyOf(result.run)`.
 *
 * @param program The program to train.
 * @param batches Tensor batches or {@linkcode lazyBatches}.
 * @param options As {@linkcode fit}'s.
 * @returns The step stream.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fitSteps } from "./fit.ts";
 * import { historyOf } from "./chain/record_history.ts";
 * import { transformer } from "./chain/steps.ts";
 * import { pipe } from "../pipe.ts";
 * await tf.setBackend("cpu");
 * const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });
 * const program = { embedder, optimizer: tf.train.sgd(0.1), setLearningRate: () => {}, trainStep: (x: tf.Tensor) => tf.mean(x) as tf.Scalar };
 * // fit's chain, then one more transformer: stop once the loss is below 2.5.
 * const stopBelow = transformer<tf.Tensor>(async function* (up, run) {
 *   for await (const r of up) { if (r.loss < 2.5) run.stop("early-stopping"); yield r; }
 * });
 * const run = pipe(await fitSteps(program, () => [3, 2, 1].map((v) => tf.scalar(v)), { progress: "none" }), stopBelow);
 * for await (const _ of run);
 * const h = historyOf(run.run)!;
 * if (h.loss.join() !== "3,2" || h.stopReason !== "early-stopping") throw new Error(`${h.loss}`);
 * ```
 */
export async function fitSteps<B>(
  program: TrainableProgram<B>,
  batches: Batches<B> | LazyBatches<unknown, B>,
  options: FitOptions = {},
): Promise<Steps<B>> {
  checkOptions(options);
  const { validation, earlyStopping: early, checkpoint } = options;
  if (checkpoint) await prepareCheckpointDir(checkpoint);
  const start = options.resume ? await resume(program, options.resume, checkpoint?.dir) : undefined;
  const none: Transformer<B> = (s) => s;
  return chain<B>(
    options.learningRate !== undefined ? schedule(options.learningRate) : none,
    finiteGuard(),
    validation ? validate(validation) : none,
    early ? earlyStopping(early) : none,
    recordHistory(),
    checkpoint ? checkpoints(checkpoint) : none,
    showProgress({ mode: options.progress, logEvery: options.logEvery, write: options.write }),
  )(steps(program, batches, { ...options, start }));
}
