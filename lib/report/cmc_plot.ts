import type { PlotSpec } from "./types.ts";
import { finite, frame, namedSeries, palette } from "./_spec.ts";

/**
 * Options of {@linkcode cmcPlot}.
 *
 * @example
 * ```ts
 * import { cmcPlot, type CmcPlotOptions } from "./cmc_plot.ts";
 * const options: CmcPlotOptions = { title: "Rank-k", maxRank: 2, width: 200, height: 100 };
 * const spec = cmcPlot({ a: [0.5, 0.75, 1], b: [0.25, 0.5, 1] }, options);
 * const values = (spec.data as { values: { rank: number; model: string }[] }).values;
 * // ranks 1 and 2 of both models, under the title and in the area asked for
 * if (values.map((v) => v.model + v.rank).join() !== "a1,a2,b1,b2") throw new Error("ranks");
 * if (spec.title !== "Rank-k" || spec.width !== 200 || spec.height !== 100) throw new Error("frame");
 * ```
 */
export interface CmcPlotOptions {
  /** Plot title. Default "CMC". */
  readonly title?: string;
  /** Draw ranks up to this one. Default: the longest curve. */
  readonly maxRank?: number;
  /** Width of the plotting area in pixels. Default 360. */
  readonly width?: number;
  /** Height of the plotting area in pixels. Default 300. */
  readonly height?: number;
}

/**
 * Cumulative match characteristic curves of identification: entry `k - 1` of a curve is the
 * share of probes whose identity is among the `k` closest gallery identities (rank-`k`
 * accuracy). One line with a dot per rank, per named curve.
 *
 * @param curves One curve (`number[]` by rank, rank 1 first), or several by name.
 * @param options Title, last rank and size.
 * @returns A Vega-Lite spec for `renderSvg`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cmcPlot } from "./cmc_plot.ts";
 * const spec = cmcPlot([0.7, 0.85, 0.9, 0.95, 1], { maxRank: 3 });
 * // one row per rank up to maxRank, with that rank's identification rate
 * assert.deepEqual((spec.data as { values: unknown[] }).values, [
 *   { rank: 1, rate: 0.7, model: "model" },
 *   { rank: 2, rate: 0.85, model: "model" },
 *   { rank: 3, rate: 0.9, model: "model" },
 * ]);
 * ```
 */
export function cmcPlot(
  curves: Readonly<Record<string, readonly number[]>> | readonly number[],
  options: CmcPlotOptions = {},
): PlotSpec {
  const what = "CMC";
  const series = namedSeries(what, curves, "model");
  const maxRank = options.maxRank ?? Math.max(...series.map(([, c]) => c.length));
  if (!Number.isInteger(maxRank) || maxRank < 1) {
    throw new RangeError(
      `Cannot plot ${what} as maxRank must be a positive integer: current maxRank is ${maxRank}`,
    );
  }
  const values = series.flatMap(([model, rates]) =>
    rates.slice(0, maxRank).map((r, i) => ({
      rank: i + 1,
      rate: finite(what, `${model}[${i}]`, r),
      model,
    }))
  );
  return {
    ...frame(options.title ?? "CMC", options, { width: 360, height: 300 }),
    data: { values },
    mark: { type: "line", point: true, strokeWidth: 2 },
    encoding: {
      x: {
        field: "rank",
        type: "quantitative",
        title: "rank",
        scale: { domain: [1, maxRank], nice: false },
        axis: { tickMinStep: 1, format: "d" },
      },
      y: {
        field: "rate",
        type: "quantitative",
        title: "identification rate",
        scale: { domain: [0, 1] },
      },
      color: {
        field: "model",
        type: "nominal",
        title: "model",
        scale: { domain: series.map(([n]) => n), range: palette },
      },
    },
  };
}
