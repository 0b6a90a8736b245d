import type { LearningRate } from "../fit.ts";
import { shown } from "./_util.ts";
import type { Transformer } from "./steps.ts";

/**
 * Sets the learning rate before every step: a constant, or a schedule of the 0-based index of
 * the step about to run and its epoch (e.g. `cosineDecay`), through `program.setLearningRate`
 * (only when it changes). A schedule that gives anything but a positive number ends the run
 * with an error naming the step.
 *
 * @param rate The rate or schedule.
 * @returns The transformer.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { steps } from "./steps.ts";
 * import { schedule } from "./schedule.ts";
 * import { pipe } from "../../pipe.ts";
 * await tf.setBackend("cpu");
 * const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });
 * const optimizer = tf.train.sgd(1);
 * const program = { embedder, optimizer, setLearningRate: (lr: number) => optimizer.setLearningRate(lr), trainStep: (x: tf.Tensor) => tf.mean(x) as tf.Scalar };
 * const rates: number[] = [];
 * const run = pipe(steps(program, [1, 2, 3].map((v) => tf.scalar(v))), schedule((step) => 1 / (step + 1)));
 * for await (const r of run) rates.push(r.learningRate);
 * if (rates.join() !== `1,${1 / 2},${1 / 3}`) throw new Error(rates.join());
 * ```
 */
export function schedule<B>(rate: LearningRate): Transformer<B> {
  if (
    typeof rate === "number" ? !(Number.isFinite(rate) && rate > 0) : typeof rate !== "function"
  ) {
    throw new Error(
      `Cannot schedule the learning rate as it must be a positive number or a function (step, epoch) => rate: current value is ${
        shown(rate)
      }`,
    );
  }
  return (s) => {
    s.run.hook({
      before: (_batch, { step, epoch }) => {
        const r = typeof rate === "function" ? rate(step, epoch) : rate;
        if (!(typeof r === "number" && Number.isFinite(r) && r > 0)) {
          throw new Error(
            `Cannot set the learning rate at step ${step + 1} as the schedule gave ${
              shown(r)
            } (learningRate(${step}, ${epoch})): expected a positive number`,
          );
        }
        s.run.setLearningRate(r);
      },
    });
    return s;
  };
}
