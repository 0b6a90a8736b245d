/**
 * The plain-data inputs and outputs of `likeness/report`. Reports consume numbers, never
 * tensors: whatever computed them (the `metrics` folder, a training loop, a user) hands over
 * arrays and records.
 *
 * @module
 */

/**
 * A 2-D map of embeddings: `points` holds `x, y` per kept row (row-major, length
 * `2 × rows.length`), and `rows[i]` is the index, in the input, of the row drawn as point `i`.
 * Large inputs are subsampled (seeded), so `rows` may be shorter than the input.
 *
 * @example
 * ```ts
 * import type { Projection } from "./types.ts";
 * const p: Projection = { points: new Float64Array([0, 0, 1, 1]), rows: new Int32Array([0, 5]) };
 * if (p.points.length !== 2 * p.rows.length) throw new Error("two coordinates per row");
 * ```
 */
export interface Projection {
  /** `x, y` of each kept row, row-major. */
  readonly points: Float64Array;
  /** Index of each kept row in the input, ascending. */
  readonly rows: Int32Array;
}

/**
 * Options shared by the 2-D map functions (`tsne`, `umap`, `pca`).
 *
 * @example
 * ```ts
 * import type { ProjectionOptions } from "./types.ts";
 * const o: ProjectionOptions = { seed: 7, maxPoints: 1000 };
 * ```
 */
export interface ProjectionOptions {
  /** Seed of the subsampling and of the method's own randomness. Default 1. */
  readonly seed?: number;
  /**
   * At most this many rows are mapped; larger inputs are subsampled uniformly without
   * replacement under `seed`. Default 2000 (t-SNE and UMAP cost grows with its square).
   */
  readonly maxPoints?: number;
}

/**
 * One point of a ROC curve: the false accept rate (FAR, false positive rate) and the true
 * accept rate (TAR, true positive rate) at one threshold.
 *
 * @example
 * ```ts
 * import type { RocPoint } from "./types.ts";
 * const p: RocPoint = { far: 0.01, tar: 0.9 };
 * ```
 */
export interface RocPoint {
  /** False accept rate in [0, 1]. */
  readonly far: number;
  /** True accept rate in [0, 1]. */
  readonly tar: number;
}

/**
 * Histogram of matched (same class) and mismatched (different class) pair distances over
 * shared bins: `edges` has one more entry than `matched` and `mismatched`; bin `i` is
 * `[edges[i], edges[i + 1])`.
 *
 * @example
 * ```ts
 * import type { DistanceHistogram } from "./types.ts";
 * const h: DistanceHistogram = { edges: [0, 1, 2], matched: [5, 1], mismatched: [1, 6] };
 * ```
 */
export interface DistanceHistogram {
  /** Ascending bin edges, `bins + 1` values. */
  readonly edges: readonly number[];
  /** Count of matched pairs per bin. */
  readonly matched: readonly number[];
  /** Count of mismatched pairs per bin. */
  readonly mismatched: readonly number[];
}

/**
 * One point of a training curve.
 *
 * @example
 * ```ts
 * import type { LossPoint } from "./types.ts";
 * const p: LossPoint = { step: 10, loss: 0.42 };
 * ```
 */
export interface LossPoint {
  /** Step (or epoch) number. */
  readonly step: number;
  /** Loss value at that step. */
  readonly loss: number;
}

/**
 * Metrics measured for one embedding size, for the embedding-size comparison.
 *
 * @example
 * ```ts
 * import type { SizeResult } from "./types.ts";
 * const r: SizeResult = { size: 32, metrics: { auc: 0.97, "rank-1": 0.81 } };
 * ```
 */
export interface SizeResult {
  /** Embedding dimension. */
  readonly size: number;
  /** Metric name → value. */
  readonly metrics: Readonly<Record<string, number>>;
}

/**
 * A Vega-Lite specification (plain JSON), as built by the `*Plot` functions and drawn by
 * `renderSvg`. Any hand-written Vega-Lite spec works too.
 *
 * @example
 * ```ts
 * import type { PlotSpec } from "./types.ts";
 * const spec: PlotSpec = { mark: "point", data: { values: [{ x: 1 }] } };
 * ```
 */
export type PlotSpec = Readonly<Record<string, unknown>>;

/**
 * Images to draw in a gallery: `size` grayscale (or first-channel) images of `shape`
 * `[height, width]` or `[height, width, channels]`, row-major, values in [0, 1]. A `Dataset`
 * of the `data` folder fits.
 *
 * @example
 * ```ts
 * import type { ImageSource } from "./types.ts";
 * const src: ImageSource = { images: new Float32Array(2 * 4), shape: [2, 2, 1], size: 2 };
 * ```
 */
export interface ImageSource {
  /** `size × prod(shape)` values in [0, 1]. */
  readonly images: Float32Array;
  /** Shape of one image: `[h, w]` or `[h, w, c]` (only channel 0 is drawn). */
  readonly shape: readonly number[];
  /** Number of images. */
  readonly size: number;
  /** Class names, indexed by label, shown under the images when labels are given. */
  readonly classNames?: readonly string[];
  /** Class label of each image. */
  readonly labels?: ArrayLike<number>;
}

/**
 * One retrieved neighbour of a query.
 *
 * @example
 * ```ts
 * import type { Neighbour } from "./types.ts";
 * const n: Neighbour = { index: 12, distance: 0.3, correct: true };
 * ```
 */
export interface Neighbour {
  /** Index of the neighbour in the image source. */
  readonly index: number;
  /** Its distance to the query (smaller is closer). */
  readonly distance: number;
  /** Whether it has the query's class. */
  readonly correct: boolean;
}

/**
 * A query and its neighbours, closest first: one row of a ranking gallery.
 *
 * @example
 * ```ts
 * import type { RankedQuery } from "./types.ts";
 * const q: RankedQuery = { query: 0, neighbours: [{ index: 3, distance: 0.1, correct: true }] };
 * ```
 */
export interface RankedQuery {
  /** Index of the query image in the image source. */
  readonly query: number;
  /** Neighbours, closest first. */
  readonly neighbours: readonly Neighbour[];
}

/**
 * A compared pair with its score, for the pair gallery.
 *
 * @example
 * ```ts
 * import type { ScoredPair } from "./types.ts";
 * const p: ScoredPair = { left: 0, right: 1, score: 0.2, same: true, predictedSame: true };
 * ```
 */
export interface ScoredPair {
  /** Index of the left image. */
  readonly left: number;
  /** Index of the right image. */
  readonly right: number;
  /** The pair's score (a distance, or a probability from a head). */
  readonly score: number;
  /** Ground truth: whether both images share a class. */
  readonly same: boolean;
  /** The model's decision; when given, the pair is marked correct or incorrect. */
  readonly predictedSame?: boolean;
}
