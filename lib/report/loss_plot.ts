import type { LossPoint, PlotSpec } from "./types.ts";
import { finite, frame, namedSeries, palette } from "./_spec.ts";

/**
 * Options of {@linkcode lossPlot}.
 *
 * @example
 * ```ts
 * import { lossPlot, type LossPlotOptions } from "./loss_plot.ts";
 * const options: LossPlotOptions = { logY: true, xTitle: "epoch" };
 * const spec = lossPlot([{ step: 1, loss: 1 }, { step: 2, loss: 0.1 }], options);
 * const encoding = spec.encoding as { x: { title: string }; y: { scale: { type?: string } } };
 * if (encoding.x.title !== "epoch" || encoding.y.scale.type !== "log") throw new Error("axes");
 * // a log axis cannot show a loss of 0: the error names the point
 * let message = "";
 * try { lossPlot([{ step: 1, loss: 0 }], options); } catch (e) { message = String(e); }
 * if (!message.includes("loss[0].loss is 0")) throw new Error(message);
 * ```
 */
export interface LossPlotOptions {
  /** Plot title. Default "Training loss". */
  readonly title?: string;
  /** Title of the x axis. Default "step". */
  readonly xTitle?: string;
  /** Logarithmic loss axis (default `false`); needs every loss above 0. */
  readonly logY?: boolean;
  /** Width of the plotting area in pixels. Default 420. */
  readonly width?: number;
  /** Height of the plotting area in pixels. Default 240. */
  readonly height?: number;
}

/**
 * Training curves: loss against step, one line per named curve (e.g. "train" and
 * "validation", or one per loss function).
 *
 * @param curves One curve, or several by name.
 * @param options Title, axis title, logarithmic loss axis and size.
 * @returns A Vega-Lite spec for `renderSvg`.
 *
 * @example
 * ```ts
 * import { lossPlot } from "./loss_plot.ts";
 * const spec = lossPlot({ train: [{ step: 1, loss: 0.9 }, { step: 2, loss: 0.5 }] });
 * const values = (spec.data as { values: { curve: string }[] }).values;
 * if (values.length !== 2 || values[0].curve !== "train") throw new Error("one row per point");
 * ```
 */
export function lossPlot(
  curves: Readonly<Record<string, readonly LossPoint[]>> | readonly LossPoint[],
  options: LossPlotOptions = {},
): PlotSpec {
  const what = "loss curve";
  const logY = options.logY ?? false;
  const series = namedSeries(what, curves, "loss");
  const values = series.flatMap(([curve, points]) =>
    points.map((p, i) => {
      const loss = finite(what, `${curve}[${i}].loss`, p.loss);
      if (logY && loss <= 0) {
        throw new RangeError(
          `Cannot plot ${what} on a log axis as losses must be above 0: ${curve}[${i}].loss is ${loss}`,
        );
      }
      return { step: finite(what, `${curve}[${i}].step`, p.step), loss, curve };
    })
  );
  return {
    ...frame(options.title ?? "Training loss", options, { width: 420, height: 240 }),
    data: { values },
    mark: { type: "line", strokeWidth: 1.5 },
    encoding: {
      x: { field: "step", type: "quantitative", title: options.xTitle ?? "step" },
      y: {
        field: "loss",
        type: "quantitative",
        title: "loss",
        scale: logY ? { type: "log" } : { zero: false },
      },
      color: {
        field: "curve",
        type: "nominal",
        title: "curve",
        scale: { domain: series.map(([n]) => n), range: palette },
      },
    },
  };
}
