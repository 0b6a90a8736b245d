import type { DistanceHistogram, PlotSpec } from "./types.ts";
import { finite, frame } from "./_spec.ts";

/**
 * Options of {@linkcode histogramPlot}.
 *
 * @example
 * ```ts
 * import { histogramPlot, type HistogramPlotOptions } from "./histogram_plot.ts";
 * const options: HistogramPlotOptions = { normalize: false, xTitle: "cosine distance" };
 * const spec = histogramPlot({ edges: [0, 1, 2], matched: [3, 1], mismatched: [0, 2] }, options);
 * // raw counts instead of shares, and the x axis named as asked
 * const values = (spec.data as { values: { share: number }[] }).values;
 * if (values.map((v) => v.share).join() !== "3,1,0,2") throw new Error("counts");
 * if ((spec.encoding as { x: { title: string } }).x.title !== "cosine distance") throw new Error("x title");
 * ```
 */
export interface HistogramPlotOptions {
  /** Plot title. Default "Distances of matched and mismatched pairs". */
  readonly title?: string;
  /** Title of the x axis. Default "distance". */
  readonly xTitle?: string;
  /**
   * Show each group as a share of its own pairs (default `true`): there are usually many more
   * mismatched than matched pairs, and shares keep both visible. `false` shows raw counts.
   */
  readonly normalize?: boolean;
  /** Width of the plotting area in pixels. Default 420. */
  readonly width?: number;
  /** Height of the plotting area in pixels. Default 240. */
  readonly height?: number;
}

/**
 * The distribution picture of a metric-learning model: histograms of matched-pair distances
 * and mismatched-pair distances, overlaid (semi-transparent) over shared bins. The less they
 * overlap, the better a single threshold separates "same" from "different". Draws one bar
 * per bin and group, so `2 × bins` bars.
 *
 * @param histogram Bin edges and per-bin counts of both groups.
 * @param options Title, axis title, normalisation and size.
 * @returns A Vega-Lite spec for `renderSvg`.
 *
 * @example
 * ```ts
 * import { histogramPlot } from "./histogram_plot.ts";
 * const spec = histogramPlot({ edges: [0, 0.5, 1], matched: [8, 2], mismatched: [1, 9] });
 * const values = (spec.data as { values: { share: number }[] }).values;
 * if (values.length !== 4) throw new Error("one bar per bin and group");
 * if (values[0].share !== 0.8) throw new Error("matched shares sum to 1");
 * ```
 */
export function histogramPlot(
  histogram: DistanceHistogram,
  options: HistogramPlotOptions = {},
): PlotSpec {
  const { edges, matched, mismatched } = histogram;
  const what = "distance histogram";
  if (!Array.isArray(edges) || edges.length < 2) {
    throw new RangeError(
      `Cannot plot ${what} as edges must hold at least 2 values: current length is ${edges?.length}`,
    );
  }
  const bins = edges.length - 1;
  for (const [name, counts] of [["matched", matched], ["mismatched", mismatched]] as const) {
    if (!Array.isArray(counts) || counts.length !== bins) {
      throw new RangeError(
        `Cannot plot ${what} as ${name} must hold one count per bin (${bins}): current length is ${counts?.length}`,
      );
    }
  }
  edges.forEach((e, i) => {
    finite(what, `edges[${i}]`, e);
    if (i > 0 && !(e > edges[i - 1])) {
      throw new RangeError(
        `Cannot plot ${what} as edges must ascend: edges[${i}] is ${e} after ${edges[i - 1]}`,
      );
    }
  });
  const normalize = options.normalize ?? true;
  const values: Record<string, number | string>[] = [];
  for (const [group, counts] of [["matched", matched], ["mismatched", mismatched]] as const) {
    let total = 0;
    counts.forEach((c, i) => {
      finite(what, `${group}[${i}]`, c);
      if (c < 0) {
        throw new RangeError(
          `Cannot plot ${what} as counts must be at least 0: ${group}[${i}] is ${c}`,
        );
      }
      total += c;
    });
    counts.forEach((c, i) => {
      values.push({
        start: edges[i],
        end: edges[i + 1],
        share: normalize ? (total > 0 ? c / total : 0) : c,
        pairs: group,
      });
    });
  }
  return {
    ...frame(options.title ?? "Distances of matched and mismatched pairs", options, {
      width: 420,
      height: 240,
    }),
    data: { values },
    mark: { type: "rect", opacity: 0.55 },
    encoding: {
      x: {
        field: "start",
        type: "quantitative",
        title: options.xTitle ?? "distance",
        scale: { zero: false },
      },
      x2: { field: "end" },
      y: {
        field: "share",
        type: "quantitative",
        title: normalize ? "share of pairs" : "pairs",
        stack: null,
      },
      y2: { datum: 0 },
      color: {
        field: "pairs",
        type: "nominal",
        title: "pairs",
        scale: { domain: ["matched", "mismatched"], range: ["#4e79a7", "#e15759"] },
      },
    },
  };
}
