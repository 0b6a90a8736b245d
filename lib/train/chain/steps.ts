import * as tf from "@tensorflow/tfjs";
import type { Tensor } from "../../types.ts";
import { disposeBatch, imagesIn } from "../_batch.ts";
import type { Batches, History, StepReport } from "../fit.ts";
import type { TrainableProgram } from "../trainable_program.ts";
import { type AnyIterator, checkCount, iteratorOf, optimizerRate, shown } from "./_util.ts";
import { isLazyBatches, type LazyBatches } from "./lazy_batches.ts";

/** A place in a run: steps done, the 0-based epoch, steps done in that epoch. */
export interface Position {
  /** Steps done (before a step: that step's 0-based index). */
  readonly step: number;
  /** 0-based epoch. */
  readonly epoch: number;
  /** Steps done in the epoch. */
  readonly stepInEpoch: number;
}

/**
 * Where a resumed run starts (what `resume` read from a checkpoint): its position and the
 * JSON state its transformers saved (`run.state`), which the run starts from.
 */
export interface StartAt extends Position {
  /** The saved `run.state` (each transformer's record under its own key). */
  readonly state?: Readonly<Record<string, unknown>> | null;
}

/** Why a run ended. */
export type StopReason = History["stopReason"];

/**
 * What a transformer may add to every step of the stream (see {@linkcode Run.hook}). Hooks run
 * in the order they were added.
 */
export interface StepHooks<B> {
  /**
   * Before the optimiser step, with the batch, which the stream owns (read it; never dispose
   * it). Throwing ends the run with that error before the step is taken.
   */
  readonly before?: (batch: B, at: Position) => void | Promise<void>;
  /**
   * After the optimiser step: a tensor whose values are read in the same transfer as the
   * loss (one device sync per step); the stream disposes it.
   */
  readonly probe?: () => Tensor | Promise<Tensor>;
  /**
   * After the step's loss (and the probe's values, flattened) are read, before the report.
   * `at` is the position before the step. Throwing ends the run with that error.
   */
  readonly after?: (
    read: { readonly loss: number; readonly probe?: Float32Array },
    at: Position,
  ) => void | Promise<void>;
}

/**
 * The shared context of one run, given by {@linkcode steps} and passed along a chain of
 * transformers: the program, the plan, the JSON state that checkpoints save, and the hooks.
 */
export interface Run<B> {
  /** The program being trained. */
  readonly program: TrainableProgram<B>;
  /** Epochs (Infinity: unbounded), step cap (Infinity: none), steps per epoch, total steps. */
  readonly plan: {
    readonly epochs: number;
    readonly maxSteps: number;
    readonly stepsPerEpoch?: number;
    readonly totalSteps?: number;
  };
  /** Where the run started (0, 0, 0 unless resumed). */
  readonly start: Position;
  /**
   * JSON state of the run, saved whole in every checkpoint and given back on resume: each
   * transformer keeps its record under its own key (`history`, `early`, `source`, …).
   */
  readonly state: Record<string, unknown>;
  /** Names of the transformers applied (e.g. `"validation"`), for those that depend on others. */
  readonly uses: Set<string>;
  /** The learning rate steps use now (NaN when unknown); set it with {@linkcode Run.setLearningRate}. */
  readonly learningRate: number;
  /** Sets the learning rate for the following steps (through `program.setLearningRate`). */
  setLearningRate(rate: number): void;
  /** Adds hooks to every step. */
  hook(hooks: StepHooks<B>): void;
  /**
   * Runs `f` when the stream ends normally (not on an error), after its last report was
   * handled by the whole chain, in the order added; `late` ones after the others (e.g. putting
   * back the best weights after the last checkpoint is written).
   */
  onEnd(f: (reason: StopReason) => void | Promise<void>, options?: { late?: boolean }): void;
  /** Passes a line of text to whoever listens (the progress display). */
  say(text: string): void;
  /** Listens to {@linkcode Run.say}. */
  listen(f: (text: string) => void): void;
  /**
   * Asks the stream to stop after the current step, for `reason`: the run then ends normally
   * (end hooks run: the history's totals, the last checkpoint). A transformer that leaves its
   * loop instead (`break`, `return`, an error) abandons the run: the stream frees what it
   * holds, and no end hook runs.
   */
  stop(reason: StopReason): void;
  /** Milliseconds since the run started (resumed runs included). */
  elapsedMs(): number;
  /** Why the stream ended; undefined while it runs or when it failed. */
  readonly stopReason: StopReason | undefined;
}

/**
 * A stream of step reports with its {@linkcode Run}: what {@linkcode steps} gives and every
 * transformer takes and returns. It runs once.
 */
export interface Steps<B> extends AsyncIterable<StepReport> {
  /** The run's shared context. */
  readonly run: Run<B>;
}

/** A report-stream transformer: a function from steps to steps, for `pipe` and `chain`. */
export type Transformer<B> = (steps: Steps<B>) => Steps<B>;

/** Options of {@linkcode steps}. */
export interface StepsOptions {
  /** Epochs to train. Default 1, or unlimited when `steps` is given. */
  readonly epochs?: number;
  /** Stop after this many steps in total (resumed steps included). */
  readonly steps?: number;
  /** Steps in one epoch; without it an epoch is one pass over the batches. */
  readonly stepsPerEpoch?: number;
  /** Stops the stream after the current step (`stopReason` "aborted"). */
  readonly signal?: AbortSignal;
  /** Start from a checkpoint's position and state (from `resume`). */
  readonly start?: StartAt;
}

/** The position of the batch stream, saved in `run.state.source`. */
interface SourceState {
  /** Batches taken from the stream (all of them with `stepsPerEpoch` and an iterable, else in `epoch`). */
  readonly batches: number;
  /** The epoch those batches belong to. */
  readonly epoch: number;
  /** Sum of the epoch's step losses so far, its images and milliseconds. */
  readonly epochLossSum: number;
  readonly epochImages: number;
  readonly epochMs: number;
  /** Milliseconds of training so far. */
  readonly elapsedMs: number;
}

/**
 * Builds a transformer from a generator over the upstream reports; `setup` runs at once with
 * the run (to add hooks). The upstream runs inside the generator, so a `return`, `break` or
 * error ends it and it frees what it holds.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { steps, transformer } from "./steps.ts";
 * import { pipe } from "../../pipe.ts";
 * await tf.setBackend("cpu");
 * const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });
 * const program = { embedder, optimizer: tf.train.sgd(0.1), setLearningRate: () => {}, trainStep: (x: tf.Tensor) => tf.mean(x) as tf.Scalar };
 * // Doubles every reported loss.
 * const doubled = transformer<tf.Tensor>(async function* (up) {
 *   for await (const r of up) yield { ...r, loss: 2 * r.loss };
 * });
 * const losses: number[] = [];
 * for await (const r of pipe(steps(program, [tf.scalar(1), tf.scalar(3)]), doubled)) losses.push(r.loss);
 * if (losses.join() !== "2,6") throw new Error(losses.join());
 * ```
 */
export function transformer<B>(
  body: (upstream: Steps<B>, run: Run<B>) => AsyncGenerator<StepReport, void, void>,
  setup?: (run: Run<B>) => void,
): Transformer<B> {
  return (upstream: Steps<B>): Steps<B> => {
    setup?.(upstream.run);
    let used = false;
    return {
      run: upstream.run,
      [Symbol.asyncIterator]() {
        if (used) throw new Error("Cannot iterate a step stream twice: it runs once");
        used = true;
        return body(upstream, upstream.run);
      },
    };
  };
}

/**
 * Composes transformers left to right into one (as Optax's `chain` composes gradient
 * transformations): `chain(f, g)(s)` is `g(f(s))`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { chain, steps, transformer } from "./steps.ts";
 * await tf.setBackend("cpu");
 * const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });
 * const program = { embedder, optimizer: tf.train.sgd(0.1), setLearningRate: () => {}, trainStep: (x: tf.Tensor) => tf.mean(x) as tf.Scalar };
 * const add = (n: number) => transformer<tf.Tensor>(async function* (up) { for await (const r of up) yield { ...r, loss: r.loss + n }; });
 * const times = (n: number) => transformer<tf.Tensor>(async function* (up) { for await (const r of up) yield { ...r, loss: r.loss * n }; });
 * const losses: number[] = [];
 * for await (const r of chain(add(1), times(10))(steps(program, [tf.scalar(1)]))) losses.push(r.loss);
 * if (losses.join() !== "20") throw new Error(losses.join());
 * ```
 */
export function chain<B>(...transformers: readonly Transformer<B>[]): Transformer<B> {
  return (s: Steps<B>) => transformers.reduce((acc, t) => t(acc), s);
}

const sourceOf = <B>(batches: Batches<B> | LazyBatches<unknown, B>) => {
  if (isLazyBatches(batches)) {
    const { indices, convert } = batches as LazyBatches<unknown, B>;
    return {
      perEpoch: typeof indices === "function",
      open: (epoch: number) =>
        iteratorOf(typeof indices === "function" ? indices(epoch) : indices, "indices"),
      convert: convert as (raw: unknown, at: { step: number; epoch: number }) => B | Promise<B>,
    };
  }
  return {
    perEpoch: typeof batches === "function",
    open: (epoch: number) =>
      iteratorOf(
        typeof batches === "function"
          ? batches(epoch)
          : batches as Iterable<unknown> | AsyncIterable<unknown>,
      ),
    convert: undefined,
  };
};

/**
 * The minimal training stream: one optimiser step per batch of `batches`, yielding a
 * {@linkcode StepReport} after each (the step, epoch, loss, images, throughput, learning rate,
 * and `epochEnd` on an epoch's last step). Nothing else: learning-rate schedules, the
 * non-finite guard, validation, early stopping, history, checkpoints and progress are
 * transformers added with `pipe` (`fit` is the preset chain).
 *
 * - **Ownership**: the stream owns every batch it takes (tensor batches, or those it converts
 *   from {@linkcode lazyBatches}) and disposes it after its step, on an error, and when the
 *   consumer leaves; a batch looked at to find an epoch's end is disposed too.
 * - **Resume** (`start`): the stream skips the batches the checkpointed run took (its position
 *   is saved in `run.state.source`). Lazy batches skip as indices (no tensors are built);
 *   plain tensor batches are drawn and disposed.
 * - **Stopping**: after `steps` steps, `epochs` epochs, when the batches end with
 *   `stepsPerEpoch` ("exhausted"), on `signal`, or when a transformer calls `run.stop`.
 *
 * @param program The program to train.
 * @param batches Tensor batches ({@linkcode Batches}) or {@linkcode lazyBatches}.
 * @param options Length, epochs, signal, resume position.
 * @returns The report stream with its run.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { steps } from "./steps.ts";
 * await tf.setBackend("cpu");
 * const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });
 * const program = { embedder, optimizer: tf.train.sgd(0.1), setLearningRate: () => {}, trainStep: (x: tf.Tensor) => tf.mean(x) as tf.Scalar };
 * function* endless() { for (let i = 1; ; i++) yield tf.fill([2, 1], i); }
 * const before = tf.memory().numTensors;
 * const seen: string[] = [];
 * for await (const r of steps(program, endless(), { steps: 3, stepsPerEpoch: 2 })) {
 *   seen.push(`${r.epoch}:${r.stepInEpoch}:${r.loss}${r.epochEnd ? "|" : ""}`);
 * }
 * if (seen.join() !== "0:1:1,0:2:2|,1:1:3") throw new Error(seen.join());
 * if (tf.memory().numTensors !== before) throw new Error("every batch is disposed");
 * ```
 */
export function steps<B>(
  program: TrainableProgram<B>,
  batches: Batches<B> | LazyBatches<unknown, B>,
  options: StepsOptions = {},
): Steps<B> {
  const what = "run steps";
  checkCount(what, "epochs", options.epochs, 1);
  checkCount(what, "steps", options.steps, 1);
  checkCount(what, "stepsPerEpoch", options.stepsPerEpoch, 1);
  const { stepsPerEpoch, signal } = options;
  const start = options.start ?? { step: 0, epoch: 0, stepInEpoch: 0, state: null };
  for (const key of ["step", "epoch", "stepInEpoch"] as const) {
    if (!Number.isInteger(start[key]) || start[key] < 0) {
      throw new Error(
        `Cannot run steps as start.${key} must be an integer ≥ 0: current value is ${
          shown(start[key])
        }`,
      );
    }
  }
  const epochs = options.epochs ?? (options.steps !== undefined ? Infinity : 1);
  const maxSteps = options.steps ?? Infinity;
  const totalSteps = Number.isFinite(maxSteps)
    ? (stepsPerEpoch !== undefined && Number.isFinite(epochs)
      ? Math.min(maxSteps, epochs * stepsPerEpoch)
      : maxSteps)
    : stepsPerEpoch !== undefined && Number.isFinite(epochs)
    ? epochs * stepsPerEpoch
    : undefined;
  const source = sourceOf(batches);

  const hooks: StepHooks<B>[] = [];
  const ends: ((reason: StopReason) => void | Promise<void>)[] = [];
  const lateEnds: ((reason: StopReason) => void | Promise<void>)[] = [];
  const state: Record<string, unknown> = { ...(start.state ?? {}) };
  const listeners: ((text: string) => void)[] = [];
  let requested: StopReason | undefined;
  let stopReason: StopReason | undefined;
  let learningRate = optimizerRate(program as TrainableProgram<unknown>);
  const savedSource = state.source as SourceState | undefined;
  const savedHistory = state.history as Partial<History> | undefined;
  const elapsed0 = savedSource?.elapsedMs ?? savedHistory?.elapsedMs ?? 0;
  let startTime = performance.now() - elapsed0;
  const run: Run<B> = {
    program,
    plan: { epochs, maxSteps, stepsPerEpoch, totalSteps },
    start: { step: start.step, epoch: start.epoch, stepInEpoch: start.stepInEpoch },
    state,
    uses: new Set(),
    get learningRate() {
      return learningRate;
    },
    setLearningRate(rate: number) {
      if (rate !== learningRate) {
        program.setLearningRate(rate);
        learningRate = rate;
      }
    },
    hook: (h) => void hooks.push(h),
    onEnd: (f, o) => void (o?.late ? lateEnds : ends).push(f),
    say: (text) => listeners.forEach((f) => f(text)),
    listen: (f) => void listeners.push(f),
    stop: (reason) => void (requested ??= reason),
    elapsedMs: () => performance.now() - startTime,
    get stopReason() {
      return stopReason;
    },
  };

  async function* loop(): AsyncGenerator<StepReport, void, void> {
    startTime = performance.now() - elapsed0;
    let step = start.step;
    let epoch = start.epoch;
    let stepInEpoch = start.stepInEpoch;
    let epochLossSum = 0;
    let epochImages = savedSource?.epochImages ?? 0;
    let epochMs = savedSource?.epochMs ?? 0;
    if (stepInEpoch > 0) {
      // Resumed mid-epoch: the epoch's sums so far (from the history for older checkpoints).
      epochLossSum = savedSource?.epochLossSum ??
        (savedHistory?.loss ?? []).slice(-stepInEpoch).reduce((a, b) => a + b, 0);
    }
    const continuous = stepsPerEpoch !== undefined && !source.perEpoch;
    const epochDone = () => stepsPerEpoch !== undefined && stepInEpoch >= stepsPerEpoch;
    if (epochDone()) {
      epoch += 1;
      stepInEpoch = 0;
      epochLossSum = epochImages = epochMs = 0;
    }
    let iterator: AnyIterator<unknown> | null = null;
    let lookahead: IteratorResult<unknown> | null = null;
    let taken = 0; // batches taken from `iterator` (the lookahead not included)
    const release = (raw: unknown) => {
      if (!source.convert) disposeBatch(raw); // a tensor batch; indices hold no tensors
    };
    const closeIterator = async () => {
      if (lookahead && !lookahead.done) release(lookahead.value);
      lookahead = null;
      const it = iterator;
      iterator = null;
      if (it) await it.return?.();
    };
    const openIterator = async (skip: number) => {
      await closeIterator();
      iterator = source.open(epoch);
      taken = 0;
      for (let i = 0; i < skip; i++) {
        const r = await iterator.next();
        if (r.done) {
          throw new Error(
            `Cannot resume at step ${step} as the batches ended after ${i} of the ${skip} batches to skip`,
          );
        }
        release(r.value);
        taken += 1;
      }
    };
    const takeRaw = async (): Promise<IteratorResult<unknown>> => {
      const r = lookahead ?? await iterator!.next();
      lookahead = null;
      if (!r.done) taken += 1;
      return r;
    };
    /** Batches to skip when (re)opening the stream at the start of the run. */
    const resumeSkip = (derived: number) =>
      savedSource && (continuous || savedSource.epoch === epoch) &&
        Number.isInteger(savedSource.batches)
        ? savedSource.batches
        : derived;

    let reason: StopReason = "completed";
    let first = true;
    try {
      if (continuous) await openIterator(resumeSkip(step));
      outer: while (epoch < epochs) {
        if (step >= maxSteps) {
          reason = "steps";
          break;
        }
        if (!continuous) await openIterator(first ? resumeSkip(stepInEpoch) : 0);
        first = false;
        let sawBatch = stepInEpoch > 0;
        while (!epochDone()) {
          if (step >= maxSteps) {
            reason = "steps";
            break outer;
          }
          if (signal?.aborted) {
            reason = "aborted";
            break outer;
          }
          const t0 = performance.now();
          const next = await takeRaw();
          if (next.done) {
            if (stepsPerEpoch !== undefined) {
              reason = "exhausted";
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
          const at: Position = { step, epoch, stepInEpoch };
          let batch: B | undefined = source.convert ? undefined : next.value as B;
          let loss = NaN;
          let images = 0;
          try {
            if (source.convert) batch = await source.convert(next.value, { step, epoch });
            for (const h of hooks) await h.before?.(batch as B, at);
            images = imagesIn(batch);
            const lossTensor = program.trainStep(batch as B);
            const probes: Tensor[] = [];
            let values: Float32Array;
            try {
              for (const h of hooks) if (h.probe) probes.push(await h.probe());
              const read = tf.tidy(() =>
                tf.concat([
                  tf.reshape(tf.cast(lossTensor, "float32"), [-1]),
                  ...probes.map((p) => tf.reshape(tf.cast(p, "float32"), [-1])),
                ])
              );
              try {
                values = await read.data() as Float32Array;
              } finally {
                read.dispose();
              }
            } finally {
              lossTensor.dispose();
              tf.dispose(probes);
            }
            loss = lossTensor.size > 0 ? values[0] : NaN;
            let offset = lossTensor.size;
            for (const h of hooks) {
              if (!h.probe) {
                await h.after?.({ loss }, at);
                continue;
              }
              const size = probes.shift()!.size;
              await h.after?.({ loss, probe: values.subarray(offset, offset + size) }, at);
              offset += size;
            }
          } finally {
            disposeBatch(batch);
          }
          step += 1;
          stepInEpoch += 1;
          // Look one batch ahead when only the stream's end tells where the epoch ends; lazy
          // batches (only indices) on the last step too, so that a run cut there and resumed
          // knows the epoch ended (a tensor batch is not built for that).
          if (stepsPerEpoch === undefined && (step < maxSteps || source.convert)) {
            lookahead = await iterator!.next();
          }
          const t1 = performance.now();
          const ms = Math.max(t1 - t0, 1e-6);
          epochLossSum += loss;
          epochImages += images;
          epochMs += ms;
          const endsEpoch = stepsPerEpoch !== undefined
            ? stepInEpoch >= stepsPerEpoch
            : lookahead?.done === true;
          const report: { -readonly [K in keyof StepReport]: StepReport[K] } = {
            step,
            epoch,
            stepInEpoch,
            loss,
            images,
            imagesPerSecond: (images / ms) * 1000,
            learningRate,
            elapsedMs: t1 - startTime,
          };
          if (endsEpoch) {
            report.epochEnd = {
              meanLoss: epochLossSum / stepInEpoch,
              imagesPerSecond: epochMs > 0 ? (epochImages / epochMs) * 1000 : 0,
            };
          }
          const position: SourceState = endsEpoch
            ? {
              batches: continuous ? taken : 0,
              epoch: epoch + 1,
              epochLossSum: 0,
              epochImages: 0,
              epochMs: 0,
              elapsedMs: report.elapsedMs,
            }
            : {
              batches: taken,
              epoch,
              epochLossSum,
              epochImages,
              epochMs,
              elapsedMs: t1 - startTime,
            };
          state.source = position;
          yield report;
          if (requested !== undefined) {
            reason = requested;
            break outer;
          }
          if (endsEpoch && stepsPerEpoch === undefined) break;
        }
        epoch += 1;
        stepInEpoch = 0;
        epochLossSum = epochImages = epochMs = 0;
      }
      if (reason === "completed" && step >= maxSteps && epoch < epochs) reason = "steps";
      stopReason = reason;
      for (const f of [...ends, ...lateEnds]) await f(reason);
    } finally {
      await closeIterator();
    }
  }

  let used = false;
  return {
    run,
    [Symbol.asyncIterator]() {
      if (used) throw new Error("Cannot iterate a step stream twice: it runs once");
      used = true;
      return loop();
    },
  };
}
