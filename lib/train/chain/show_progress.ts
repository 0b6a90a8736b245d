import { createProgress, stderrIsTerminal } from "../_progress.ts";
import { checkCount, shown } from "./_util.ts";
import { type Transformer, transformer } from "./steps.ts";

/**
 * Options of {@linkcode showProgress}.
 *
 * @example
 * ```ts
 * import type { ShowProgressOptions } from "./show_progress.ts";
 * const o: ShowProgressOptions = { mode: "lines", logEvery: 10 };
 * if (o.logEvery !== 10) throw new Error("logEvery");
 * ```
 */
export interface ShowProgressOptions {
  /** `"auto"` (default): a bar when stderr is a terminal, else plain lines; or force one. */
  readonly mode?: "auto" | "bar" | "lines" | "none";
  /** Steps between plain progress lines. Default: 1/20 of the run, or 50. */
  readonly logEvery?: number;
  /** Replaces stderr as the output (receives text with its newlines). */
  readonly write?: (text: string) => void;
}

/**
 * Shows the run's progress on stderr: a bar redrawn in place on a terminal, plain lines
 * otherwise; a line at each epoch end, validation, and what other transformers say
 * (`run.say`, e.g. early stopping's restore).
 *
 * @param options Display mode, line interval, output.
 * @returns The transformer.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { steps } from "./steps.ts";
 * import { showProgress } from "./show_progress.ts";
 * import { pipe } from "../../pipe.ts";
 * await tf.setBackend("cpu");
 * const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });
 * const program = { embedder, optimizer: tf.train.sgd(0.1), setLearningRate: () => {}, trainStep: (x: tf.Tensor) => tf.mean(x) as tf.Scalar };
 * let text = "";
 * const run = pipe(steps(program, [1, 2].map(() => tf.ones([1, 1]))), showProgress({ mode: "lines", logEvery: 1, write: (t) => text += t }));
 * for await (const _ of run);
 * if (!text.includes("epoch 1/1 step 2 loss 1") || !text.includes("epoch 1 done")) throw new Error(text);
 * ```
 */
export function showProgress<B>(options: ShowProgressOptions = {}): Transformer<B> {
  if (options === null || typeof options !== "object") {
    throw new Error(
      `Cannot show progress as options must be an object: current value is ${shown(options)}`,
    );
  }
  const mode = options.mode ?? "auto";
  if (!["auto", "bar", "lines", "none"].includes(mode)) {
    throw new Error(
      `Cannot fit as progress must be "auto", "bar", "lines" or "none": current value is ${
        shown(mode)
      }`,
    );
  }
  checkCount("fit", "logEvery", options.logEvery, 1);
  if (options.write !== undefined && typeof options.write !== "function") {
    throw new Error(
      `Cannot fit as write must be a function: current value is ${shown(options.write)}`,
    );
  }
  return transformer<B>(async function* (upstream, run) {
    const { totalSteps, stepsPerEpoch, epochs } = run.plan;
    const progress = createProgress(
      mode === "auto" ? (stderrIsTerminal() ? "bar" : "lines") : mode,
      {
        logEvery: options.logEvery ??
          (totalSteps !== undefined ? Math.max(1, Math.round(totalSteps / 20)) : 50),
        write: options.write,
      },
    );
    let live = true;
    run.listen((text) => {
      if (live) progress.line(text);
    });
    try {
      for await (const report of upstream) {
        progress.step({
          step: report.step,
          epoch: report.epoch,
          stepInEpoch: report.stepInEpoch,
          stepsPerEpoch,
          epochs: Number.isFinite(epochs) ? epochs : undefined,
          totalSteps,
          loss: report.loss,
          imagesPerSecond: report.imagesPerSecond,
          learningRate: report.learningRate,
          elapsedMs: report.elapsedMs,
        });
        if (report.epochEnd) {
          progress.line(
            `epoch ${report.epoch + 1} done: mean loss ${
              report.epochEnd.meanLoss.toPrecision(4)
            }, ${Math.round(report.epochEnd.imagesPerSecond)} img/s`,
          );
        }
        if (report.validation) {
          progress.line(
            `validation at step ${report.step}: ${
              Object.entries(report.validation).map(([k, v]) => `${k} ${v.toPrecision(4)}`).join(
                ", ",
              )
            }`,
          );
        }
        yield report;
      }
    } finally {
      live = false;
      progress.finish();
    }
  });
}
