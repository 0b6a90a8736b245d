import * as tf from "@tensorflow/tfjs";
import { readInLayerOrder } from "./_layer_weights.ts";
import type { Tensor } from "../types.ts";
import {
  CHECKPOINT_FORMAT,
  type CheckpointFile,
  checkpointName,
  inFlight,
  listCheckpointDirs,
  nonFiniteIn,
  readCheckpoint,
  removeCheckpointDir,
} from "./_checkpoint.ts";
import { exists, join, sha256, tempPathFor, writeFileAtomic } from "./_fs.ts";
import { getRandomState, lossBuffersOf, lossStateOf } from "./_state.ts";
import { readAdamPowers } from "./_adam_powers.ts";
import { encodeGroups } from "./_weights.ts";
import type { TrainableProgram } from "./trainable_program.ts";

/** Options of {@linkcode saveCheckpoint}. */
export interface SaveCheckpointOptions {
  /** Optimiser steps done so far (names the checkpoint `step-<9 digits>`). */
  readonly step: number;
  /** Epochs completed before the current one (0-based epoch index). Default 0. */
  readonly epoch?: number;
  /** Steps done inside the current epoch. Default 0. */
  readonly stepInEpoch?: number;
  /** Any JSON value to keep beside the weights (the fit loop stores its history here). */
  readonly state?: unknown;
  /** How many checkpoints to keep in `dir`, newest first; older ones are removed after the
   * new one is written and verified. Default 2, at least 1. */
  readonly keep?: number;
}

/**
 * Saves the program's full training state — every weight of the embedder and of the head
 * (batch-norm statistics included), the optimiser's slots and iteration count, the loss's
 * parameters and their own optimisers' slots and its buffers (`program.lossState`: a
 * cross-batch memory's queue), Adam's running powers (which tfjs's optimiser weights leave
 * out), the position of every dropout layer's mask stream, the step and `state` — as `dir/step-<9 digits>/`,
 * and returns that path.
 *
 * Never writes non-finite weights: a NaN or an infinity in any weight or optimiser slot is
 * an error naming the tensor, and nothing is written or removed. Written atomically: the
 * files go to a temp directory that is renamed into place, then read back and verified
 * (SHA-256, finiteness), and only then are checkpoints beyond `keep` removed (each renamed
 * away before it is deleted), so a crash at any point leaves the previous good checkpoint
 * whole. What a crash leaves behind (`.step-N.tmp-…`) is cleaned by the next `fit` with
 * checkpoints.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { saveCheckpoint } from "./save_checkpoint.ts";
 * import { loadCheckpoint } from "./load_checkpoint.ts";
 *
 * await tf.setBackend("cpu");
 * const make = () => {
 *   const embedder = tf.sequential({
 *     layers: [tf.layers.dense({ inputShape: [2], units: 1, kernelInitializer: "ones" })],
 *   });
 *   const optimizer = tf.train.sgd(0.1);
 *   return {
 *     embedder,
 *     optimizer,
 *     setLearningRate: (lr: number) => { optimizer.setLearningRate(lr); },
 *     trainStep: (x: tf.Tensor) =>
 *       optimizer.minimize(() => tf.mean(tf.square(embedder.apply(x) as tf.Tensor)), true)!,
 *   };
 * };
 * const dir = await Deno.makeTempDir();
 * const a = make();
 * const x = tf.ones([3, 2]);
 * tf.dispose(a.trainStep(x));
 * const path = await saveCheckpoint(a, dir, { step: 1, state: { note: "hi" } });
 * const b = make();
 * const restored = await loadCheckpoint(b, path);
 * if (restored.step !== 1) throw new Error("step");
 * const same = tf.tidy(() =>
 *   tf.equal(a.embedder.getWeights()[0], b.embedder.getWeights()[0]).all().dataSync()[0]
 * );
 * if (same !== 1) throw new Error("weights differ");
 * x.dispose();
 * a.embedder.dispose();
 * b.embedder.dispose();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function saveCheckpoint<B>(
  program: TrainableProgram<B>,
  dir: string,
  options: SaveCheckpointOptions,
): Promise<string> {
  const { step, epoch = 0, stepInEpoch = 0, state = null, keep = 2 } = options;
  for (const [name, value] of [["step", step], ["epoch", epoch], ["stepInEpoch", stepInEpoch]]) {
    if (!Number.isInteger(value) || (value as number) < 0) {
      throw new Error(
        `Cannot save checkpoint as ${name} must be a non-negative integer: current value is ${value}`,
      );
    }
  }
  if (!Number.isInteger(keep) || keep < 1) {
    throw new Error(
      `Cannot save checkpoint as keep must be an integer ≥ 1: current value is ${keep}`,
    );
  }
  const optimizerWeights = await program.optimizer.getWeights();
  const groups: Record<string, Tensor[]> = {
    // layer by layer (state.json says so): right whatever is frozen when it is loaded
    embedder: readInLayerOrder(program.embedder),
    optimizer: optimizerWeights.map((w) => w.tensor),
  };
  if (program.head) groups.head = readInLayerOrder(program.head);
  const lossParameters = lossStateOf(program as TrainableProgram<unknown>)?.parameters;
  const lossOptimizerWeights: { name: string; tensor: Tensor }[][] = [];
  if (lossParameters !== undefined) {
    groups.loss = lossParameters.map((p) => p.variable);
    for (const p of lossParameters) {
      lossOptimizerWeights.push(p.optimizer ? await p.optimizer.getWeights() : []);
    }
    groups.lossOptimizer = lossOptimizerWeights.flat().map((w) => w.tensor);
  }
  const lossBuffers = lossBuffersOf(program as TrainableProgram<unknown>);
  if (lossBuffers.length > 0) groups.lossBuffer = lossBuffers.map((b) => b.variable);
  let encoded;
  try {
    encoded = await encodeGroups(groups);
  } finally {
    // getWeights hands back the variables themselves except for fresh tensors such as the
    // optimizer's iteration count: dispose only those.
    for (const w of [...optimizerWeights, ...lossOptimizerWeights.flat()]) {
      if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose();
    }
  }
  const poisoned = nonFiniteIn(encoded.data, encoded.manifest);
  if (poisoned !== undefined) {
    throw new Error(
      `Cannot save checkpoint ${
        checkpointName(step)
      } in ${dir} as ${poisoned}: a checkpoint of non-finite weights is never written`,
    );
  }
  const file: CheckpointFile = {
    format: CHECKPOINT_FORMAT,
    version: 1,
    step,
    epoch,
    stepInEpoch,
    createdAt: new Date().toISOString(),
    weights: {
      byteLength: encoded.data.byteLength,
      sha256: await sha256(encoded.data),
      manifest: encoded.manifest,
    },
    optimizerNames: optimizerWeights.map((w) => w.name),
    weightOrder: "layers",
    random: getRandomState(program as TrainableProgram<unknown>),
    adamPowers: await readAdamPowers(program as TrainableProgram<unknown>),
    ...(lossParameters === undefined ? {} : {
      loss: {
        parameters: lossParameters.map((p) => p.name),
        optimizerNames: lossParameters.map((p, i) =>
          p.optimizer ? lossOptimizerWeights[i].map((w) => w.name) : null
        ),
        ...(lossBuffers.length === 0 ? {} : { buffers: lossBuffers.map((b) => b.name) }),
      },
    }),
    state,
  };

  await Deno.mkdir(dir, { recursive: true });
  const finalPath = join(dir, checkpointName(step));
  const temp = tempPathFor(join(dir, `.${checkpointName(step)}`));
  inFlight.add(temp);
  await Deno.mkdir(temp);
  try {
    await writeFileAtomic(join(temp, "weights.bin"), encoded.data);
    await writeFileAtomic(join(temp, "state.json"), JSON.stringify(file));
    if (await exists(finalPath)) {
      const trash = tempPathFor(join(dir, `.old-${checkpointName(step)}`));
      inFlight.add(trash);
      try {
        await Deno.rename(finalPath, trash);
        await Deno.rename(temp, finalPath);
        await Deno.remove(trash, { recursive: true });
      } finally {
        inFlight.delete(trash);
      }
    } else {
      await Deno.rename(temp, finalPath);
    }
  } catch (error) {
    await Deno.remove(temp, { recursive: true }).catch(() => {});
    throw error;
  } finally {
    inFlight.delete(temp);
  }
  // Read back before removing anything older: the new checkpoint is the last good one.
  await readCheckpoint(finalPath);
  const all = await listCheckpointDirs(dir);
  const stale = all.filter((c) => c.path !== finalPath).slice(0, Math.max(0, all.length - keep));
  for (const old of stale) {
    await removeCheckpointDir(dir, old.path, checkpointName(old.step));
  }
  return finalPath;
}
