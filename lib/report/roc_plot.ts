import type { PlotSpec, RocPoint } from "./types.ts";
import { finite, frame, namedSeries, palette } from "./_spec.ts";

/**
 * Options of {@linkcode rocPlot}.
 *
 * @example
 * ```ts
 * import { rocPlot, type RocPlotOptions } from "./roc_plot.ts";
 * const roc = [{ far: 0, tar: 0 }, { far: 0.001, tar: 0.5 }, { far: 1, tar: 1 }];
 * const options: RocPlotOptions = { title: "ROC, log FAR", logX: true };
 * const spec = rocPlot(roc, options);
 * // a log axis cannot place FAR 0: that point is left out
 * const values = (spec.data as { values: { far: number }[] }).values;
 * if (values.map((v) => v.far).join() !== "0.001,1") throw new Error("FAR 0 left out");
 * if ((spec.encoding as { x: { scale: { type?: string } } }).x.scale.type !== "log") throw new Error("log");
 * ```
 */
export interface RocPlotOptions {
  /** Plot title. Default "ROC". */
  readonly title?: string;
  /**
   * Logarithmic FAR axis (default `false`), to read TAR at small FAR such as 1e-3; points
   * with FAR 0 cannot be drawn on it and are left out.
   */
  readonly logX?: boolean;
  /** Width of the plotting area in pixels. Default 360. */
  readonly width?: number;
  /** Height of the plotting area in pixels. Default 300. */
  readonly height?: number;
}

/**
 * ROC curves of verification: true accept rate against false accept rate, one line per
 * named curve (e.g. one per model or loss), in the given point order (sort by FAR first).
 *
 * @param curves One curve, or several by name.
 * @param options Title, logarithmic FAR axis and size.
 * @returns A Vega-Lite spec for `renderSvg`.
 *
 * @example
 * ```ts
 * import { rocPlot } from "./roc_plot.ts";
 * const roc = [{ far: 0, tar: 0 }, { far: 0.01, tar: 0.6 }, { far: 0.1, tar: 0.9 }, { far: 1, tar: 1 }];
 * const spec = rocPlot({ triplet: roc }, { logX: true });
 * const values = (spec.data as { values: unknown[] }).values;
 * if (values.length !== 3) throw new Error("FAR 0 is left out on a log axis");
 * ```
 */
export function rocPlot(
  curves: Readonly<Record<string, readonly RocPoint[]>> | readonly RocPoint[],
  options: RocPlotOptions = {},
): PlotSpec {
  const what = "ROC";
  const logX = options.logX ?? false;
  const series = namedSeries(what, curves, "model");
  const values = series.flatMap(([model, points]) =>
    points.flatMap((p, i) => {
      const far = finite(what, `${model}[${i}].far`, p.far);
      const tar = finite(what, `${model}[${i}].tar`, p.tar);
      return logX && far <= 0 ? [] : [{ far, tar, model, order: i }];
    })
  );
  if (values.length === 0) {
    throw new RangeError(
      `Cannot plot ${what} on a log FAR axis as every point has FAR 0: current points are ${
        series[0][1].length
      }`,
    );
  }
  return {
    ...frame(options.title ?? "ROC", options, { width: 360, height: 300 }),
    data: { values },
    mark: { type: "line", strokeWidth: 2 },
    encoding: {
      x: {
        field: "far",
        type: "quantitative",
        title: "false accept rate (FAR)",
        scale: logX ? { type: "log" } : { domain: [0, 1] },
        ...(logX ? { axis: { format: "~g" } } : {}),
      },
      y: {
        field: "tar",
        type: "quantitative",
        title: "true accept rate (TAR)",
        scale: { domain: [0, 1] },
      },
      color: {
        field: "model",
        type: "nominal",
        title: "model",
        scale: { domain: series.map(([n]) => n), range: palette },
      },
      order: { field: "order", type: "quantitative" },
    },
  };
}
