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
 * Any loss input.
 *
 * @example
 * ```ts
 * import type { LossInput } from "./types.ts";
 * const kindOf = (x: LossInput) => x.kind;
 * ```
 */
export type LossInput = Pair | Triplet | Labelled;

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
  /** One loss value per item (pair, triplet, or row) of the batch. */
  perItem(input: I): Tensor1D;
  /** Reduces the per-item values to the scalar that is minimised. */
  readonly reduce: Reducer;
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
