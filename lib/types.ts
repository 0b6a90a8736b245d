/**
 * Every core type of likeness, shared by all folders. No runtime code lives here.
 *
 * Sections: tensors-facing loss inputs (pair, triplet, labelled), distances and losses,
 * data and samplers (index tuples, datasets, seeded random generators).
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";

// ---------------------------------------------------------------------------
// TensorFlow.js types, re-named here so that every public signature of likeness refers to
// exported types (JSR's documentation lint rejects references to unexported ones). Public
// signatures use these aliases, never `tf.X` directly.
// ---------------------------------------------------------------------------

/** A TensorFlow.js tensor of any rank. */
export type Tensor = tf.Tensor;
/** A rank-0 TensorFlow.js tensor. */
export type Scalar = tf.Scalar;
/** A rank-1 TensorFlow.js tensor. */
export type Tensor1D = tf.Tensor1D;
/** A rank-2 TensorFlow.js tensor (rows are items). */
export type Tensor2D = tf.Tensor2D;
/** A rank-3 TensorFlow.js tensor. */
export type Tensor3D = tf.Tensor3D;
/** A rank-4 TensorFlow.js tensor (a batch of images, NHWC). */
export type Tensor4D = tf.Tensor4D;
/** A TensorFlow.js variable (a trainable weight). */
export type Variable = tf.Variable;
/** A TensorFlow.js layers model. */
export type LayersModel = tf.LayersModel;
/** A TensorFlow.js layer. */
export type Layer = tf.layers.Layer;
/** A TensorFlow.js optimizer. */
export type Optimizer = tf.Optimizer;

// ---------------------------------------------------------------------------
// Distances and losses
// ---------------------------------------------------------------------------

/**
 * A row-wise distance: row `i` of `a` against row `i` of `b`. Smaller always means closer.
 *
 * @example
 * ```ts
 * import type { Distance } from "./types.ts";
 * const isDistance = (d: Distance) => typeof d === "function";
 * ```
 */
export type Distance = (a: Tensor2D, b: Tensor2D) => Tensor1D;

/**
 * An all-pairs distance: entry `[i, j]` is the distance between row `i` of `a` and row `j`
 * of `b`. Built from a {@linkcode Distance} by `distances.pairwise`.
 *
 * @example
 * ```ts
 * import type { DistanceMatrix } from "./types.ts";
 * const isMatrix = (d: DistanceMatrix) => typeof d === "function";
 * ```
 */
export type DistanceMatrix = (a: Tensor2D, b: Tensor2D) => Tensor2D;

/**
 * Two batches of embeddings and whether each row pair is of the same class (1) or not (0).
 * With `T = Tensor` (images) it is also the input batch of a Siamese model.
 *
 * @example
 * ```ts
 * import type { Pair } from "./types.ts";
 * const kindOf = (p: Pair) => p.kind; // "pair"
 * ```
 */
export interface Pair<T extends Tensor = Tensor2D> {
  /** Discriminant. */
  readonly kind: "pair";
  /** Left items, one per row. */
  readonly left: T;
  /** Right items, one per row. */
  readonly right: T;
  /** 1 where left and right share a class, 0 otherwise. */
  readonly same: Tensor1D;
}

/**
 * Anchors, positives (same class as the anchor) and negatives (another class).
 * With `T = Tensor` (images) it is also the input batch of a triplet model.
 *
 * @example
 * ```ts
 * import type { Triplet } from "./types.ts";
 * const kindOf = (t: Triplet) => t.kind; // "triplet"
 * ```
 */
export interface Triplet<T extends Tensor = Tensor2D> {
  /** Discriminant. */
  readonly kind: "triplet";
  /** Anchor items. */
  readonly anchor: T;
  /** Items of the anchor's class. */
  readonly positive: T;
  /** Items of another class. */
  readonly negative: T;
}

/**
 * A batch of embeddings with their class labels, for in-batch mining losses and
 * classification. With `T = Tensor` the `embeddings` field holds the input images.
 *
 * @example
 * ```ts
 * import type { Labelled } from "./types.ts";
 * const kindOf = (l: Labelled) => l.kind; // "labelled"
 * ```
 */
export interface Labelled<T extends Tensor = Tensor2D> {
  /** Discriminant. */
  readonly kind: "labelled";
  /** One row per item. */
  readonly embeddings: T;
  /** Integer class label per row (float32 or int32 tensor). */
  readonly labels: Tensor1D;
}

/**
 * One anchor compared with N − 1 others: `items[0]` is the anchor, `items[1]` a positive
 * (same class) and `items[2…]` negatives. The input of an `nWay(n, branch)` model.
 *
 * @example
 * ```ts
 * import type { NWay } from "./types.ts";
 * const arity = (t: NWay) => t.items.length;
 * ```
 */
export interface NWay<T extends Tensor = Tensor2D> {
  /** Discriminant. */
  readonly kind: "nway";
  /** Anchor, positive, then negatives; all with the same number of rows. */
  readonly items: readonly T[];
}

/**
 * Any loss input.
 *
 * @example
 * ```ts
 * import type { LossInput } from "./types.ts";
 * const kindOf = (x: LossInput) => x.kind;
 * ```
 */
export type LossInput = Pair | Triplet | Labelled | NWay;

/**
 * Turns per-item loss values into one scalar.
 *
 * @example
 * ```ts
 * import type { Reducer } from "./types.ts";
 * const isReducer = (r: Reducer) => typeof r === "function";
 * ```
 */
export type Reducer = (perItem: Tensor1D) => Scalar;

/**
 * A loss: a name, a per-item function and a reducer. Losses over the same input kind form
 * a monoid under `losses.plus`.
 *
 * @example
 * ```ts
 * import type { Loss, Triplet } from "./types.ts";
 * const nameOf = (l: Loss<Triplet>) => l.name;
 * ```
 */
export interface Loss<I extends LossInput> {
  /** Shown in reports and errors. */
  readonly name: string;
  /**
   * One loss value per item (pair, triplet, or row) of the batch. `context` is given by
   * `compile`: losses that carry a {@linkcode LossHead} apply it through `context.head`.
   */
  perItem(input: I, context?: LossContext): Tensor1D;
  /** Reduces the per-item values to the scalar that is minimised. */
  readonly reduce: Reducer;
  /** A small network the loss needs (e.g. the BCE pair head); `compile` builds and owns it. */
  readonly head?: LossHead;
  /** The distance the loss compares embeddings with; `Program.scorePairs` uses it. */
  readonly distance?: Distance;
}

/**
 * What `compile` hands a loss besides its input.
 *
 * @example
 * ```ts
 * import type { LossContext } from "./types.ts";
 * const isTraining = (c: LossContext) => c.training;
 * ```
 */
export interface LossContext {
  /** Whether this is a training step (dropout on, batch statistics). */
  readonly training: boolean;
  /** The compiled loss head, when the loss declared one. */
  readonly head?: (x: Tensor2D) => Tensor2D;
}

/**
 * A network a loss carries as a spec. `input: "pair"` heads see two embeddings concatenated
 * (`[n, 2e]`, their output is a same-class logit); `"single"` heads see one (`[n, e]`).
 *
 * @example
 * ```ts
 * import type { LossHead } from "./types.ts";
 * const head: LossHead = { input: "single", branch: { kind: "branch", stages: [] } };
 * ```
 */
export interface LossHead {
  /** What the head is fed. */
  readonly input: "pair" | "single";
  /** Its layers. */
  readonly branch: Branch;
}

// ---------------------------------------------------------------------------
// Model specs (inert values: no tf objects until `compile`)
// ---------------------------------------------------------------------------

/**
 * Activation functions a stage may use (the tfjs names).
 *
 * @example
 * ```ts
 * import type { Activation } from "./types.ts";
 * const a: Activation = "relu";
 * ```
 */
export type Activation =
  | "linear"
  | "relu"
  | "relu6"
  | "elu"
  | "selu"
  | "tanh"
  | "sigmoid"
  | "softplus"
  | "swish";

/**
 * One layer (or block of layers) of a branch, as data. `compile` turns each into tfjs layers.
 *
 * @example
 * ```ts
 * import type { Stage } from "./types.ts";
 * const s: Stage = { kind: "dense", units: 32, activation: "linear", useBias: true };
 * ```
 */
export type Stage =
  | {
    readonly kind: "conv2d";
    readonly filters: number;
    readonly kernelSize: number;
    readonly strides: number;
    readonly padding: "same" | "valid";
    readonly activation: Activation;
    readonly useBias: boolean;
  }
  | {
    readonly kind: "dense";
    readonly units: number;
    readonly activation: Activation;
    readonly useBias: boolean;
  }
  | { readonly kind: "batchNorm"; readonly momentum: number; readonly epsilon: number }
  | { readonly kind: "activation"; readonly activation: Activation }
  | { readonly kind: "dropout"; readonly rate: number }
  | { readonly kind: "spatialDropout2d"; readonly rate: number }
  | { readonly kind: "maxPool2d"; readonly poolSize: number; readonly strides: number }
  | { readonly kind: "flatten" }
  | { readonly kind: "globalAveragePool2d" }
  | { readonly kind: "l2Normalize"; readonly epsilon: number }
  | {
    readonly kind: "residual";
    readonly main: readonly Stage[];
    readonly shortcut: readonly Stage[];
  }
  | {
    readonly kind: "layersModel";
    readonly model: LayersModel;
    readonly freeze: number;
  };

/**
 * A branch: the stages one item goes through to become an embedding.
 *
 * @example
 * ```ts
 * import type { Branch } from "./types.ts";
 * const depth = (b: Branch) => b.stages.length;
 * ```
 */
export interface Branch {
  /** Discriminant. */
  readonly kind: "branch";
  /** Applied in order. */
  readonly stages: readonly Stage[];
}

/**
 * A branch shared by the items of one loss input: one weight set applied `arity` times.
 * The type parameter is the loss input the model produces, so `compile` can refuse a loss of
 * another kind at compile time.
 *
 * @example
 * ```ts
 * import type { Model, Triplet } from "./types.ts";
 * const m: Model<Triplet> = { kind: "triplet", arity: 3, branch: { kind: "branch", stages: [] } };
 * ```
 */
export interface Model<I extends LossInput> {
  /** Which loss input the model produces. */
  readonly kind: I["kind"];
  /** How many items share the branch (1 for labelled). */
  readonly arity: number;
  /** The shared branch. */
  readonly branch: Branch;
}

/**
 * The input batch a compiled model takes for loss input `I`: the same record with images
 * (`[n, h, w, c]`, or `[n, d]` for vectors) in place of embeddings.
 *
 * @example
 * ```ts
 * import type { Batch, Pair } from "./types.ts";
 * const rows = (b: Batch<Pair>) => b.left.shape[0];
 * ```
 */
export type Batch<I extends LossInput> = I extends { kind: "pair" } ? Pair<Tensor>
  : I extends { kind: "triplet" } ? Triplet<Tensor>
  : I extends { kind: "labelled" } ? Labelled<Tensor>
  : NWay<Tensor>;

/**
 * A compiled model: owns its weights, optimizer slots and batch-norm statistics.
 *
 * @example
 * ```ts
 * import type { Pair, Program } from "./types.ts";
 * const size = (p: Program<Pair>) => p.embeddingSize;
 * ```
 */
export interface Program<I extends LossInput> {
  /** Which loss input the program trains on. */
  readonly kind: I["kind"];
  /** Shape of one input item, e.g. `[28, 28, 1]`. */
  readonly inputShape: readonly number[];
  /** Width of the branch output. */
  readonly embeddingSize: number;
  /** The loss being minimised. */
  readonly loss: Loss<I>;
  /** The shared branch as one tfjs model (input item → embedding); save and load this. */
  readonly embedder: LayersModel;
  /** The compiled loss head, when the loss carries one. */
  readonly head?: LayersModel;
  /** The optimizer (its slots belong to the program). */
  readonly optimizer: Optimizer;
  /** One optimiser step; returns the loss (caller disposes it). Does not dispose `batch`. */
  trainStep(batch: Batch<I>): Scalar;
  /** The loss in inference mode, without an update. */
  evaluate(batch: Batch<I>): Scalar;
  /** Embeddings of a batch of items `[n, ...inputShape]`, inference mode. */
  embed(x: Tensor): Tensor2D;
  /** Per-row score of two batches: P(same) for pair-head losses, else the loss's distance. */
  scorePairs(left: Tensor, right: Tensor): Tensor1D;
  /** The trainable variables (branch, then head). */
  trainableWeights(): Variable[];
  /** Changes the optimizer's learning rate. */
  setLearningRate(learningRate: number): void;
  /** Frees every weight, slot and statistic the program owns. */
  dispose(): void;
}

// ---------------------------------------------------------------------------
// Data and samplers
// ---------------------------------------------------------------------------

/**
 * An in-memory labelled dataset: `size` samples, each of `shape` (for images `[h, w, c]`),
 * stored row-major in one Float32Array scaled to [0, 1].
 *
 * @example
 * ```ts
 * import type { Dataset } from "./types.ts";
 * const count = (d: Dataset) => d.size;
 * ```
 */
export interface Dataset {
  /** `size × prod(shape)` values in [0, 1]. */
  readonly images: Float32Array;
  /** Class label of each sample, in `[0, classNames.length)`. */
  readonly labels: Int32Array;
  /** Shape of one sample, e.g. `[28, 28, 1]`. */
  readonly shape: readonly number[];
  /** Number of samples. */
  readonly size: number;
  /** Human-readable class names, indexed by label. */
  readonly classNames: readonly string[];
}

/**
 * An explicit, seeded source of randomness. Every sampler takes one; none uses a global.
 *
 * @example
 * ```ts
 * import type { Rng } from "./types.ts";
 * const coin = (rng: Rng) => rng.float() < 0.5;
 * ```
 */
export interface Rng {
  /** A uniform float in [0, 1). */
  float(): number;
  /** A uniform integer in [0, n). */
  int(n: number): number;
}

/**
 * A lazy, seeded generator of values (index tuples, batches, …).
 *
 * @example
 * ```ts
 * import type { Rng, Sampler } from "./types.ts";
 * const coins: Sampler<boolean> = function* (rng: Rng) { while (true) yield rng.float() < 0.5; };
 * ```
 */
export type Sampler<A> = (rng: Rng) => Iterable<A>;

/**
 * A pair of dataset indices and whether they share a class.
 *
 * @example
 * ```ts
 * import type { PairIndex } from "./types.ts";
 * const p: PairIndex = { kind: "pair", left: 0, right: 1, same: true };
 * ```
 */
export interface PairIndex {
  /** Discriminant. */
  readonly kind: "pair";
  /** Index of the left sample. */
  readonly left: number;
  /** Index of the right sample (never equal to `left`). */
  readonly right: number;
  /** Whether both samples have the same label. */
  readonly same: boolean;
}

/**
 * A triplet of dataset indices: anchor, a positive of its class, a negative of another.
 *
 * @example
 * ```ts
 * import type { TripletIndex } from "./types.ts";
 * const t: TripletIndex = { kind: "triplet", anchor: 0, positive: 1, negative: 2 };
 * ```
 */
export interface TripletIndex {
  /** Discriminant. */
  readonly kind: "triplet";
  /** Index of the anchor. */
  readonly anchor: number;
  /** Index of a sample of the anchor's class (never the anchor itself). */
  readonly positive: number;
  /** Index of a sample of another class. */
  readonly negative: number;
}

/**
 * One dataset index with its label (for class-balanced batches and classification).
 *
 * @example
 * ```ts
 * import type { LabelledIndex } from "./types.ts";
 * const l: LabelledIndex = { kind: "labelled", index: 3, label: 7 };
 * ```
 */
export interface LabelledIndex {
  /** Discriminant. */
  readonly kind: "labelled";
  /** Index of the sample. */
  readonly index: number;
  /** Its label. */
  readonly label: number;
}

/**
 * Any index tuple a sampler produces.
 *
 * @example
 * ```ts
 * import type { IndexTuple } from "./types.ts";
 * const kindOf = (t: IndexTuple) => t.kind;
 * ```
 */
export type IndexTuple = PairIndex | TripletIndex | LabelledIndex;
