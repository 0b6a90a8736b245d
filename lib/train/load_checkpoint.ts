import * as tf from "@tensorflow/tfjs";
import { variablesInLayerOrder, writeInLayerOrder } from "./_layer_weights.ts";
import type { LayersModel, Tensor } from "../types.ts";
import { type CheckpointFile, readCheckpoint } from "./_checkpoint.ts";
import { checkAdamPowers, writeAdamPowers } from "./_adam_powers.ts";
import {
  checkRandomState,
  lossBuffersOf,
  lossStateOf,
  type NamedTensor,
  setLossBuffers,
  setLossState,
  setOptimizerWeights,
  setRandomState,
} from "./_state.ts";
import { decodeGroups, type WeightEntry } from "./_weights.ts";
import type { TrainableProgram } from "./trainable_program.ts";

/** What {@linkcode loadCheckpoint} restored besides the weights. */
export interface CheckpointState {
  /** The checkpoint directory. */
  readonly path: string;
  /** Optimiser steps done when it was saved. */
  readonly step: number;
  /** The epoch index it was saved in. */
  readonly epoch: number;
  /** Steps done inside that epoch. */
  readonly stepInEpoch: number;
  /** The JSON value saved with it (`null` if none). */
  readonly state: unknown;
}

const checkShapes = (
  path: string,
  what: string,
  model: LayersModel,
  entries: readonly WeightEntry[] | undefined,
  layerOrder: boolean,
): void => {
  const weights = layerOrder ? variablesInLayerOrder(model) : model.weights;
  if (!entries) throw new Error(`Cannot load checkpoint ${path} as it holds no ${what} weights`);
  if (entries.length !== weights.length) {
    throw new Error(
      `Cannot load checkpoint ${path} as it holds ${entries.length} ${what} weights but the program has ${weights.length}`,
    );
  }
  entries.forEach((entry, i) => {
    const shape = weights[i].shape;
    if (entry.shape.length !== shape.length || entry.shape.some((d, j) => d !== shape[j])) {
      throw new Error(
        `Cannot load checkpoint ${path} as ${what} weight ${i} (${
          weights[i].name
        }) has shape [${shape}] in the program but [${entry.shape}] in the checkpoint`,
      );
    }
  });
};

/**
 * Checks the checkpoint's loss buffers (a memory queue) against the program's: the same
 * names in the same order, the same shapes. A checkpoint without any matches a program
 * without any.
 */
function checkLossBuffers(
  path: string,
  program: TrainableProgram<unknown>,
  file: CheckpointFile,
): void {
  const buffers = lossBuffersOf(program);
  const names = buffers.map((b) => b.name);
  const saved: unknown = file.loss?.buffers ?? [];
  const entries = file.weights.manifest.lossBuffer ?? [];
  const bad = (why: string) => new Error(`Cannot load checkpoint ${path} as ${why}`);
  if (
    !Array.isArray(saved) || JSON.stringify(saved) !== JSON.stringify(names) ||
    entries.length !== names.length
  ) {
    throw bad(
      `it holds loss buffers [${
        Array.isArray(saved) ? saved.join(", ") : JSON.stringify(saved)
      }] (${entries.length} tensors) but the program's loss has [${names.join(", ")}]`,
    );
  }
  buffers.forEach((b, i) => {
    const shape = b.variable.shape, entry = entries[i];
    if (entry.shape.length !== shape.length || entry.shape.some((d, j) => d !== shape[j])) {
      throw bad(
        `loss buffer ${b.name} has shape [${shape}] in the program but [${entry.shape}] in the checkpoint`,
      );
    }
  });
}

/**
 * Checks the checkpoint's loss state against the program's loss parameters (names, shapes, and
 * which have their own optimiser); returns per parameter its optimiser's weight names (null
 * when none), or undefined when neither has loss state.
 */
function checkLossState(
  path: string,
  program: TrainableProgram<unknown>,
  file: CheckpointFile,
): (readonly string[] | null)[] | undefined {
  const parameters = lossStateOf(program)?.parameters;
  const saved = file.loss;
  const manifest = file.weights.manifest;
  const bad = (why: string) => new Error(`Cannot load checkpoint ${path} as ${why}`);
  if (parameters === undefined || (parameters.length === 0 && saved === undefined)) {
    if (saved !== undefined || (manifest.loss?.length ?? 0) > 0) {
      throw bad(
        `it holds loss parameters (${
          saved?.parameters?.join(", ") ?? "unnamed"
        }) but the program's loss has none`,
      );
    }
    return undefined;
  }
  const names = parameters.map((p) => p.name);
  if (
    saved === undefined || saved === null || !Array.isArray(saved.parameters) ||
    !Array.isArray(saved.optimizerNames)
  ) {
    throw bad(
      `it holds no loss parameters but the program's loss has ${names.join(", ")}`,
    );
  }
  const entries = manifest.loss ?? [];
  if (
    JSON.stringify(saved.parameters) !== JSON.stringify(names) ||
    entries.length !== names.length || saved.optimizerNames.length !== names.length
  ) {
    throw bad(
      `it holds loss parameters [${saved.parameters.join(", ")}] but the program's loss has [${
        names.join(", ")
      }]`,
    );
  }
  let slots = 0;
  parameters.forEach((p, i) => {
    const shape = p.variable.shape;
    const entry = entries[i];
    if (entry.shape.length !== shape.length || entry.shape.some((d, j) => d !== shape[j])) {
      throw bad(
        `loss parameter ${p.name} has shape [${shape}] in the program but [${entry.shape}] in the checkpoint`,
      );
    }
    const own = saved.optimizerNames[i];
    if (own !== null && !(Array.isArray(own) && own.every((n) => typeof n === "string"))) {
      throw bad(`the optimiser names of loss parameter ${p.name} are not a list of names`);
    }
    if ((own === null) !== (p.optimizer === undefined)) {
      throw bad(
        `loss parameter ${p.name} has ${
          p.optimizer === undefined ? "no optimiser of its own" : "an optimiser of its own"
        } in the program but ${own === null ? "none" : "one"} in the checkpoint`,
      );
    }
    slots += own?.length ?? 0;
  });
  if ((manifest.lossOptimizer?.length ?? 0) !== slots) {
    throw bad(
      `it names ${slots} loss optimiser weights but holds ${manifest.lossOptimizer?.length ?? 0}`,
    );
  }
  return saved.optimizerNames.map((n) => n);
}

/**
 * Restores a checkpoint written by `saveCheckpoint` (or by `fit`) into `program`: the
 * embedder's and head's weights, the optimiser's slots and iteration count, the loss's
 * parameters and their own optimisers' slots and its buffers (`program.lossState`: a
 * cross-batch memory's queue), and the position
 * of every dropout layer's mask stream (so training continues exactly as it would have).
 * Returns the step, epoch and saved state.
 *
 * Verifies before changing anything: a missing or unparsable `state.json`, a `weights.bin` of
 * the wrong length or SHA-256, non-finite weights, or weights or random layers other than
 * the program's give an error naming the checkpoint and the problem, and leave the program
 * untouched. The optimiser slots the program held before are disposed.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { loadCheckpoint } from "./load_checkpoint.ts";
 * import { saveCheckpoint } from "./save_checkpoint.ts";
 *
 * await tf.setBackend("cpu");
 * const make = (init: "ones" | "zeros") => ({
 *   embedder: tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1, kernelInitializer: init })] }),
 *   optimizer: tf.train.sgd(0.1), setLearningRate: () => {}, trainStep: () => tf.scalar(0),
 * });
 * const [saved, program] = [make("ones"), make("zeros")];
 * const dir = await Deno.makeTempDir();
 * const path = await saveCheckpoint(saved, dir, { step: 7, epoch: 1, stepInEpoch: 3, state: { note: "hi" } });
 * const restored = await loadCheckpoint(program, path);
 * if (restored.step !== 7 || restored.epoch !== 1 || restored.stepInEpoch !== 3) throw new Error("position");
 * if ((restored.state as { note: string }).note !== "hi") throw new Error("state");
 * const kernel = program.embedder.getWeights()[0].dataSync();
 * if (kernel.join() !== "1,1") throw new Error(`the saved kernel is put back: ${kernel}`);
 * // a damaged checkpoint is refused, naming the problem
 * await Deno.writeTextFile(`${dir}/state.json`, "{ truncated");
 * let message = "";
 * try {
 *   await loadCheckpoint(program, dir);
 * } catch (error) {
 *   message = (error as Error).message;
 * }
 * if (!message.includes("is not valid JSON")) throw new Error(message);
 * saved.embedder.dispose();
 * program.embedder.dispose();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadCheckpoint<B>(
  program: TrainableProgram<B>,
  path: string,
): Promise<CheckpointState> {
  const { file, data } = await readCheckpoint(path);
  const manifest = file.weights.manifest;
  const order: unknown = file.weightOrder;
  if (order !== undefined && order !== "layers") {
    throw new Error(
      `Cannot load checkpoint ${path} as its weightOrder must be "layers" (or absent, in older checkpoints): current value is ${
        JSON.stringify(order)
      }`,
    );
  }
  const layerOrder = order === "layers";
  checkShapes(path, "embedder", program.embedder, manifest.embedder, layerOrder);
  if (program.head) checkShapes(path, "head", program.head, manifest.head, layerOrder);
  else if (manifest.head && manifest.head.length > 0) {
    throw new Error(
      `Cannot load checkpoint ${path} as it holds head weights but the program has no head`,
    );
  }
  const optimizerEntries = manifest.optimizer ?? [];
  if (optimizerEntries.length !== file.optimizerNames.length) {
    throw new Error(
      `Cannot load checkpoint ${path} as it names ${file.optimizerNames.length} optimizer weights but holds ${optimizerEntries.length}`,
    );
  }
  const lossSplit = checkLossState(path, program as TrainableProgram<unknown>, file);
  checkLossBuffers(path, program as TrainableProgram<unknown>, file);
  const random = file.random === undefined ? undefined : checkRandomState(
    program as TrainableProgram<unknown>,
    file.random,
    `Cannot load checkpoint ${path}`,
  );
  const powersProblem = file.adamPowers === undefined
    ? undefined
    : checkAdamPowers(program as TrainableProgram<unknown>, file.adamPowers);
  if (powersProblem !== undefined) {
    throw new Error(`Cannot load checkpoint ${path} as its ${powersProblem}`);
  }
  const groups = decodeGroups(data, manifest);
  const decoded: Tensor[] = Object.values(groups).flat();
  try {
    if (layerOrder) {
      writeInLayerOrder(program.embedder, groups.embedder);
      if (program.head) writeInLayerOrder(program.head, groups.head);
    } else {
      program.embedder.setWeights(groups.embedder);
      if (program.head) program.head.setWeights(groups.head);
    }
    if (optimizerEntries.length > 0) {
      await setOptimizerWeights(
        program.optimizer,
        groups.optimizer.map((tensor, i) => ({ name: file.optimizerNames[i], tensor })),
      );
    }
    if (random !== undefined) setRandomState(program as TrainableProgram<unknown>, random);
    if (lossSplit !== undefined) {
      const flat = groups.lossOptimizer ?? [];
      let at = 0;
      const optimizers: NamedTensor[][] = lossSplit.map((names) =>
        (names ?? []).map((name) => ({ name, tensor: flat[at++] }))
      );
      await setLossState(program as TrainableProgram<unknown>, groups.loss ?? [], optimizers);
    }
    setLossBuffers(program as TrainableProgram<unknown>, groups.lossBuffer ?? []);
    // after every optimiser's weights (tfjs's setWeights recomputes the powers with pow)
    if (file.adamPowers !== undefined) {
      writeAdamPowers(program as TrainableProgram<unknown>, file.adamPowers);
    }
  } finally {
    tf.dispose(decoded);
  }
  return {
    path,
    step: file.step,
    epoch: file.epoch,
    stepInEpoch: file.stepInEpoch,
    state: file.state ?? null,
  };
}
