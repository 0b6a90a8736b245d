import * as tf from "@tensorflow/tfjs";
import type { Tensor } from "../../types.ts";
import type { EarlyStoppingOptions } from "../fit.ts";
import { readInLayerOrder, writeInLayerOrder } from "../_layer_weights.ts";
import { lossStateOf } from "../_state.ts";
import type { TrainableProgram } from "../trainable_program.ts";
import { checkCount, shown } from "./_util.ts";
import { type Transformer, transformer } from "./steps.ts";

/** Early stopping's record in `run.state.early` (saved in checkpoints). */
interface EarlyState {
  best: number | null;
  bestStep: number;
  wait: number;
}

/**
 * Stops the run when a monitored number stops improving: a validation metric, checked on every
 * report that carries validation metrics, or `"loss"` (the epoch's mean training loss),
 * checked at each epoch end when the chain validates nothing. After more than `patience`
 * checks without an improvement of at least `minDelta` it asks the stream to stop
 * (`stopReason` "early-stopping"); with `restoreBest` the weights of the best check are put
 * back when the run ends (after its last checkpoint). A monitored value that is missing or not
 * finite is an error naming it and the step. Its record (best, wait) is saved in checkpoints.
 *
 * @param options What to monitor and how patiently.
 * @returns The transformer.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { steps } from "./steps.ts";
 * import { validate } from "./validate.ts";
 * import { earlyStopping } from "./early_stopping.ts";
 * import { pipe } from "../../pipe.ts";
 * await tf.setBackend("cpu");
 * const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });
 * const program = { embedder, optimizer: tf.train.sgd(0.1), setLearningRate: () => {}, trainStep: (x: tf.Tensor) => tf.mean(x) as tf.Scalar };
 * const scores = [1, 3, 2, 3, 9, 9];
 * const s = steps(program, scores.map(() => tf.ones([1, 1])));
 * const run = pipe(s, validate({ every: 1, run: ({ step }) => ({ score: scores[step - 1] }) }), earlyStopping({ monitor: "score", mode: "max", patience: 1 }));
 * let last = 0;
 * for await (const r of run) last = r.step;
 * if (last !== 4 || s.run.stopReason !== "early-stopping") throw new Error(`${last}`);
 * ```
 */
export function earlyStopping<B>(options: EarlyStoppingOptions): Transformer<B> {
  if (options === null || typeof options !== "object") {
    throw new Error(
      `Cannot stop early as options must be { monitor, … }: current value is ${shown(options)}`,
    );
  }
  if (typeof options.monitor !== "string") {
    throw new Error(
      `Cannot stop early as monitor must be a metric name: current value is ${
        shown(options.monitor)
      }`,
    );
  }
  checkCount("stop early", "patience", options.patience, 0);
  const mode = options.mode ?? "min";
  if (mode !== "min" && mode !== "max") {
    throw new Error(
      `Cannot stop early as mode must be "min" or "max": current value is ${shown(mode)}`,
    );
  }
  const delta = options.minDelta ?? 0;
  if (!(typeof delta === "number" && Number.isFinite(delta) && delta >= 0)) {
    throw new Error(
      `Cannot stop early as minDelta must be a finite number ≥ 0: current value is ${shown(delta)}`,
    );
  }
  const patience = options.patience ?? 3;
  let snapshot: Tensor[] | null = null;
  const drop = () => {
    if (snapshot) tf.dispose(snapshot);
    snapshot = null;
  };
  return transformer<B>(
    async function* (upstream, run) {
      const program = run.program as TrainableProgram<unknown>;
      const saved = run.state.early as EarlyState | undefined;
      const early: EarlyState = saved ? { ...saved } : { best: null, bestStep: 0, wait: 0 };
      run.state.early = early;
      const onValidation = run.uses.has("validation");
      if (options.monitor !== "loss" && !onValidation) {
        throw new Error(
          `Cannot stop early as earlyStopping monitors ${
            JSON.stringify(options.monitor)
          }, which only validation produces: add validation or monitor "loss"`,
        );
      }
      const check = (value: number | undefined, step: number): boolean => {
        if (value === undefined || !Number.isFinite(value)) {
          throw new Error(
            `Cannot apply early stopping at step ${step} as ${
              JSON.stringify(options.monitor)
            } is ${value}: expected a finite number`,
          );
        }
        const improved = early.best === null ||
          (mode === "max" ? value > early.best + delta : value < early.best - delta);
        if (improved) {
          early.best = value;
          early.bestStep = step;
          early.wait = 0;
          if (options.restoreBest) {
            drop();
            snapshot = [
              ...readInLayerOrder(program.embedder).map((w) => w.clone()),
              ...(program.head ? readInLayerOrder(program.head).map((w) => w.clone()) : []),
              ...(lossStateOf(program)?.parameters.map((p) => p.variable.clone()) ?? []),
            ];
          }
          return false;
        }
        early.wait += 1;
        return early.wait > patience;
      };
      try {
        for await (const report of upstream) {
          let stop = false;
          if (onValidation) {
            if (report.validation) stop = check(report.validation[options.monitor], report.step);
          } else if (report.epochEnd) {
            stop = check(report.epochEnd.meanLoss, report.step);
          }
          if (stop) run.stop("early-stopping");
          yield report;
        }
      } finally {
        // restored (when it stopped early) by the late end hook, which runs before this
        drop();
      }
    },
    (run) => {
      if (!options.restoreBest) return;
      run.onEnd((reason) => {
        if (reason !== "early-stopping" || !snapshot) return;
        const program = run.program as TrainableProgram<unknown>;
        const weights = snapshot;
        const n = program.embedder.weights.length;
        const h = n + (program.head?.weights.length ?? 0);
        writeInLayerOrder(program.embedder, weights.slice(0, n));
        if (program.head) writeInLayerOrder(program.head, weights.slice(n, h));
        lossStateOf(program)?.parameters.forEach((p, i) => p.variable.assign(weights[h + i]));
        run.say(
          `early stopping: restored the weights of step ${
            (run.state.early as EarlyState).bestStep
          }`,
        );
      }, { late: true });
    },
  );
}
