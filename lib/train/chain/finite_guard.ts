import type { TrainableProgram } from "../trainable_program.ts";
import {
  captureState,
  disposeState,
  finiteProbe,
  finiteProbes,
  firstNonFinite,
  restoreState,
  stateTensors,
  type TrainingState,
} from "../_state.ts";
import * as tf from "@tensorflow/tfjs";
import { batchTensors } from "./_util.ts";
import { assignAdamPowers, cloneAdamPowers } from "../_adam_powers.ts";
import { type Transformer, transformer } from "./steps.ts";

/** Names the first non-finite weight or optimiser slot, or undefined when all are finite. */
const findPoisoned = async (program: TrainableProgram<unknown>): Promise<string | undefined> => {
  const { tensors, fresh } = await stateTensors(program);
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

/**
 * Guards against non-finite numbers:
 * - the run does not start from non-finite weights (an error names the weight);
 * - a batch holding a NaN or an infinity is rejected before its step (the error names the
 *   field, e.g. `batch.anchor`, and the step; the weights are unchanged);
 * - a step whose loss, weights or optimiser slots come out non-finite ends the run with an
 *   error naming the step and the tensor, after putting back the weights, optimiser state and
 *   dropout streams of the last finite step (a copy-free snapshot kept each step; one fused
 *   sum of every weight, read with the loss, checks them).
 *
 * @returns The transformer.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { steps } from "./steps.ts";
 * import { finiteGuard } from "./finite_guard.ts";
 * import { pipe } from "../../pipe.ts";
 * await tf.setBackend("cpu");
 * const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });
 * const program = { embedder, optimizer: tf.train.sgd(0.1), setLearningRate: () => {}, trainStep: (x: tf.Tensor) => tf.mean(x) as tf.Scalar };
 * const before = tf.memory().numTensors;
 * const run = pipe(steps(program, [tf.ones([1, 1]), tf.fill([1, 1], NaN)]), finiteGuard());
 * const error = await (async () => { for await (const _ of run); })().catch((e) => e);
 * if (!/batch holds NaN at index 0/.test(error?.message)) throw new Error(`${error}`);
 * if (tf.memory().numTensors !== before) throw new Error("leak");
 * ```
 */
export function finiteGuard<B>(): Transformer<B> {
  let lastGood: TrainingState | null = null;
  // Adam's running powers, which the optimiser's weights leave out (restoring those recomputes
  // them with pow, off in the last bits)
  let lastPowers: (tf.Tensor[] | null)[] = [];
  const capture = async (program: TrainableProgram<unknown>) => {
    release();
    lastGood = await captureState(program);
    lastPowers = cloneAdamPowers(program);
  };
  const release = () => {
    disposeState(lastGood);
    lastGood = null;
    tf.dispose(lastPowers.flatMap((p) => p ?? []));
    lastPowers = [];
  };
  return transformer<B>(
    async function* (upstream, run) {
      const program = run.program as TrainableProgram<unknown>;
      try {
        const poisoned = await findPoisoned(program);
        if (poisoned !== undefined) {
          throw new Error(
            `Cannot fit as the program's state is not finite before step ${
              run.start.step + 1
            }: ${poisoned}`,
          );
        }
        await capture(program);
        yield* upstream;
      } finally {
        release();
      }
    },
    (run) => {
      const program = run.program as TrainableProgram<unknown>;
      run.hook({
        before: async (batch, { step, epoch }) => {
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
        },
        probe: async () => {
          const { tensors, fresh } = await stateTensors(program);
          tf.dispose(fresh);
          return finiteProbe(tensors.map((n) => n.tensor));
        },
        after: async ({ loss, probe }, { step, epoch, stepInEpoch }) => {
          const finite = probe !== undefined && Number.isFinite(probe[0]);
          const poisoned = finite ? undefined : await findPoisoned(program);
          if (!Number.isFinite(loss) || poisoned !== undefined) {
            if (lastGood) {
              await restoreState(program, lastGood);
              assignAdamPowers(program, lastPowers);
            }
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
          await capture(program);
        },
      });
    },
  );
}
