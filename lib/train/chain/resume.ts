import { listCheckpointDirs, readCheckpoint } from "../_checkpoint.ts";
import { latestCheckpoint } from "../latest_checkpoint.ts";
import { loadCheckpoint } from "../load_checkpoint.ts";
import type { TrainableProgram } from "../trainable_program.ts";
import { shown } from "./_util.ts";
import type { StartAt } from "./steps.ts";

/**
 * Loads a checkpoint into `program` (weights, optimiser, dropout streams, loss state) and
 * returns where the run continues, for `steps`' `start`: its step, epoch and step in the epoch
 * and the run's saved state (history, early stopping, the batch stream's position).
 *
 * `from` is a checkpoint's path, or `true` for the newest in `dir` (undefined when there is
 * none: a fresh start). When the newest cannot be read, the error names the previous good
 * checkpoint, which is kept.
 *
 * @param program The program to restore into.
 * @param from `true` (the newest in `dir`) or a checkpoint path.
 * @param dir The checkpoint folder (needed with `true`).
 * @returns The start position and state, or undefined for a fresh start.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { resume } from "./resume.ts";
 * import { fitToEnd } from "../fit_to_end.ts";
 * await tf.setBackend("cpu");
 * const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });
 * const program = { embedder, optimizer: tf.train.sgd(0.1), setLearningRate: () => {}, trainStep: (x: tf.Tensor) => tf.mean(x) as tf.Scalar };
 * const dir = await Deno.makeTempDir();
 * if (await resume(program, true, dir) !== undefined) throw new Error("nothing to resume yet");
 * await fitToEnd(program, () => [1, 2, 3].map(() => tf.ones([1, 1])), { checkpoint: { dir, every: 2 }, progress: "none" });
 * const start = await resume(program, true, dir);
 * await Deno.remove(dir, { recursive: true });
 * if (start?.step !== 3 || start.epoch !== 1 || start.stepInEpoch !== 0) throw new Error(`${start?.step}`);
 * ```
 */
export async function resume<B>(
  program: TrainableProgram<B>,
  from: true | string,
  dir?: string,
): Promise<StartAt | undefined> {
  if (from !== true && !(typeof from === "string" && from.length > 0)) {
    throw new Error(
      `Cannot fit as resume must be true, false or a checkpoint path: current value is ${
        shown(from)
      }`,
    );
  }
  if (from === true && typeof dir !== "string") {
    throw new Error("Cannot fit as resume: true needs checkpoint.dir to find the last checkpoint");
  }
  const path = typeof from === "string" ? from : await latestCheckpoint(dir!);
  if (path === undefined) return undefined;
  let restored;
  try {
    restored = await loadCheckpoint(program, path);
  } catch (error) {
    let previous: string | undefined;
    if (from === true) {
      const older = (await listCheckpointDirs(dir!)).filter((c) => c.path !== path);
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
  const saved = restored.state;
  return {
    step: restored.step,
    epoch: restored.epoch,
    stepInEpoch: restored.stepInEpoch,
    state: saved !== null && typeof saved === "object" && !Array.isArray(saved)
      ? saved as Record<string, unknown>
      : null,
  };
}
