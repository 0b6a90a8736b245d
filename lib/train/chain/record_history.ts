import type { History } from "../fit.ts";
import { emptyHistory } from "./_util.ts";
import type { Run, Transformer } from "./steps.ts";

/**
 * The run's {@linkcode History} as {@linkcode recordHistory} keeps it (in `run.state.history`,
 * so checkpoints save it and a resumed run's history is whole); undefined without it.
 *
 * @param run The run (`steps(…).run`).
 * @returns The history so far (complete once the stream ended).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { steps } from "./steps.ts";
 * import { historyOf, recordHistory } from "./record_history.ts";
 * import { pipe } from "../../pipe.ts";
 * await tf.setBackend("cpu");
 * const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });
 * const program = { embedder, optimizer: tf.train.sgd(0.1), setLearningRate: () => {}, trainStep: (x: tf.Tensor) => tf.mean(x) as tf.Scalar };
 * const run = pipe(steps(program, [1, 3].map((v) => tf.scalar(v))), recordHistory());
 * for await (const _ of run);
 * const h = historyOf(run.run);
 * if (h?.loss.join() !== "1,3" || h.epochLoss.join() !== "2" || h.stopReason !== "completed") throw new Error(`${h?.loss}`);
 * ```
 */
export function historyOf(run: Run<unknown>): History | undefined {
  return run.state.history as History | undefined;
}

/**
 * Records every step's loss and learning rate, each epoch's mean loss and throughput, every
 * validation, and the totals and stop reason when the run ends, as the {@linkcode History} in
 * `run.state.history` (read it with {@linkcode historyOf}).
 *
 * @returns The transformer.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { steps } from "./steps.ts";
 * import { historyOf, recordHistory } from "./record_history.ts";
 * import { pipe } from "../../pipe.ts";
 * await tf.setBackend("cpu");
 * const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });
 * const program = { embedder, optimizer: tf.train.sgd(0.1), setLearningRate: () => {}, trainStep: (x: tf.Tensor) => tf.mean(x) as tf.Scalar };
 * const run = pipe(steps(program, [1, 2, 3].map((v) => tf.fill([2, 1], v)), { steps: 2 }), recordHistory());
 * for await (const _ of run);
 * const h = historyOf(run.run)!;
 * if (h.steps !== 2 || h.images !== 4 || h.stopReason !== "steps") throw new Error(`${h.steps}`);
 * ```
 */
export function recordHistory<B>(): Transformer<B> {
  return (s) => {
    const run = s.run;
    const saved = run.state.history as Partial<History> | undefined;
    const history: History = { ...emptyHistory(), ...(saved ?? {}), steps: run.start.step };
    run.state.history = history;
    run.onEnd((reason) => {
      history.stopReason = reason;
      history.elapsedMs = run.elapsedMs();
      history.imagesPerSecond = history.elapsedMs > 0
        ? (history.images / history.elapsedMs) * 1000
        : 0;
    });
    let used = false;
    return {
      run,
      async *[Symbol.asyncIterator]() {
        if (used) throw new Error("Cannot iterate a step stream twice: it runs once");
        used = true;
        for await (const report of s) {
          history.loss.push(report.loss);
          history.learningRate.push(report.learningRate);
          history.steps = report.step;
          history.images += report.images;
          history.elapsedMs = report.elapsedMs;
          if (report.epochEnd) {
            history.epochLoss.push(report.epochEnd.meanLoss);
            history.epochImagesPerSecond.push(report.epochEnd.imagesPerSecond);
            history.epochs = report.epoch + 1;
          }
          if (report.validation) {
            history.validation.push({ step: report.step, metrics: { ...report.validation } });
          }
          yield report;
        }
      },
    };
  };
}
