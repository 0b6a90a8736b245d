/**
 * A program's full training state — weights (batch-norm statistics included), optimiser
 * slots and iteration count, and the position of every per-step random stream (dropout
 * masks) — as a copy-free snapshot that `fit` can roll back to, plus the finiteness checks
 * that decide when it must.
 *
 * Snapshots clone tensors, which shares their data (kernels never write into their inputs
 * and a variable's `assign` swaps its data), so a snapshot per step costs no copy.
 *
 * @module
 */
import { readInLayerOrder, writeInLayerOrder } from "./_layer_weights.ts";
import * as tf from "@tensorflow/tfjs";
import type { LayersModel, LossState, Optimizer, Scalar, Tensor } from "../types.ts";
import { hasRandomState, type RandomStateLayer } from "../compile/_dropout.ts";
import type { TrainableProgram } from "./trainable_program.ts";

/** A tensor with a name for error messages. */
export interface NamedTensor {
  readonly name: string;
  readonly tensor: Tensor;
}

/** The positions of the random streams of the embedder's and the head's layers, in order. */
export interface RandomState {
  readonly embedder: number[];
  readonly head: number[];
}

/**
 * The loss-owned state of a program (`Program.lossState`: the loss's parameters and their own
 * optimisers), or undefined when it has none. Read structurally, so any program that carries
 * one has it saved, restored and rolled back.
 */
export function lossStateOf(program: TrainableProgram<unknown>): LossState | undefined {
  const state = (program as { lossState?: LossState }).lossState;
  return state !== undefined && state !== null && Array.isArray(state.parameters)
    ? state
    : undefined;
}

/** An optimiser's weights with the variables cloned and fresh tensors (iterations) kept. */
async function optimizerSnapshot(optimizer: Optimizer): Promise<NamedTensor[]> {
  return (await optimizer.getWeights()).map(({ name, tensor }) => ({
    name,
    // Variables are cloned (they change); fresh tensors such as the iteration count are ours.
    tensor: tensor instanceof tf.Variable ? tf.clone(tensor) : tensor,
  }));
}

/** The layers of `model` with a random state, depth-first through nested models. */
export function randomLayers(model: LayersModel | undefined): RandomStateLayer[] {
  const found: RandomStateLayer[] = [];
  const seen = new Set<unknown>();
  const visit = (layer: unknown): void => {
    if (seen.has(layer)) return;
    seen.add(layer);
    if (hasRandomState(layer)) found.push(layer);
    const inner = (layer as { layers?: unknown }).layers;
    if (Array.isArray(inner)) inner.forEach(visit);
  };
  model?.layers.forEach(visit);
  return found;
}

/** The random state of the program's layers. */
export function getRandomState(program: TrainableProgram<unknown>): RandomState {
  return {
    embedder: randomLayers(program.embedder).map((l) => l.getRandomState()),
    head: randomLayers(program.head).map((l) => l.getRandomState()),
  };
}

/** Checks `state` against the program's random layers; `where` starts the error message. */
export function checkRandomState(
  program: TrainableProgram<unknown>,
  state: unknown,
  where: string,
): RandomState {
  const s = state as Partial<RandomState> | null;
  for (const part of ["embedder", "head"] as const) {
    const values = s?.[part];
    const count = randomLayers(part === "embedder" ? program.embedder : program.head).length;
    if (!Array.isArray(values) || values.length !== count) {
      throw new Error(
        `${where} as it holds ${
          Array.isArray(values) ? values.length : JSON.stringify(values)
        } ${part} random states but the program has ${count} layers with one`,
      );
    }
    values.forEach((v, i) => {
      if (!Number.isSafeInteger(v) || v < 0) {
        throw new Error(
          `${where} as ${part} random state ${i} must be a non-negative integer: current value is ${
            JSON.stringify(v)
          }`,
        );
      }
    });
  }
  return s as RandomState;
}

/** Sets the random state of the program's layers (checked with {@linkcode checkRandomState}). */
export function setRandomState(program: TrainableProgram<unknown>, state: RandomState): void {
  randomLayers(program.embedder).forEach((l, i) => l.setRandomState(state.embedder[i]));
  randomLayers(program.head).forEach((l, i) => l.setRandomState(state.head[i]));
}

/**
 * Replaces the optimiser's slots and iteration count with `weights` (as `getWeights` gives
 * them) and disposes the slot variables it held before, which tfjs's `setWeights` leaves
 * behind. The new variables share the data of `weights`.
 */
export async function setOptimizerWeights(
  optimizer: Optimizer,
  weights: readonly NamedTensor[],
): Promise<void> {
  const before = await optimizer.getWeights();
  try {
    await optimizer.setWeights(weights.map(({ name, tensor }) => ({ name, tensor })));
  } finally {
    const after = new Set((await optimizer.getWeights()).map((w) => w.tensor));
    for (const w of before) if (!after.has(w.tensor) && !w.tensor.isDisposed) w.tensor.dispose();
    for (const w of after) {
      if (!(w instanceof tf.Variable) && !w.isDisposed) w.dispose();
    }
  }
}

/** A copy-free snapshot of a program's training state. */
export interface TrainingState {
  readonly embedder: Tensor[];
  readonly head: Tensor[];
  readonly optimizer: NamedTensor[];
  readonly random: RandomState;
  /** The loss's parameters, in order (empty without loss state). */
  readonly loss: Tensor[];
  /** The weights of each loss parameter's own optimiser (empty list when it has none). */
  readonly lossOptimizers: NamedTensor[][];
  /** The loss's buffers (a memory queue), in order (empty without any). */
  readonly lossBuffers: Tensor[];
}

/** The loss's buffers (`program.lossState.buffers`: non-trainable), empty when it has none. */
export function lossBuffersOf(
  program: TrainableProgram<unknown>,
): readonly { name: string; variable: tf.Variable }[] {
  const buffers = lossStateOf(program)?.buffers;
  return Array.isArray(buffers) ? buffers : [];
}

/** Puts back the loss's buffers (shapes and count checked by the caller). */
export function setLossBuffers(
  program: TrainableProgram<unknown>,
  values: readonly Tensor[],
): void {
  const buffers = lossBuffersOf(program);
  if (values.length !== buffers.length) return;
  buffers.forEach((b, i) => b.variable.assign(values[i]));
}

/** Snapshots the program's training state (dispose it with {@linkcode disposeState}). */
export async function captureState(program: TrainableProgram<unknown>): Promise<TrainingState> {
  const optimizer = await optimizerSnapshot(program.optimizer);
  const parameters = lossStateOf(program)?.parameters ?? [];
  const lossOptimizers: NamedTensor[][] = [];
  for (const p of parameters) {
    lossOptimizers.push(p.optimizer ? await optimizerSnapshot(p.optimizer) : []);
  }
  return {
    // layer by layer, so a snapshot restores right whatever is frozen in between
    embedder: readInLayerOrder(program.embedder).map((w) => tf.clone(w)),
    head: program.head ? readInLayerOrder(program.head).map((w) => tf.clone(w)) : [],
    optimizer,
    random: getRandomState(program),
    loss: parameters.map((p) => tf.clone(p.variable)),
    lossOptimizers,
    lossBuffers: lossBuffersOf(program).map((b) => tf.clone(b.variable)),
  };
}

/** Puts a snapshot back (the snapshot stays valid; dispose it separately). */
export async function restoreState(
  program: TrainableProgram<unknown>,
  state: TrainingState,
): Promise<void> {
  writeInLayerOrder(program.embedder, state.embedder);
  if (program.head) writeInLayerOrder(program.head, state.head);
  await setOptimizerWeights(program.optimizer, state.optimizer);
  setRandomState(program, state.random);
  await setLossState(program, state.loss, state.lossOptimizers);
  setLossBuffers(program, state.lossBuffers ?? []);
}

/**
 * Puts back the loss's parameters and the weights of their own optimisers (shapes and counts
 * checked by the caller). The variables keep their identity; they share the data of `values`.
 */
export async function setLossState(
  program: TrainableProgram<unknown>,
  values: readonly Tensor[],
  optimizers: readonly (readonly NamedTensor[])[],
): Promise<void> {
  const parameters = lossStateOf(program)?.parameters ?? [];
  for (let i = 0; i < parameters.length; i++) {
    parameters[i].variable.assign(values[i]);
    const own = parameters[i].optimizer;
    if (own !== undefined && optimizers[i].length > 0) {
      await setOptimizerWeights(own, optimizers[i]);
    }
  }
}

/** Frees a snapshot's tensors. */
export function disposeState(state: TrainingState | null): void {
  if (state === null) return;
  tf.dispose([
    ...state.embedder,
    ...state.head,
    ...state.optimizer.map((w) => w.tensor),
    ...state.loss,
    ...state.lossOptimizers.flat().map((w) => w.tensor),
    ...(state.lossBuffers ?? []),
  ]);
}

/** The program's weights and optimiser slots with names for error messages. */
export async function stateTensors(
  program: TrainableProgram<unknown>,
): Promise<{ tensors: NamedTensor[]; fresh: Tensor[] }> {
  const tensors: NamedTensor[] = [];
  const named = (what: string, model: LayersModel | undefined) => {
    if (!model) return;
    model.weights.forEach((w, i) => {
      tensors.push({ name: `${what} weight ${i} (${w.originalName})`, tensor: w.read() });
    });
  };
  named("embedder", program.embedder);
  named("head", program.head);
  const fresh: Tensor[] = [];
  const slots = async (optimizer: Optimizer, what: string) => {
    for (const w of await optimizer.getWeights()) {
      if (w.tensor instanceof tf.Variable) {
        tensors.push({ name: `${what} ${w.name}`, tensor: w.tensor });
      } else fresh.push(w.tensor);
    }
  };
  await slots(program.optimizer, "optimiser slot");
  for (const p of lossStateOf(program)?.parameters ?? []) {
    tensors.push({ name: `loss parameter ${p.name}`, tensor: p.variable });
    if (p.optimizer) await slots(p.optimizer, `loss parameter ${p.name}'s optimiser slot`);
  }
  for (const b of lossBuffersOf(program)) {
    tensors.push({ name: `loss buffer ${b.name}`, tensor: b.variable });
  }
  return { tensors, fresh };
}

/**
 * One scalar that is finite when every float value of `tensors` is (the sum of their sums:
 * a NaN or an infinity anywhere makes it non-finite; only a sum beyond the float32 range
 * makes it non-finite without one, which {@linkcode firstNonFinite} then tells apart).
 */
export function finiteProbe(tensors: readonly Tensor[]): Scalar {
  return tf.tidy(() => {
    const sums = tensors.filter((t) => t.dtype === "float32" && t.size > 0).map((t) => tf.sum(t));
    if (sums.length === 0) return tf.scalar(0);
    return (sums.length === 1 ? sums[0] : tf.addN(sums)) as Scalar;
  });
}

/** Per tensor, a scalar that is finite when every value of that tensor is (stacked). */
export function finiteProbes(tensors: readonly Tensor[]): Tensor {
  return tf.tidy(() =>
    tf.stack(
      tensors.map((t) => (t.dtype === "float32" && t.size > 0 ? tf.sum(t) : tf.scalar(0))),
    )
  );
}

/** Where the first NaN or infinity of `tensors` is, read on the host; undefined if none. */
export function firstNonFinite(
  tensors: readonly NamedTensor[],
): { name: string; index: number; value: number; size: number } | undefined {
  for (const { name, tensor } of tensors) {
    if (tensor.dtype !== "float32") continue;
    const values = tensor.dataSync() as Float32Array;
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) {
        return { name, index: i, value: values[i], size: values.length };
      }
    }
  }
  return undefined;
}
