import type { PlotSpec, SizeResult } from "./types.ts";
import { finite, frame, palette } from "./_spec.ts";

/**
 * Options of {@linkcode sizePlot}.
 *
 * @example
 * ```ts
 * import { sizePlot, type SizePlotOptions } from "./size_plot.ts";
 * const results = [
 *   { size: 8, metrics: { auc: 0.9, "rank-1": 0.7 } },
 *   { size: 32, metrics: { auc: 0.95, "rank-1": 0.8 } },
 * ];
 * const options: SizePlotOptions = { metrics: ["rank-1"], title: "Rank-1 by size" };
 * // only the metric asked for: one row per size
 * const values = (sizePlot(results, options).data as { values: { value: number }[] }).values;
 * if (values.map((v) => v.value).join() !== "0.7,0.8") throw new Error("rank-1 only");
 * ```
 */
export interface SizePlotOptions {
  /** Plot title. Default "Metrics by embedding size". */
  readonly title?: string;
  /** Metrics to draw, in legend order. Default: every metric of the first result. */
  readonly metrics?: readonly string[];
  /** Width of the plotting area in pixels. Default 360. */
  readonly width?: number;
  /** Height of the plotting area in pixels. Default 260. */
  readonly height?: number;
}

/**
 * The embedding-size comparison: each metric (AUC, rank-1, MAP@R, …) against the embedding
 * dimension, on a base-2 logarithmic size axis, one line with a dot per size and metric.
 *
 * @param results One entry per embedding size.
 * @param options Title, metrics to draw and size.
 * @returns A Vega-Lite spec for `renderSvg`.
 *
 * @example
 * ```ts
 * import { sizePlot } from "./size_plot.ts";
 * const spec = sizePlot([
 *   { size: 8, metrics: { auc: 0.9, "rank-1": 0.7 } },
 *   { size: 32, metrics: { auc: 0.95, "rank-1": 0.8 } },
 * ]);
 * const values = (spec.data as { values: unknown[] }).values;
 * if (values.length !== 4) throw new Error("2 sizes × 2 metrics");
 * ```
 */
export function sizePlot(results: readonly SizeResult[], options: SizePlotOptions = {}): PlotSpec {
  const what = "embedding-size comparison";
  if (!Array.isArray(results) || results.length === 0) {
    throw new RangeError(
      `Cannot plot ${what} as results are empty: current length is ${results?.length}`,
    );
  }
  const metrics = options.metrics ?? Object.keys(results[0].metrics);
  if (metrics.length === 0) {
    throw new RangeError(`Cannot plot ${what} as no metric was named: current metrics are []`);
  }
  const values = results.flatMap((r, i) => {
    const size = finite(what, `results[${i}].size`, r.size);
    if (size <= 0) {
      throw new RangeError(
        `Cannot plot ${what} as sizes must be above 0: results[${i}].size is ${size}`,
      );
    }
    return metrics.map((metric) => {
      if (!(metric in r.metrics)) {
        throw new RangeError(
          `Cannot plot ${what} as results[${i}] (size ${size}) lacks metric "${metric}": current metrics are ${
            Object.keys(r.metrics).join(", ")
          }`,
        );
      }
      return {
        size,
        metric,
        value: finite(what, `results[${i}].metrics["${metric}"]`, r.metrics[metric]),
      };
    });
  });
  return {
    ...frame(options.title ?? "Metrics by embedding size", options, { width: 360, height: 260 }),
    data: { values },
    mark: { type: "line", point: true, strokeWidth: 2 },
    encoding: {
      x: {
        field: "size",
        type: "quantitative",
        title: "embedding size",
        scale: { type: "log", base: 2 },
        axis: { values: [...new Set(values.map((v) => v.size))], format: "d" },
      },
      y: { field: "value", type: "quantitative", title: "value", scale: { zero: false } },
      color: {
        field: "metric",
        type: "nominal",
        title: "metric",
        scale: { domain: [...metrics], range: palette },
      },
    },
  };
}
