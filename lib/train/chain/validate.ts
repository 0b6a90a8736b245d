import type { StepReport, ValidationOptions } from "../fit.ts";
import { checkCount, shown } from "./_util.ts";
import { type Transformer, transformer } from "./steps.ts";

/**
 * Runs `options.run` after every `options.every`-th step and puts its metrics on that step's
 * report (`report.validation`), where early stopping, the history and progress find them.
 *
 * @param options How often, and what computes the metrics.
 * @returns The transformer.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { steps } from "./steps.ts";
 * import { validate } from "./validate.ts";
 * import { pipe } from "../../pipe.ts";
 * await tf.setBackend("cpu");
 * const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });
 * const program = { embedder, optimizer: tf.train.sgd(0.1), setLearningRate: () => {}, trainStep: (x: tf.Tensor) => tf.mean(x) as tf.Scalar };
 * const run = pipe(steps(program, [1, 2, 3, 4].map((v) => tf.scalar(v))), validate({ every: 2, run: ({ step }) => ({ score: step }) }));
 * const scores: string[] = [];
 * for await (const r of run) if (r.validation) scores.push(`${r.step}:${r.validation.score}`);
 * if (scores.join() !== "2:2,4:4") throw new Error(scores.join());
 * ```
 */
export function validate<B>(options: ValidationOptions): Transformer<B> {
  if (options === null || typeof options !== "object") {
    throw new Error(
      `Cannot validate as options must be { every, run }: current value is ${shown(options)}`,
    );
  }
  checkCount("validate", "every", options.every ?? NaN, 1, false);
  if (typeof options.run !== "function") {
    throw new Error(
      `Cannot validate as run must be a function: current value is ${shown(options.run)}`,
    );
  }
  return transformer<B>(
    async function* (upstream) {
      for await (const report of upstream) {
        if (report.step % options.every !== 0) {
          yield report;
          continue;
        }
        const metrics = await options.run({ step: report.step, epoch: report.epoch });
        const out: StepReport = { ...report, validation: metrics };
        yield out;
      }
    },
    (run) => void run.uses.add("validation"),
  );
}
