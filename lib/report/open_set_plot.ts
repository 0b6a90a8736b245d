import type { PlotSpec } from "./types.ts";
import { finite, palette } from "./_spec.ts";

/** One metric of one configuration: its mean and 95 % interval (`low` ≤ `mean` ≤ `high`). */
export interface IntervalValue {
  /** Mean over the seeds. */
  readonly mean: number;
  /** Lower end of the interval. */
  readonly low: number;
  /** Upper end of the interval. */
  readonly high: number;
}

/** One row of {@linkcode openSetPlot}: a configuration and its metrics. */
export interface IntervalRow {
  /** The configuration's name (one row of dots in every panel). */
  readonly config: string;
  /** Metric name → mean and interval (e.g. `protocols.openWorldStudy`'s summaries). */
  readonly metrics: Readonly<Record<string, IntervalValue>>;
}

/**
 * Options of {@linkcode openSetPlot}.
 *
 * @example
 * ```ts
 * import type { OpenSetPlotOptions } from "./open_set_plot.ts";
 * const options: OpenSetPlotOptions = { metrics: { rank1: "rank-1", "tar@0.01": "TAR@FAR 0.01" } };
 * if (Object.keys(options.metrics ?? {}).length !== 2) throw new Error("two panels");
 * ```
 */
export interface OpenSetPlotOptions {
  /** Plot title. Default "Unseen classes: mean ± 95 % interval over seeds". */
  readonly title?: string;
  /** Metric name → panel title, in panel order. Default: every metric of the first row. */
  readonly metrics?: Readonly<Record<string, string>>;
  /** Width of each panel in pixels. Default 260. */
  readonly width?: number;
  /** Height of each panel in pixels. Default: 22 per configuration. */
  readonly height?: number;
  /** Panels per row before wrapping (default 3). */
  readonly columns?: number;
}

/**
 * The open-world comparison: one panel per metric, one row per configuration, a dot at the
 * mean and a whisker from `low` to `high` (the 95 % interval over seeds). Panels share the
 * configuration axis; each has its own value axis. Draws exactly what it is given (no
 * recomputation); `low ≤ mean ≤ high` is checked.
 *
 * @param rows One per configuration, e.g. `protocols.openWorldStudy(...).summaries`.
 * @param options Which metrics (and their titles), title, size.
 * @returns A Vega-Lite spec for `renderSvg` or `writePlot`.
 *
 * @example
 * ```ts
 * import { openSetPlot } from "./open_set_plot.ts";
 * const spec = openSetPlot([
 *   { config: "triplet", metrics: { rank1: { mean: 0.7, low: 0.65, high: 0.75 } } },
 *   { config: "classifier", metrics: { rank1: { mean: 0.6, low: 0.5, high: 0.7 } } },
 * ]);
 * const values = (spec.data as { values: { config: string; mean: number }[] }).values;
 * if (values.length !== 2 || values[1].mean !== 0.6) throw new Error("one dot per row");
 * ```
 */
export function openSetPlot(
  rows: readonly IntervalRow[],
  options: OpenSetPlotOptions = {},
): PlotSpec {
  const what = "open-set comparison";
  if (!Array.isArray(rows) || rows.length === 0) {
    throw new RangeError(
      `Cannot plot ${what} as rows are empty: current value is ${JSON.stringify(rows)}`,
    );
  }
  const titles: Record<string, string> = { ...(options.metrics ?? {}) };
  if (options.metrics === undefined) {
    for (const m of Object.keys(rows[0]?.metrics ?? {})) titles[m] = m;
  }
  const metrics = Object.keys(titles);
  if (metrics.length === 0) {
    throw new RangeError(`Cannot plot ${what} as no metric was named: current metrics are []`);
  }
  const configs = rows.map((r, i) => {
    if (typeof r?.config !== "string") {
      throw new TypeError(
        `Cannot plot ${what} as rows[${i}].config must be a string: current value is ${r?.config}`,
      );
    }
    return r.config;
  });
  if (new Set(configs).size !== configs.length) {
    throw new RangeError(
      `Cannot plot ${what} as configuration names must be unique: current names are ${
        configs.join(", ")
      }`,
    );
  }
  const values = rows.flatMap((r, i) =>
    metrics.map((metric) => {
      const v = r.metrics?.[metric];
      if (v === undefined) {
        throw new RangeError(
          `Cannot plot ${what} as rows[${i}] ("${r.config}") lacks metric "${metric}": current metrics are ${
            Object.keys(r.metrics ?? {}).join(", ")
          }`,
        );
      }
      const at = `rows[${i}].metrics["${metric}"]`;
      const mean = finite(what, `${at}.mean`, v.mean);
      const low = finite(what, `${at}.low`, v.low);
      const high = finite(what, `${at}.high`, v.high);
      if (!(low <= mean && mean <= high)) {
        throw new RangeError(
          `Cannot plot ${what} as ${at} must have low ≤ mean ≤ high: current values are ${low}, ${mean}, ${high}`,
        );
      }
      return { config: r.config, metric: titles[metric], mean, low, high };
    })
  );
  const y = {
    field: "config",
    type: "nominal",
    title: null,
    sort: configs,
    axis: { labelLimit: 400 },
  };
  const color = {
    field: "config",
    type: "nominal",
    legend: null,
    scale: { domain: configs, range: palette },
  };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: options.title ?? "Unseen classes: mean ± 95 % interval over seeds",
    data: { values },
    facet: {
      field: "metric",
      type: "nominal",
      title: null,
      sort: metrics.map((m) => titles[m]),
      header: { labelLimit: 0, labelFontSize: 11 },
    },
    columns: options.columns ?? 3,
    spec: {
      width: options.width ?? 260,
      height: options.height ?? 22 * configs.length,
      layer: [
        {
          mark: { type: "rule", strokeWidth: 2 },
          encoding: {
            y,
            x: { field: "low", type: "quantitative", title: null, scale: { zero: false } },
            x2: { field: "high" },
            color,
          },
        },
        {
          mark: { type: "point", filled: true, size: 60 },
          encoding: { y, x: { field: "mean", type: "quantitative" }, color },
        },
      ],
    },
    resolve: { scale: { x: "independent" } },
  };
}
