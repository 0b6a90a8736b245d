/**
 * Per-weight learning-rate multipliers for a program's model weights (a pretrained backbone
 * fine-tuned at a fraction of the program's rate), and the stable weight order that makes
 * freezing and unfreezing safe for optimisers that keep their state by position.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { LayersModel, Optimizer, Stage } from "../types.ts";
import { setRate } from "./_optimizer.ts";

type LayersModelStage = Extract<Stage, { kind: "layersModel" }>;
type Gradients = Parameters<Optimizer["applyGradients"]>[0];
type LayerVariable = tf.LayerVariable;
type NamedTensor = { name: string; tensor: tf.Tensor };

/** The `layersModel` stages of `stages`, residual blocks included, in order. */
export function layersModelStages(stages: readonly Stage[]): LayersModelStage[] {
  return stages.flatMap((s) =>
    s.kind === "layersModel"
      ? [s]
      : s.kind === "residual"
      ? [...layersModelStages(s.main), ...layersModelStages(s.shortcut)]
      : []
  );
}

/**
 * Every weight of `model` that trains when its layer is trainable, frozen or not, in a fixed
 * order (depth first through nested models, each weight once).
 */
export function trainableSlots(model: LayersModel | undefined): LayerVariable[] {
  const out: LayerVariable[] = [];
  const seen = new Set<unknown>();
  const visit = (layer: unknown): void => {
    if (seen.has(layer)) return;
    seen.add(layer);
    const inner = (layer as { layers?: unknown }).layers;
    if (Array.isArray(inner)) inner.forEach(visit);
    const own = (layer as { _trainableWeights?: LayerVariable[] })._trainableWeights ?? [];
    for (const w of own) {
      if (!seen.has(w)) {
        seen.add(w);
        out.push(w);
      }
    }
  };
  model?.layers.forEach(visit);
  return out;
}

/** The name of the tf variable behind a layer weight (the key of its gradient). */
export const variableName = (w: LayerVariable): string => (w.read() as tf.Variable).name;

/** Gradients for every name of `names`, in that order; null for a weight without one (frozen). */
export function stableGradients(names: readonly string[], grads: tf.NamedTensorMap): Gradients {
  return Object.fromEntries(names.map((n) => [n, grads[n] ?? null])) as Gradients;
}

/** One group of weights trained by its own optimiser at `multiplier` × the base rate. */
export interface WeightGroup {
  readonly names: readonly string[];
  readonly multiplier: number;
  readonly optimizer: Optimizer;
}

const PREFIX = "likeness.group.";

/**
 * The program's optimiser when some model weights have a learning-rate multiplier: the base
 * optimiser trains the other weights, each group's own optimiser (same kind) its weights at
 * base rate × multiplier. One object for checkpoints: `getWeights` lists the base
 * optimiser's weights, then each group's with its names prefixed `likeness.group.<i>.`;
 * `setWeights` splits them back. `setLearningRate` keeps the ratios.
 */
export class GroupedOptimizer extends tf.Optimizer {
  /** Class name (not registered for serialisation: a program's optimiser is not saved so). */
  static className = "GroupedOptimizer";
  #base: Optimizer;
  #groups: readonly WeightGroup[];
  #owner: Map<string, number>;

  constructor(base: Optimizer, groups: readonly WeightGroup[]) {
    super();
    this.#base = base;
    this.#groups = groups;
    this.#owner = new Map(groups.flatMap((g, i) => g.names.map((n) => [n, i] as const)));
  }

  /** The base learning rate. */
  get learningRate(): number {
    return (this.#base as unknown as { learningRate: number }).learningRate;
  }

  /** Sets the base rate and each group's at base × multiplier. */
  setLearningRate(learningRate: number): void {
    setRate(this.#base, learningRate);
    for (const g of this.#groups) setRate(g.optimizer, learningRate * g.multiplier);
  }

  /** The base optimiser's iteration count. */
  override get iterations(): number {
    return this.#base.iterations;
  }

  /** Hands each weight's gradient to its group's optimiser (all others to the base one). */
  override applyGradients(variableGradients: Gradients): void {
    const list = Array.isArray(variableGradients)
      ? variableGradients.map((v) => [v.name, v.tensor] as const)
      : Object.entries(variableGradients);
    const parts: Record<string, tf.Tensor | null>[] = this.#groups.map(() => ({}));
    const base: Record<string, tf.Tensor | null> = {};
    for (const [name, tensor] of list) {
      const i = this.#owner.get(name);
      (i === undefined ? base : parts[i])[name] = tensor ?? null;
    }
    this.#base.applyGradients(base as Gradients);
    this.#groups.forEach((g, i) => g.optimizer.applyGradients(parts[i] as Gradients));
  }

  /** The base optimiser's weights, then each group's (names prefixed). */
  override async getWeights(): Promise<NamedTensor[]> {
    const out = [...await this.#base.getWeights()];
    for (const [i, g] of this.#groups.entries()) {
      for (const w of await g.optimizer.getWeights()) {
        out.push({ name: `${PREFIX}${i}.${w.name}`, tensor: w.tensor });
      }
    }
    return out;
  }

  /** Splits `weights` (as `getWeights` gives them) back to the base and group optimisers. */
  override async setWeights(weights: NamedTensor[]): Promise<void> {
    const base: NamedTensor[] = [];
    const parts: NamedTensor[][] = this.#groups.map(() => []);
    for (const w of weights) {
      const m = /^likeness\.group\.(\d+)\.(.*)$/s.exec(w.name);
      const i = m === null ? -1 : Number(m[1]);
      if (m !== null && i >= 0 && i < parts.length) parts[i].push({ name: m[2], tensor: w.tensor });
      else base.push(w);
    }
    await this.#base.setWeights(base);
    for (const [i, g] of this.#groups.entries()) {
      if (parts[i].length > 0) await g.optimizer.setWeights(parts[i]);
    }
  }

  /** Frees every optimiser's state. */
  override dispose(): void {
    this.#base.dispose();
    for (const g of this.#groups) g.optimizer.dispose();
  }

  /** The base optimiser's config with each group's multiplier. */
  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...this.#base.getConfig(),
      learningRateMultipliers: this.#groups.map((g) => g.multiplier),
    };
  }
}
