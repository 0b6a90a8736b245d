import type { CheckpointOptions, StepReport } from "../fit.ts";
import { cleanCheckpointDir } from "../_checkpoint.ts";
import { saveCheckpoint } from "../save_checkpoint.ts";
import { checkCount, shown } from "./_util.ts";
import { type Transformer, transformer } from "./steps.ts";

/**
 * Checks `options` and prepares `options.dir`: it must be a folder (or not exist yet); what a
 * killed checkpoint write left there (`.step-N.tmp-…`) is removed.
 *
 * @param options The checkpoint options.
 * @returns Nothing; throws an error naming the option and its value.
 *
 * @example
 * ```ts
 * import { prepareCheckpointDir } from "./checkpoints.ts";
 * const file = await Deno.makeTempFile();
 * const error = await prepareCheckpointDir({ dir: file, every: 1 }).catch((e) => e);
 * await Deno.remove(file);
 * if (!/must be a folder/.test(error?.message)) throw new Error(`${error}`);
 * ```
 */
export async function prepareCheckpointDir(options: CheckpointOptions): Promise<void> {
  if (options === null || typeof options !== "object") {
    throw new Error(
      `Cannot fit as checkpoint must be { dir, every, keep? }: current value is ${shown(options)}`,
    );
  }
  if (typeof options.dir !== "string" || options.dir.length === 0) {
    throw new Error(
      `Cannot fit as checkpoint.dir must be a non-empty path: current value is ${
        shown(options.dir)
      }`,
    );
  }
  checkCount("fit", "checkpoint.every", options.every ?? NaN, 1, false);
  checkCount("fit", "checkpoint.keep", options.keep, 1, false);
  const info = await Deno.stat(options.dir).catch((error) => {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  });
  if (info !== undefined && !info.isDirectory) {
    throw new Error(
      `Cannot fit as checkpoint.dir must be a folder: current value is ${
        JSON.stringify(options.dir)
      }, which is a file`,
    );
  }
  // What a killed checkpoint write left behind goes before anything reads the folder.
  await cleanCheckpointDir(options.dir);
}

/**
 * Writes a checkpoint (`saveCheckpoint`: weights, optimiser, dropout streams, and the whole
 * `run.state` — history, early stopping, the batch stream's position) every `every` steps and
 * when the run ends normally, to `dir/step-<9 digits>/`, keeping the newest `keep`; the path
 * is on the step's report (`report.checkpoint`). A step that ends an epoch is saved as "next
 * epoch, step 0". Never on an error: a non-finite state is never saved over a good one.
 *
 * @param options Where, how often, how many to keep.
 * @returns The transformer.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { steps } from "./steps.ts";
 * import { checkpoints } from "./checkpoints.ts";
 * import { pipe } from "../../pipe.ts";
 * await tf.setBackend("cpu");
 * const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });
 * const program = { embedder, optimizer: tf.train.sgd(0.1), setLearningRate: () => {}, trainStep: (x: tf.Tensor) => tf.mean(x) as tf.Scalar };
 * const dir = await Deno.makeTempDir();
 * const run = pipe(steps(program, [1, 2, 3].map(() => tf.ones([1, 1]))), checkpoints({ dir, every: 2 }));
 * const written: string[] = [];
 * for await (const r of run) if (r.checkpoint) written.push(r.checkpoint.slice(dir.length + 1));
 * const names = (await Array.fromAsync(Deno.readDir(dir))).map((d) => d.name).sort();
 * await Deno.remove(dir, { recursive: true });
 * if (written.join() !== "step-000000002" || names.join() !== "step-000000002,step-000000003") throw new Error(names.join());
 * ```
 */
export function checkpoints<B>(options: CheckpointOptions): Transformer<B> {
  if (options === null || typeof options !== "object") {
    throw new Error(
      `Cannot fit as checkpoint must be { dir, every, keep? }: current value is ${shown(options)}`,
    );
  }
  checkCount("fit", "checkpoint.every", options.every ?? NaN, 1, false);
  let last: StepReport | undefined;
  let lastSaved = 0;
  let save: (report: StepReport) => Promise<string | undefined> = () => Promise.resolve(undefined);
  return transformer<B>(
    async function* (upstream) {
      await prepareCheckpointDir(options);
      for await (const report of upstream) {
        last = report;
        if (report.step % options.every === 0) {
          const path = await save(report);
          yield path === undefined ? report : { ...report, checkpoint: path };
        } else yield report;
      }
    },
    (run) => {
      lastSaved = run.start.step;
      save = async (report: StepReport) => {
        if (report.step === lastSaved) return undefined;
        const atEpochEnd = report.epochEnd !== undefined;
        const path = await saveCheckpoint(run.program, options.dir, {
          step: report.step,
          epoch: atEpochEnd ? report.epoch + 1 : report.epoch,
          stepInEpoch: atEpochEnd ? 0 : report.stepInEpoch,
          state: run.state,
          keep: options.keep,
        });
        lastSaved = report.step;
        return path;
      };
      run.onEnd(async () => {
        if (last !== undefined) await save(last);
      });
    },
  );
}
