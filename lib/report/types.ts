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
 * import assert from "node:assert/strict";
 * import type { Projection } from "./types.ts";
 * import { pca } from "./pca.ts";
 * // three 2-d rows on a horizontal line, 1 apart: the first component is that line
 * const p: Projection = pca(new Float32Array([0, 5, 1, 5, 2, 5]), 2);
 * assert.deepEqual([...p.rows], [0, 1, 2]);
 * assert.equal(p.points.length, 6); // x, y per row
 * const [x0, y0, x1, y1, x2] = p.points;
 * assert.ok(Math.abs(Math.abs(x2 - x0) - 2) < 1e-9 && Math.abs(Math.abs(x1 - x0) - 1) < 1e-9);
 * assert.ok(Math.abs(y1 - y0) < 1e-9); // nothing varies along the second
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
 * import assert from "node:assert/strict";
 * import type { ProjectionOptions } from "./types.ts";
 * import { pca } from "./pca.ts";
 * const x = new Float32Array(20).map((_, i) => i); // ten 2-d rows
 * const options: ProjectionOptions = { seed: 7, maxPoints: 4 };
 * const map = pca(x, 2, options);
 * // four distinct rows of the ten, ascending, and the same four for the same seed
 * assert.equal(map.rows.length, 4);
 * assert.ok(map.rows.every((r, i) => r >= 0 && r < 10 && (i === 0 || r > map.rows[i - 1])));
 * assert.deepEqual(pca(x, 2, options).rows, map.rows);
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
 * import assert from "node:assert/strict";
 * import type { RocPoint } from "./types.ts";
 * import { rocPlot } from "./roc_plot.ts";
 * import { rocCurve } from "../metrics/roc_curve.ts";
 * // same pairs at 0.1 and 0.4, different pairs at 0.3 and 0.8
 * const roc = rocCurve([0.1, 0.3, 0.4, 0.8], [1, 0, 1, 0]);
 * const points: RocPoint[] = roc.far.map((far, i) => ({ far, tar: roc.tar[i] }));
 * const values = (rocPlot(points).data as { values: RocPoint[] }).values;
 * // one plotted point per threshold, in order
 * assert.deepEqual(values.map((v) => [v.far, v.tar]), [[0, 0], [0, 0.5], [0.5, 0.5], [0.5, 1], [1, 1]]);
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
 * import assert from "node:assert/strict";
 * import type { DistanceHistogram } from "./types.ts";
 * import { histogramPlot } from "./histogram_plot.ts";
 * import { distanceHistogram } from "../metrics/distance_histogram.ts";
 * // same-class distances 0.1, 0.2, 0.7; different-class 0.6, 0.9; bins [0, 0.5) and [0.5, 1]
 * const h = distanceHistogram([0.1, 0.2, 0.7, 0.6, 0.9], [1, 1, 1, 0, 0], { bins: 2, range: [0, 1] });
 * const hist: DistanceHistogram = { edges: h.edges, matched: h.same.counts, mismatched: h.different.counts };
 * const values = (histogramPlot(hist).data as { values: { share: number; pairs: string }[] }).values;
 * // each group's bars are shares of that group: matched 2/3 and 1/3, mismatched 0 and 1
 * assert.deepEqual(values.map((v) => [v.pairs, v.share]), [
 *   ["matched", 2 / 3], ["matched", 1 / 3], ["mismatched", 0], ["mismatched", 1],
 * ]);
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
 * import assert from "node:assert/strict";
 * import type { LossPoint } from "./types.ts";
 * import { lossPlot } from "./loss_plot.ts";
 * const train: LossPoint[] = [{ step: 1, loss: 0.9 }, { step: 2, loss: 0.5 }];
 * const validation: LossPoint[] = [{ step: 2, loss: 0.7 }];
 * const values = (lossPlot({ train, validation }).data as { values: unknown[] }).values;
 * // one row per point, tagged with the curve it belongs to
 * assert.deepEqual(values, [
 *   { step: 1, loss: 0.9, curve: "train" },
 *   { step: 2, loss: 0.5, curve: "train" },
 *   { step: 2, loss: 0.7, curve: "validation" },
 * ]);
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
 * import assert from "node:assert/strict";
 * import type { SizeResult } from "./types.ts";
 * import { sizePlot } from "./size_plot.ts";
 * const results: SizeResult[] = [
 *   { size: 8, metrics: { auc: 0.9, "rank-1": 0.7 } },
 *   { size: 32, metrics: { auc: 0.95, "rank-1": 0.8 } },
 * ];
 * const values = (sizePlot(results).data as { values: unknown[] }).values;
 * // one row per (size, metric)
 * assert.deepEqual(values, [
 *   { size: 8, metric: "auc", value: 0.9 },
 *   { size: 8, metric: "rank-1", value: 0.7 },
 *   { size: 32, metric: "auc", value: 0.95 },
 *   { size: 32, metric: "rank-1", value: 0.8 },
 * ]);
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
 * import { renderSvg } from "./render_svg.ts";
 * // a hand-written Vega-Lite bar chart
 * const spec: PlotSpec = {
 *   data: { values: [{ x: "a", y: 1 }, { x: "b", y: 3 }] },
 *   mark: "bar",
 *   encoding: { x: { field: "x", type: "nominal" }, y: { field: "y", type: "quantitative" } },
 * };
 * const svg = await renderSvg(spec);
 * // one bar per row, labelled with its values
 * if (svg.split('aria-roledescription="bar"').length - 1 !== 2) throw new Error("two bars");
 * if (!svg.includes('aria-label="x: b; y: 3"')) throw new Error("bar b is 3 high");
 * ```
 */
export type PlotSpec = Readonly<Record<string, unknown>>;

/**
 * Images to draw in a gallery: `size` images of `shape` `[height, width]` or
 * `[height, width, channels]`, row-major with channels interleaved, values in [0, 1]. Images
 * with 3 or more channels are drawn in colour (channels 0, 1, 2 as red, green, blue), others
 * in grey from channel 0. A `Dataset` of the `data` folder fits.
 *
 * @example
 * ```ts
 * import type { ImageSource } from "./types.ts";
 * import { pairGallery } from "./pair_gallery.ts";
 * // two 2 × 2 grayscale images, a black one labelled cat and a white one labelled dog
 * const source: ImageSource = {
 *   images: new Float32Array([0, 0, 0, 0, 1, 1, 1, 1]),
 *   shape: [2, 2],
 *   size: 2,
 *   classNames: ["cat", "dog"],
 *   labels: [0, 1],
 * };
 * const svg = pairGallery(source, [{ left: 0, right: 1, score: 0.5, same: false }]);
 * // both images are drawn, and the pair is captioned with their class names
 * if (svg.split("<image").length - 1 !== 2) throw new Error("two images");
 * if (!svg.includes("cat ≠ dog")) throw new Error("class names");
 * ```
 */
export interface ImageSource {
  /** `size × prod(shape)` values in [0, 1]. */
  readonly images: Float32Array;
  /** Shape of one image: `[h, w]` or `[h, w, c]` (c ≥ 3: drawn in colour). */
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
 * import { rankingGallery } from "./ranking_gallery.ts";
 * const source = { images: new Float32Array(3 * 4).fill(0.5), shape: [2, 2], size: 3 };
 * const right: Neighbour = { index: 1, distance: 0.125, correct: true };
 * const wrong: Neighbour = { index: 2, distance: 0.75, correct: false };
 * const svg = rankingGallery(source, [{ query: 0, neighbours: [right, wrong] }]);
 * // each neighbour is marked right or wrong, with its distance to 3 significant digits
 * if (!svg.includes("✓ d=0.125") || !svg.includes("✗ d=0.750")) throw new Error("marks");
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
 * import { rankingGallery } from "./ranking_gallery.ts";
 * const source = { images: new Float32Array(4 * 4).fill(0.5), shape: [2, 2], size: 4 };
 * const queries: RankedQuery[] = [
 *   { query: 0, neighbours: [{ index: 1, distance: 0.1, correct: true }] },
 *   { query: 2, neighbours: [{ index: 3, distance: 0.2, correct: true }, { index: 0, distance: 0.4, correct: false }] },
 * ];
 * const svg = rankingGallery(source, queries);
 * // one row per query: the query image, then its neighbours (1 + 1 and 1 + 2 images)
 * if (svg.split("<image").length - 1 !== 5) throw new Error("five images");
 * if (!svg.includes("rank 2") || svg.includes("rank 3")) throw new Error("columns up to rank 2");
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
 * import { pairGallery } from "./pair_gallery.ts";
 * const source = { images: new Float32Array(2 * 4), shape: [2, 2], size: 2 };
 * // a different-class pair the model wrongly called the same
 * const pair: ScoredPair = { left: 0, right: 1, score: 0.25, same: false, predictedSame: true };
 * const svg = pairGallery(source, [pair], { scoreName: "p" });
 * if (!svg.includes("p=0.250 ✗ said same")) throw new Error("score and verdict");
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
