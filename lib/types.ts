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

/**
 * A TensorFlow.js tensor of any rank.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import type { Tensor } from "./types.ts";
 * import { toTensors } from "./data/to_tensors.ts";
 * await tf.setBackend("cpu");
 * // a dataset of two 2 × 2 × 1 images: a batch of its items has their shape after the batch axis
 * const data = { images: new Float32Array(8), labels: Int32Array.from([0, 1]), shape: [2, 2, 1], size: 2, classNames: ["a", "b"] };
 * const left: Tensor = toTensors(data)([{ kind: "pair", left: 0, right: 1, same: false }]).left;
 * if (left.shape.join() !== "1,2,2,1") throw new Error(`${left.shape}`);
 * ```
 */
export type Tensor = tf.Tensor;
/**
 * A rank-0 TensorFlow.js tensor.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import type { Scalar } from "./types.ts";
 * import { mean } from "./losses/mod.ts";
 * await tf.setBackend("cpu");
 * const total: Scalar = mean(tf.tensor1d([1, 2, 6]));
 * if (total.rank !== 0 || total.dataSync()[0] !== 3) throw new Error("a rank-0 mean of 3");
 * ```
 */
export type Scalar = tf.Scalar;
/**
 * A rank-1 TensorFlow.js tensor.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import type { Tensor1D } from "./types.ts";
 * import { manhattan } from "./distances/mod.ts";
 * await tf.setBackend("cpu");
 * // a row-wise distance gives one value per row
 * const d: Tensor1D = manhattan.rows(tf.tensor2d([[0, 0], [1, 1], [2, 2]]), tf.tensor2d([[1, 1], [1, 1], [1, 1]]));
 * if (d.rank !== 1 || d.dataSync().join() !== "2,0,2") throw new Error(`${d.dataSync()}`);
 * ```
 */
export type Tensor1D = tf.Tensor1D;
/**
 * A rank-2 TensorFlow.js tensor (rows are items).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import type { Tensor2D } from "./types.ts";
 * import { manhattan } from "./distances/mod.ts";
 * await tf.setBackend("cpu");
 * // an all-pairs distance gives one row per row of a, one column per row of b
 * const m: Tensor2D = manhattan.matrix(tf.tensor2d([[0], [1], [5]]), tf.tensor2d([[0], [2]]));
 * if (m.shape.join() !== "3,2" || m.dataSync().join() !== "0,2,1,1,5,3") throw new Error(`${m.dataSync()}`);
 * ```
 */
export type Tensor2D = tf.Tensor2D;
/**
 * A rank-3 TensorFlow.js tensor.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import type { Tensor3D } from "./types.ts";
 * import { toTensors } from "./data/to_tensors.ts";
 * await tf.setBackend("cpu");
 * // images of shape [2, 2] (no channel axis) batch into [n, 2, 2]
 * const data = { images: Float32Array.from([0, 0, 0, 0, 1, 1, 1, 1]), labels: Int32Array.from([0, 1]), shape: [2, 2], size: 2, classNames: ["a", "b"] };
 * const batch = toTensors(data)([{ kind: "labelled", index: 1, label: 1 }]).embeddings as Tensor3D;
 * if (batch.shape.join() !== "1,2,2" || batch.dataSync().join() !== "1,1,1,1") throw new Error("image 1");
 * ```
 */
export type Tensor3D = tf.Tensor3D;
/**
 * A rank-4 TensorFlow.js tensor (a batch of images, NHWC).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import type { Tensor4D } from "./types.ts";
 * import { toTensors } from "./data/to_tensors.ts";
 * await tf.setBackend("cpu");
 * // 28 × 28 grey images batch into NHWC: [n, 28, 28, 1]
 * const data = { images: new Float32Array(2 * 784), labels: Int32Array.from([0, 0]), shape: [28, 28, 1], size: 2, classNames: ["a"] };
 * const t = toTensors(data)([{ kind: "triplet", anchor: 0, positive: 1, negative: 0 }]);
 * const anchors = t.anchor as Tensor4D;
 * if (anchors.shape.join() !== "1,28,28,1") throw new Error(`${anchors.shape}`);
 * ```
 */
export type Tensor4D = tf.Tensor4D;
/**
 * A TensorFlow.js variable (a trainable weight).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import type { Variable } from "./types.ts";
 * import { dense, empty, siamese } from "./branches/mod.ts";
 * import { compile } from "./compile/compile.ts";
 * import { contrastive } from "./losses/mod.ts";
 * await tf.setBackend("cpu");
 * const program = compile({ model: siamese(dense(3)(empty)), loss: contrastive(), inputShape: [2] });
 * // one dense layer from 2 inputs to 3 units: a 2 × 3 kernel and 3 biases
 * const weights: Variable[] = program.trainableWeights();
 * if (weights.map((w) => w.shape.join("×")).join() !== "2×3,3") throw new Error("kernel and bias");
 * program.dispose();
 * ```
 */
export type Variable = tf.Variable;
/**
 * A TensorFlow.js layers model.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import type { LayersModel } from "./types.ts";
 * import { dense, empty, siamese } from "./branches/mod.ts";
 * import { compile } from "./compile/compile.ts";
 * import { contrastive } from "./losses/mod.ts";
 * import { pipe } from "./pipe.ts";
 * await tf.setBackend("cpu");
 * const branch = pipe(empty, dense(4), dense(2));
 * const program = compile({ model: siamese(branch), loss: contrastive(), inputShape: [3] });
 * // the shared branch as one model: (3·4 + 4) + (4·2 + 2) = 26 weights
 * const embedder: LayersModel = program.embedder;
 * if (embedder.countParams() !== 26) throw new Error(`${embedder.countParams()}`);
 * program.dispose();
 * ```
 */
export type LayersModel = tf.LayersModel;
/**
 * A TensorFlow.js layer.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import type { Layer } from "./types.ts";
 * import { l2NormalizeLayer } from "./compile/l2_normalize_layer.ts";
 * await tf.setBackend("cpu");
 * // the layer `branches.l2Normalize()` compiles to: each row scaled to length 1
 * const layer: Layer = l2NormalizeLayer();
 * const y = (layer.apply(tf.tensor2d([[3, 4]])) as tf.Tensor).dataSync();
 * if (Math.abs(y[0] - 0.6) > 1e-6 || Math.abs(y[1] - 0.8) > 1e-6) throw new Error(`${y}`);
 * ```
 */
export type Layer = tf.layers.Layer;
/**
 * A TensorFlow.js optimizer.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import type { Optimizer } from "./types.ts";
 * import { dense, empty, siamese } from "./branches/mod.ts";
 * import { compile } from "./compile/compile.ts";
 * import { contrastive } from "./losses/mod.ts";
 * await tf.setBackend("cpu");
 * const model = siamese(dense(2)(empty));
 * // named optimizers: Adam by default, or SGD, RMSProp, Adagrad
 * const names = [undefined, "sgd"] as const;
 * const programs = names.map((optimizer) => compile({ model, loss: contrastive(), inputShape: [2], optimizer }));
 * const optimizers: Optimizer[] = programs.map((p) => p.optimizer);
 * if (optimizers.map((o) => o.getClassName()).join() !== "Adam,SGD") throw new Error("optimizers");
 * programs.forEach((p) => p.dispose());
 * ```
 */
export type Optimizer = tf.Optimizer;

// ---------------------------------------------------------------------------
// Distances and losses
// ---------------------------------------------------------------------------

/**
 * Which host kernel computes a {@linkcode HostDistance}: the built-in kinds run the blocked
 * (WebAssembly SIMD where available) kernels of `metrics` and the matrix-product search of
 * `gallery`; `"custom"` runs the distance's own `pair` (or `many`) function.
 *
 * @example
 * ```ts
 * import type { HostDistanceKind } from "./types.ts";
 * import { cosine, distance } from "./distances/mod.ts";
 * import * as tf from "@tensorflow/tfjs";
 * const mine = distance({ name: "l∞", rows: (a, b) => tf.max(tf.abs(tf.sub(a, b)), 1) });
 * const kinds: HostDistanceKind[] = [cosine.host.kind, mine.host.kind];
 * if (kinds.join() !== "cosine,custom") throw new Error(`${kinds}`);
 * ```
 */
export type HostDistanceKind =
  | "euclidean"
  | "squaredEuclidean"
  | "cosine"
  | "manhattan"
  | "dot"
  | "custom";

/**
 * A distance on plain numbers (no tensors), for the metrics' chunked k-nearest-neighbour
 * scans and the gallery's search. `kind` picks a fast kernel; `pair` is the exact float64
 * distance of two equally long vectors, and `many` (when present) the distances of one
 * query to `n` row-major rows at once.
 *
 * @example
 * ```ts
 * import type { HostDistance } from "./types.ts";
 * import { manhattan } from "./distances/mod.ts";
 * const host: HostDistance = manhattan.host;
 * // |1 − 4| + |2 − 6| = 7
 * if (host.kind !== "manhattan" || host.pair([1, 2], [4, 6]) !== 7) throw new Error("host");
 * ```
 */
export interface HostDistance {
  /** Which kernel computes it. */
  readonly kind: HostDistanceKind;
  /** The distance of `a` and `b` (the same length), computed in float64. */
  readonly pair: (a: ArrayLike<number>, b: ArrayLike<number>) => number;
  /**
   * Writes into `out[j]` the distance of `query` (`dim` values) to row `j` of `rows`
   * (`n × dim`, row-major), for `j < n`.
   */
  readonly many?: (
    query: Float32Array,
    rows: Float32Array,
    n: number,
    dim: number,
    out: Float64Array,
  ) => void;
}

/**
 * A distance between embeddings, as one record used everywhere: the row-wise and all-pairs
 * tensor forms (losses and miners), the host form (metrics and the gallery) and a name (the
 * gallery's and saved models' metadata). Smaller always means closer. The built-ins are
 * `distances.euclidean`, `squaredEuclidean`, `cosine`, `manhattan` and `dot`;
 * `distances.distance({ name, rows })` makes your own.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import type { Distance } from "./types.ts";
 * import { euclidean, manhattan } from "./distances/mod.ts";
 * await tf.setBackend("cpu");
 * // row 0: (0, 0) against (3, 4); row 1: a point against itself
 * const a = tf.tensor2d([[0, 0], [1, 1]]), b = tf.tensor2d([[3, 4], [1, 1]]);
 * const rows = (d: Distance) => Array.from(d.rows(a, b).dataSync()).join();
 * if (rows(euclidean) !== "5,0") throw new Error(`euclidean ${rows(euclidean)}`);
 * if (rows(manhattan) !== "7,0") throw new Error(`manhattan ${rows(manhattan)}`);
 * // the same distances on plain numbers, and all pairs at once
 * if (euclidean.host.pair([0, 0], [3, 4]) !== 5) throw new Error("host");
 * if (euclidean.matrix(a, b).shape.join() !== "2,2") throw new Error("matrix");
 * ```
 */
export interface Distance {
  /** The distance's name, recorded in gallery and model metadata. */
  readonly name: string;
  /** Row `i` of `a` against row `i` of `b` (same shapes): one value per row. */
  readonly rows: (a: Tensor2D, b: Tensor2D) => Tensor1D;
  /** Every row of `a` against every row of `b`: entry `[i, j]` is `d(a[i], b[j])`. */
  readonly matrix: DistanceMatrix;
  /** The same distance on plain numbers. */
  readonly host: HostDistance;
}

/**
 * An all-pairs distance: entry `[i, j]` is the distance between row `i` of `a` and row `j`
 * of `b`. Every {@linkcode Distance} has one as `matrix`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import type { DistanceMatrix } from "./types.ts";
 * import { manhattan } from "./distances/mod.ts";
 * await tf.setBackend("cpu");
 * const all: DistanceMatrix = manhattan.matrix;
 * // rows (0, 0), (1, 0) of a against rows (0, 0), (0, 2) of b
 * const m = all(tf.tensor2d([[0, 0], [1, 0]]), tf.tensor2d([[0, 0], [0, 2]])).arraySync();
 * if (m.flat().join() !== "0,2,1,3") throw new Error(`${m}`);
 * ```
 */
export type DistanceMatrix = (a: Tensor2D, b: Tensor2D) => Tensor2D;

/**
 * Two batches of embeddings and whether each row pair is of the same class (1) or not (0).
 * With `T = Tensor` (images) it is also the input batch of a Siamese model.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import type { Pair } from "./types.ts";
 * import { contrastive } from "./losses/mod.ts";
 * await tf.setBackend("cpu");
 * // row 0: a same-class pair 5 apart; row 1: a different-class pair 0.25 apart
 * const pair: Pair = {
 *   kind: "pair",
 *   left: tf.tensor2d([[0, 0], [0, 0]]),
 *   right: tf.tensor2d([[3, 4], [0, 0.25]]),
 *   same: tf.tensor1d([1, 0]),
 * };
 * // contrastive, margin 1: same → d = 5, different → 1 − d = 0.75
 * const v = contrastive({ margin: 1 }).perItem(pair).dataSync();
 * if (v.join() !== "5,0.75") throw new Error(`contrastive ${v}`);
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
 * import * as tf from "@tensorflow/tfjs";
 * import type { Triplet } from "./types.ts";
 * import { tripletMargin } from "./losses/mod.ts";
 * await tf.setBackend("cpu");
 * // two triplets (one per row), anchors at the origin, positives 1 away
 * const t: Triplet = {
 *   kind: "triplet",
 *   anchor: tf.tensor2d([[0, 0], [0, 0]]),
 *   positive: tf.tensor2d([[0, 1], [0, 1]]),
 *   negative: tf.tensor2d([[0, 1.5], [3, 4]]),
 * };
 * // margin 1: max(0, 1 − 1.5 + 1) = 0.5 and max(0, 1 − 5 + 1) = 0
 * const v = tripletMargin({ margin: 1 }).perItem(t).dataSync();
 * if (v.join() !== "0.5,0") throw new Error(`tripletMargin ${v}`);
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
 * import * as tf from "@tensorflow/tfjs";
 * import type { Labelled } from "./types.ts";
 * import { pmlTripletMarginLoss } from "./losses/mod.ts";
 * await tf.setBackend("cpu");
 * // three 1-d embeddings at 0, 1 and 1.25, labelled 0, 0, 1
 * const batch: Labelled = {
 *   kind: "labelled",
 *   embeddings: tf.tensor2d([[0], [1], [1.25]]),
 *   labels: tf.tensor1d([0, 0, 1], "int32"),
 * };
 * // its triplets (0, 1, 2) and (1, 0, 2) cost 1 − 1.25 + 0.5 = 0.25 and 1 − 0.25 + 0.5 = 1.25
 * const loss = pmlTripletMarginLoss({ margin: 0.5 });
 * const v = loss.reduce(loss.perItem(batch)).dataSync()[0];
 * if (Math.abs(v - 0.75) > 1e-6) throw new Error(`mean ${v}`);
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
 * import * as tf from "@tensorflow/tfjs";
 * import type { NWay } from "./types.ts";
 * import { euclidean } from "./distances/mod.ts";
 * import { fromPerItem } from "./losses/mod.ts";
 * await tf.setBackend("cpu");
 * // one row: anchor (0, 0), positive (0, 1), negatives (3, 4) and (0, 2)
 * const input: NWay = {
 *   kind: "nway",
 *   items: [tf.tensor2d([[0, 0]]), tf.tensor2d([[0, 1]]), tf.tensor2d([[3, 4]]), tf.tensor2d([[0, 2]])],
 * };
 * // a loss over N-way inputs: distance to the positive minus distance to the last negative
 * const gap = fromPerItem("gap", ({ items }: NWay) =>
 *   tf.sub(euclidean.rows(items[0], items[1]), euclidean.rows(items[0], items[items.length - 1])));
 * if (gap.perItem(input).dataSync()[0] !== -1) throw new Error("1 − 2");
 * ```
 */
export interface NWay<T extends Tensor = Tensor2D, N extends number = number> {
  /** Discriminant. */
  readonly kind: "nway";
  /** Anchor, positive, then negatives; all with the same number of rows. Exactly `N` of them
   * when `N` is a literal (`NWay<Tensor2D, 4>`: an array literal of 3 does not compile). */
  readonly items: readonly T[] & { readonly length: N };
}

/**
 * The number of items of loss input `I` as a type: the literal `N` of an `NWay<T, N>`, and
 * `number` otherwise (the pair, triplet and labelled arities are fixed by their kinds).
 *
 * @example
 * ```ts
 * import type { ArityOf, NWay, Triplet } from "./types.ts";
 * const four: ArityOf<NWay<never, 4>> = 4;
 * // @ts-expect-error a 4-way input has 4 items, not 5
 * const five: ArityOf<NWay<never, 4>> = 5;
 * const triplet: ArityOf<Triplet> = 3;
 * if (four + triplet !== 7 || Number(five) !== 5) throw new Error("arity");
 * ```
 */
export type ArityOf<I extends LossInput> = I extends
  { readonly kind: "nway"; readonly items: infer Items extends readonly unknown[] }
  ? Items["length"]
  : number;

/**
 * Any loss input.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import type { LossInput } from "./types.ts";
 * import { contrastive, tripletMargin } from "./losses/mod.ts";
 * await tf.setBackend("cpu");
 * // `kind` tells the inputs apart, so one function can route each to a loss of its kind
 * const perItem = (x: LossInput) => {
 *   if (x.kind === "pair") return contrastive({ margin: 1 }).perItem(x);
 *   if (x.kind === "triplet") return tripletMargin({ margin: 1 }).perItem(x);
 *   throw new Error(`no loss for ${x.kind}`);
 * };
 * const p = tf.tensor2d([[0, 0]]), q = tf.tensor2d([[0, 0.25]]);
 * // a different-class pair 0.25 apart costs 1 − 0.25; a triplet whose negative is its positive, the margin
 * const pair = perItem({ kind: "pair", left: p, right: q, same: tf.tensor1d([0]) }).dataSync()[0];
 * const triplet = perItem({ kind: "triplet", anchor: p, positive: q, negative: q }).dataSync()[0];
 * if (pair !== 0.75 || triplet !== 1) throw new Error(`${pair} ${triplet}`);
 * ```
 */
export type LossInput = Pair | Triplet | Labelled | NWay;

/**
 * Turns per-item loss values into one scalar.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import type { Reducer } from "./types.ts";
 * import { mean, meanNonZero, sum } from "./losses/mod.ts";
 * await tf.setBackend("cpu");
 * const perItem = tf.tensor1d([0, 2, 4, 0]);
 * const reduce = (r: Reducer) => r(perItem).dataSync()[0];
 * // sum 6; mean over all 4 items 1.5; mean over the 2 non-zero items 3
 * if (reduce(sum) !== 6 || reduce(mean) !== 1.5 || reduce(meanNonZero) !== 3) throw new Error("reducers");
 * ```
 */
export type Reducer = (perItem: Tensor1D) => Scalar;

/**
 * A loss: a name, a per-item function and a reducer. Losses over the same input kind form
 * a monoid under `losses.plus`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import type { Loss, Triplet } from "./types.ts";
 * import { tripletMargin } from "./losses/mod.ts";
 * await tf.setBackend("cpu");
 * const loss: Loss<Triplet> = tripletMargin({ margin: 1 });
 * const anchor = tf.tensor2d([[0, 0], [0, 0]]), positive = tf.tensor2d([[0, 1], [0, 1]]);
 * const negative = tf.tensor2d([[0, 1.5], [3, 4]]);
 * // per triplet max(0, d(a, p) − d(a, n) + 1): 0.5 and 0; reduced by their mean: 0.25
 * const perItem = loss.perItem({ kind: "triplet", anchor, positive, negative });
 * if (perItem.dataSync().join() !== "0.5,0") throw new Error(`perItem ${perItem.dataSync()}`);
 * if (loss.reduce(perItem).dataSync()[0] !== 0.25) throw new Error("reduce");
 * ```
 */
export interface Loss<I extends LossInput> {
  /** Shown in reports and errors. */
  readonly name: string;
  /**
   * One loss value per item (pair, triplet, or row) of the batch. `context` is given by
   * `compile`: losses that carry a {@linkcode LossHead} apply it through `context.head`.
   */
  readonly perItem: (input: I, context?: LossContext) => Tensor1D;
  /** Reduces the per-item values to the scalar that is minimised. */
  readonly reduce: Reducer;
  /** A small network the loss needs (e.g. the BCE pair head); `compile` builds and owns it. */
  readonly head?: LossHead;
  /** The distance the loss compares embeddings with; `Program.scorePairs` uses it. */
  readonly distance?: Distance;
  /**
   * Trainable tensors the loss owns (proxies, class weights, centres), declared as specs:
   * `compile` creates them (seeded), trains them with the program's optimiser, saves them in
   * checkpoints and hands them to `perItem` as `context.parameters`. They are not part of
   * the embedder.
   */
  readonly parameters?: readonly LossParameter[];
  /**
   * Non-trainable tensors the loss owns (a memory queue), declared as specs: `compile`
   * creates them (zeros), hands them to `perItem` as `context.buffers`, writes the values the
   * loss stages with `context.update` after each training step, and checkpoints save them.
   * No gradient reaches them.
   */
  readonly buffers?: readonly LossBuffer[];
  /**
   * True when `perItem` honours `context.reference` (rows from outside the batch that the
   * batch's rows are compared with, as `crossBatchMemory` passes them).
   */
  readonly acceptsReference?: boolean;
}

/**
 * A non-trainable tensor a loss declares (a spec: no tensor until `compile`, which fills it
 * with zeros). A dimension given as `"embeddingSize"` is the width of the compiled branch's
 * output.
 *
 * @example
 * ```ts
 * import type { LossBuffer } from "./types.ts";
 * // a queue of 1024 past embeddings, as wide as the embedding
 * const memory: LossBuffer = { name: "memory", shape: [1024, "embeddingSize"] };
 * if (memory.shape.join() !== "1024,embeddingSize") throw new Error("shape");
 * ```
 */
export interface LossBuffer {
  /** Unique within the loss; the key of `context.buffers` and of checkpoints. */
  readonly name: string;
  /** Positive integers, or `"embeddingSize"` for the branch's output width. */
  readonly shape: readonly (number | "embeddingSize")[];
}

/**
 * Rows from outside the batch that a labelled loss compares the batch's rows with (as
 * pytorch-metric-learning's `ref_emb`, `ref_labels`): row `i` of the batch is compared with
 * reference `j` where `mask[i, j]` is 1. No gradient flows into them.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import type { LossReference } from "./types.ts";
 * import { multiSimilarity } from "./losses/mod.ts";
 * await tf.setBackend("cpu");
 * // one batch row compared with two references of its class, or with none
 * const input = { kind: "labelled" as const, embeddings: tf.tensor2d([[1, 0]]), labels: tf.tensor1d([0]) };
 * const reference = (on: number): LossReference => ({ embeddings: tf.tensor2d([[0, 1], [0, 1]]), labels: tf.tensor1d([0, 0]), mask: tf.tensor2d([[on, on]]) });
 * const loss = multiSimilarity();
 * const v = (on: number) => loss.perItem(input, { training: false, reference: reference(on) }).dataSync()[0];
 * // two positives at similarity 0: (1/2)·log(1 + 2e) with them, 0 without
 * if (Math.abs(v(1) - 0.5 * Math.log(1 + 2 * Math.E)) > 1e-5 || v(0) !== 0) throw new Error(`${v(1)} ${v(0)}`);
 * ```
 */
export interface LossReference {
  /** `[r, e]` reference rows. */
  readonly embeddings: Tensor2D;
  /** `[r]` their integer labels. */
  readonly labels: Tensor1D;
  /** `[n, r]`: 1 where batch row `i` may be compared with reference `j`, else 0. */
  readonly mask: Tensor2D;
}

/**
 * How `compile` fills a loss parameter when it creates it, from a seed it derives from the
 * program's seed: a normal distribution (`mean`, `stddev`) or a uniform one on `[min, max)`.
 *
 * @example
 * ```ts
 * import type { ParameterInit } from "./types.ts";
 * // PyTorch's kaiming_normal_(mode="fan_out") of a [10, e] proxy matrix: std √(2/10)
 * const init: ParameterInit = { kind: "normal", mean: 0, stddev: Math.sqrt(2 / 10) };
 * if (init.kind !== "normal" || Math.abs(init.stddev - 0.4472136) > 1e-7) throw new Error("init");
 * ```
 */
export type ParameterInit =
  | { readonly kind: "normal"; readonly mean: number; readonly stddev: number }
  | { readonly kind: "uniform"; readonly min: number; readonly max: number };

/**
 * A trainable tensor a loss declares (a spec: no tensor until `compile`). A dimension given
 * as `"embeddingSize"` is the width of the compiled branch's output.
 *
 * @example
 * ```ts
 * import type { LossParameter } from "./types.ts";
 * // one unit-normal proxy row per class, as wide as the embedding, trained 10× faster
 * const proxies: LossParameter = {
 *   name: "proxies",
 *   shape: [5, "embeddingSize"],
 *   init: { kind: "normal", mean: 0, stddev: 1 },
 *   learningRateMultiplier: 10,
 * };
 * if (proxies.shape.join() !== "5,embeddingSize") throw new Error("shape");
 * ```
 */
export interface LossParameter {
  /** Unique within the loss; the key of `context.parameters` and of checkpoints. */
  readonly name: string;
  /** Positive integers, or `"embeddingSize"` for the branch's output width. */
  readonly shape: readonly (number | "embeddingSize")[];
  /** How it starts (seeded by `compile`). */
  readonly init: ParameterInit;
  /**
   * Its learning rate as a multiple of the program's (default 1), as PyTorch users give a
   * loss's parameters an optimiser of their own. `compile` then trains it with an optimiser
   * of the same kind at `learningRate·learningRateMultiplier`, which needs a named optimizer.
   */
  readonly learningRateMultiplier?: number;
}

/**
 * The loss-owned state of a compiled program: each declared loss parameter as a variable,
 * with the optimiser that trains it when the program made one for it (a named optimizer);
 * without one it is trained by `program.optimizer` together with the model.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { compile } from "./compile/compile.ts";
 * import { dense, empty, labelled } from "./branches/mod.ts";
 * import { proxyAnchor } from "./losses/learned/mod.ts";
 * import type { LossState } from "./types.ts";
 * await tf.setBackend("cpu");
 * const program = compile({ model: labelled(dense(4)(empty)), loss: proxyAnchor({ classes: 3 }), inputShape: [2] });
 * const state: LossState | undefined = program.lossState;
 * // one [3, 4] proxy matrix, beside (not inside) the embedder's kernel and bias
 * if (state?.parameters.map((p) => `${p.name} ${p.variable.shape}`).join() !== "proxies 3,4") throw new Error("state");
 * if (program.embedder.weights.length !== 2) throw new Error("the embedder holds no proxies");
 * program.dispose();
 * ```
 */
export interface LossState {
  /** In the loss's declaration order. */
  readonly parameters: readonly {
    /** The declared name. */
    readonly name: string;
    /** Its value (owned by the program). */
    readonly variable: Variable;
    /** Its own optimiser, or undefined when `program.optimizer` trains it. */
    readonly optimizer?: Optimizer;
  }[];
  /** The loss's buffers ({@linkcode LossBuffer}: non-trainable), in declaration order. */
  readonly buffers?: readonly {
    /** The declared name. */
    readonly name: string;
    /** Its value (owned by the program; not trainable). */
    readonly variable: Variable;
  }[];
}

/**
 * What `compile` hands a loss besides its input.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import type { LossContext } from "./types.ts";
 * import { pairBce } from "./losses/mod.ts";
 * await tf.setBackend("cpu");
 * // a stand-in for the compiled head: logit 0, i.e. P(same) = ½, for every pair
 * const context: LossContext = { training: false, head: (x) => tf.zeros([x.shape[0], 1]) };
 * const left = tf.ones([2, 3]) as tf.Tensor2D, right = tf.zeros([2, 3]) as tf.Tensor2D;
 * const v = pairBce().perItem({ kind: "pair", left, right, same: tf.tensor1d([1, 0]) }, context);
 * // binary cross-entropy of p = ½ is log 2 whatever the label
 * if (v.dataSync().some((x) => Math.abs(x - Math.LN2) > 1e-6)) throw new Error(`${v.dataSync()}`);
 * ```
 */
export interface LossContext {
  /** Whether this is a training step (dropout on, batch statistics). */
  readonly training: boolean;
  /** The compiled loss head, when the loss declared one. */
  readonly head?: (x: Tensor2D) => Tensor2D;
  /** The loss's parameters by name, when the loss declared some ({@linkcode LossParameter}). */
  readonly parameters?: Readonly<Record<string, Tensor>>;
  /** The loss's buffers by name, when the loss declared some ({@linkcode LossBuffer}). */
  readonly buffers?: Readonly<Record<string, Tensor>>;
  /**
   * Stages a new value for buffer `name`; `compile` writes it after a training step's update
   * (evaluation stages nothing: absent there).
   */
  readonly update?: (name: string, value: Tensor) => void;
  /** Rows from outside the batch to compare the batch with ({@linkcode LossReference}). */
  readonly reference?: LossReference;
}

/**
 * A network a loss carries as a spec. `input: "pair"` heads see two embeddings concatenated
 * (`[n, 2e]`, their output is a same-class logit); `"single"` heads see one (`[n, e]`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { LossHead } from "./types.ts";
 * import { pairBce } from "./losses/mod.ts";
 * // pair-bce carries a pair head: its hidden dense layers, then one same-class logit
 * const head: LossHead | undefined = pairBce({ hidden: [16] }).head;
 * assert.equal(head?.input, "pair");
 * assert.deepEqual(head?.branch.stages.map((s) => s.kind === "dense" ? s.units : s.kind), [16, 1]);
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
 * import { dense, empty } from "./branches/mod.ts";
 * const activationOf = (a?: Activation) => {
 *   const stage = dense(4, a === undefined ? {} : { activation: a })(empty).stages[0];
 *   return stage.kind === "dense" ? stage.activation : undefined;
 * };
 * if (activationOf("tanh") !== "tanh") throw new Error("tanh");
 * if (activationOf() !== "linear") throw new Error("dense is linear by default");
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
 * import assert from "node:assert/strict";
 * import type { Stage } from "./types.ts";
 * import { conv2d, empty, maxPool2d } from "./branches/mod.ts";
 * import { pipe } from "./pipe.ts";
 * const stages: readonly Stage[] = pipe(empty, conv2d(8, { kernelSize: 5 }), maxPool2d(2)).stages;
 * // each builder appends one stage: what was asked for, defaults for the rest
 * assert.deepEqual(stages, [
 *   { kind: "conv2d", filters: 8, kernelSize: 5, strides: 1, padding: "same", activation: "linear", useBias: true },
 *   { kind: "maxPool2d", poolSize: 2, strides: 2 },
 * ]);
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
    /** `"embedding"` when the layer is the branch's embedding projection (`embedding(size)`). */
    readonly role?: "embedding";
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
    /** The model's learning rate as a multiple of the program's (absent: 1). */
    readonly learningRateMultiplier?: number;
  };

/**
 * A branch: the stages one item goes through to become an embedding.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Branch } from "./types.ts";
 * import { dense, empty, l2Normalize } from "./branches/mod.ts";
 * import { pipe } from "./pipe.ts";
 * const branch: Branch = pipe(empty, dense(8, { activation: "relu" }), dense(4), l2Normalize());
 * assert.equal(branch.kind, "branch");
 * assert.deepEqual(branch.stages.map((s) => s.kind === "dense" ? s.units : s.kind), [8, 4, "l2Normalize"]);
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
 * import assert from "node:assert/strict";
 * import type { Model, Triplet } from "./types.ts";
 * import { dense, empty, triplet } from "./branches/mod.ts";
 * const branch = dense(4)(empty);
 * const model: Model<Triplet> = triplet(branch);
 * // one branch, applied to anchor, positive and negative
 * assert.equal(model.kind, "triplet");
 * assert.equal(model.arity, 3);
 * assert.equal(model.branch, branch);
 * ```
 */
export interface Model<I extends LossInput> {
  /** Which loss input the model produces. */
  readonly kind: I["kind"];
  /** How many items share the branch (2 for pairs, 3 for triplets, 1 for labelled, `N` for
   * `nWay(N, branch)`: a literal type, so batches of another arity do not compile). */
  readonly arity: ArityOf<I>;
  /** The shared branch. */
  readonly branch: Branch;
}

/**
 * The input batch a compiled model takes for loss input `I`: the same record with images
 * (`[n, h, w, c]`, or `[n, d]` for vectors) in place of embeddings.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import type { Batch, Pair } from "./types.ts";
 * import { makeDataset } from "./data/make_dataset.ts";
 * import { toTensors } from "./data/to_tensors.ts";
 * await tf.setBackend("cpu");
 * // three samples of two bytes each, scaled to [0, 1]
 * const d = makeDataset({ images: Uint8Array.from([0, 0, 255, 0, 255, 255]), labels: [0, 1, 1], shape: [2], classNames: ["a", "b"] });
 * const batch: Batch<Pair> = toTensors(d)([{ kind: "pair", left: 1, right: 2, same: true }]);
 * assert.deepEqual(batch.left.arraySync(), [[1, 0]]);
 * assert.deepEqual(batch.right.arraySync(), [[1, 1]]);
 * assert.deepEqual(batch.same.arraySync(), [1]);
 * ```
 */
export type Batch<I extends LossInput> = I extends { kind: "pair" } ? Pair<Tensor>
  : I extends { kind: "triplet" } ? Triplet<Tensor>
  : I extends { kind: "labelled" } ? Labelled<Tensor>
  : NWay<Tensor, ArityOf<I>>;

/**
 * A compiled model: owns its weights, optimizer slots and batch-norm statistics.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import type { Pair, Program } from "./types.ts";
 * import { dense, empty, siamese } from "./branches/mod.ts";
 * import { compile } from "./compile/compile.ts";
 * import { contrastive } from "./losses/mod.ts";
 * await tf.setBackend("cpu");
 * const program: Program<Pair> = compile({ model: siamese(dense(3)(empty)), loss: contrastive(), inputShape: [2] });
 * const x = tf.tensor2d([[1, 2], [3, 4]]);
 * if (program.embed(x).shape.join() !== "2,3") throw new Error("two embeddings of width 3");
 * // scored with the loss's distance: an item is at distance 0 from itself
 * if (program.scorePairs(x, x).dataSync().join() !== "0,0") throw new Error("self distance");
 * program.dispose();
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
  /**
   * The loss's parameters and their optimisers, and its buffers (a cross-batch memory), when
   * the loss declares any.
   */
  readonly lossState?: LossState;
  /** One optimiser step; returns the loss (caller disposes it). Does not dispose `batch`. */
  trainStep(batch: Batch<I>): Scalar;
  /** The loss in inference mode, without an update. */
  evaluate(batch: Batch<I>): Scalar;
  /** Embeddings of a batch of items `[n, ...inputShape]`, inference mode. */
  embed(x: Tensor): Tensor2D;
  /** Per-row score of two batches: P(same) for pair-head losses, else the loss's distance. */
  scorePairs(left: Tensor, right: Tensor): Tensor1D;
  /** The trainable variables (branch, then head, then the loss's parameters). */
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
 * A labelled dataset: `size` samples, each of `shape` (for images `[h, w, c]`), scaled to
 * [0, 1]. In memory (`makeDataset`, `fashionMnist`) the pixels are one row-major Float32Array
 * in `images`; an image dataset read from disk (`data.imageFolder`, `data.imageManifest`)
 * decodes lazily instead and is turned into tensors by `data.imageBatches`. Samplers and splits
 * only use `size`, `labels` and `classNames`, so they work on both.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Dataset } from "./types.ts";
 * import { makeDataset } from "./data/make_dataset.ts";
 * const d: Dataset = makeDataset({
 *   images: Uint8Array.from([0, 255, 255, 0]),
 *   labels: [1, 0],
 *   shape: [2],
 *   classNames: ["cat", "dog"],
 * });
 * // two samples of two values each, bytes scaled to [0, 1]
 * assert.equal(d.size, 2);
 * assert.deepEqual([...d.images], [0, 1, 1, 0]);
 * assert.equal(d.classNames[d.labels[0]], "dog");
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
 * import { rng } from "./samplers/rng.ts";
 * const rolls = (r: Rng) => Array.from({ length: 60 }, () => r.int(6));
 * const a = rolls(rng(42));
 * // 60 dice rolls show every face, and the same seed rolls the same dice
 * if (new Set(a).size !== 6 || a.some((x) => x < 0 || x > 5)) throw new Error(`${a}`);
 * if (rolls(rng(42)).join() !== a.join()) throw new Error("not reproducible");
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
 * import assert from "node:assert/strict";
 * import type { Sampler, TripletIndex } from "./types.ts";
 * import { rng } from "./samplers/rng.ts";
 * import { triplets } from "./samplers/triplets.ts";
 * const labels = Int32Array.from([0, 0, 1, 1]);
 * const data = { images: new Float32Array(4), labels, shape: [1], size: 4, classNames: ["a", "b"] };
 * const sampler: Sampler<TripletIndex> = triplets(data);
 * const epoch = [...sampler(rng(1))];
 * // every sample is an anchor once; its positive is the other sample of its class
 * assert.deepEqual(epoch.map((t) => t.anchor).sort(), [0, 1, 2, 3]);
 * assert.ok(epoch.every((t) => t.positive === (t.anchor ^ 1) && labels[t.negative] !== labels[t.anchor]));
 * assert.deepEqual([...sampler(rng(1))], epoch); // same seed, same epoch
 * ```
 */
export type Sampler<A> = (rng: Rng) => Iterable<A>;

/**
 * A pair of dataset indices and whether they share a class.
 *
 * @example
 * ```ts
 * import type { PairIndex } from "./types.ts";
 * import { pairs } from "./samplers/pairs.ts";
 * import { rng } from "./samplers/rng.ts";
 * const labels = Int32Array.from([0, 0, 0, 1, 1, 1]);
 * const data = { images: new Float32Array(6), labels, shape: [1], size: 6, classNames: ["a", "b"] };
 * const epoch: PairIndex[] = [...pairs(data, { positiveFraction: 0.5 })(rng(7))];
 * // one pair per sample, half of them positive, `same` telling which
 * if (epoch.length !== 6 || epoch.filter((p) => p.same).length !== 3) throw new Error("counts");
 * for (const p of epoch) {
 *   if (p.left === p.right || p.same !== (labels[p.left] === labels[p.right])) throw new Error(`${p}`);
 * }
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
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import type { TripletIndex } from "./types.ts";
 * import { toTensors } from "./data/to_tensors.ts";
 * await tf.setBackend("cpu");
 * const images = Float32Array.from([0.5, 0.25, 1]);
 * const data = { images, labels: Int32Array.from([0, 1, 0]), shape: [1], size: 3, classNames: ["a", "b"] };
 * const t: TripletIndex = { kind: "triplet", anchor: 2, positive: 0, negative: 1 };
 * // the batch gathers each index's image: anchor 1, positive 0.5, negative 0.25
 * const batch = toTensors(data)([t]);
 * assert.deepEqual([batch.anchor, batch.positive, batch.negative].map((x) => x.dataSync()[0]), [1, 0.5, 0.25]);
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
 * import { pk } from "./samplers/pk.ts";
 * import { rng } from "./samplers/rng.ts";
 * const labels = Int32Array.from([0, 0, 1, 1, 2, 2, 3, 3]);
 * const data = { images: new Float32Array(8), labels, shape: [1], size: 8, classNames: ["a", "b", "c", "d"] };
 * const batches: (readonly LabelledIndex[])[] = [...pk(data, { p: 2, k: 2 })(rng(3))];
 * // 2 batches of 2 classes × 2 samples; each index carries its sample's label
 * if (batches.length !== 2) throw new Error(`${batches.length} batches`);
 * for (const b of batches) {
 *   if (b.length !== 4 || new Set(b.map((x) => x.label)).size !== 2) throw new Error("p × k");
 *   if (b.some((x) => x.label !== labels[x.index])) throw new Error("label");
 * }
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
 * An N-way tuple of dataset indices: `items[0]` the anchor, `items[1]` a positive (another
 * sample of the anchor's class) and `items[2…]` negatives, each of a different class (other
 * than the anchor's and each other's). `N` is the tuple's length, as in {@linkcode NWay}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import type { NWayIndex } from "./types.ts";
 * import { toTensors } from "./data/to_tensors.ts";
 * await tf.setBackend("cpu");
 * const images = Float32Array.from([0.5, 0.25, 1, 0.75]);
 * const data = { images, labels: Int32Array.from([0, 1, 0, 2]), shape: [1], size: 4, classNames: ["a", "b", "c"] };
 * const t: NWayIndex<4> = { kind: "nway", items: [2, 0, 1, 3] };
 * // the batch gathers each slot's image: anchor 1, positive 0.5, negatives 0.25 and 0.75
 * const batch = toTensors(data)([t]);
 * assert.equal(batch.items.length, 4);
 * assert.deepEqual(batch.items.map((x) => x.dataSync()[0]), [1, 0.5, 0.25, 0.75]);
 * tf.dispose([...batch.items]);
 * ```
 */
export interface NWayIndex<N extends number = number> {
  /** Discriminant. */
  readonly kind: "nway";
  /** Anchor, positive, then `N − 2` negatives of pairwise different classes. */
  readonly items: readonly number[] & { readonly length: N };
}

/**
 * Any index tuple a sampler produces.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import type { IndexTuple } from "./types.ts";
 * import { toTensors } from "./data/to_tensors.ts";
 * await tf.setBackend("cpu");
 * const data = { images: Float32Array.from([0.5, 0.25, 1]), labels: Int32Array.from([0, 0, 1]), shape: [1], size: 3, classNames: ["a", "b"] };
 * const tuples: IndexTuple[] = [{ kind: "pair", left: 0, right: 2, same: false }, { kind: "labelled", index: 2, label: 1 }];
 * // each kind of tuple becomes the loss input of the same kind
 * const batches = tuples.map((t) => toTensors(data)([t]));
 * assert.deepEqual(batches.map((b) => b.kind), ["pair", "labelled"]);
 * assert.deepEqual(batches[0].kind === "pair" && batches[0].right.arraySync(), [[1]]);
 * assert.deepEqual(batches[1].kind === "labelled" && batches[1].labels.arraySync(), [1]);
 * ```
 */
export type IndexTuple = PairIndex | TripletIndex | LabelledIndex | NWayIndex;
