import type { PlotSpec, Projection } from "./types.ts";
import { finite, frame } from "./_spec.ts";

/**
 * Options of {@linkcode mapPlot}.
 *
 * @example
 * ```ts
 * import { mapPlot, type MapPlotOptions } from "./map_plot.ts";
 * // three points drawn for input rows 0, 2 and 3
 * const map = { points: new Float64Array([0, 0, 1, 1, 2, 2]), rows: new Int32Array([0, 2, 3]) };
 * const options: MapPlotOptions = { labels: [1, 0, 0, 1], classNames: ["cat", "dog"], pointSize: 30 };
 * const spec = mapPlot(map, options);
 * // labels are indexed by input row: rows 0, 2, 3 are a dog, a cat and a dog
 * const values = (spec.data as { values: { class: string }[] }).values;
 * if (values.map((v) => v.class).join() !== "dog,cat,dog") throw new Error("classes");
 * if ((spec.mark as { size: number }).size !== 30) throw new Error("point size");
 * ```
 */
export interface MapPlotOptions {
  /** Class label of every INPUT row (indexed through `map.rows`); colours the points. */
  readonly labels?: ArrayLike<number>;
  /** Names of the classes, indexed by label, shown in the legend. Default: the label numbers. */
  readonly classNames?: readonly string[];
  /** Plot title. Default "Embedding map". */
  readonly title?: string;
  /** Axis titles. Default `["dimension 1", "dimension 2"]`. */
  readonly axisTitles?: readonly [string, string];
  /** Width of the plotting area in pixels. Default 420. */
  readonly width?: number;
  /** Height of the plotting area in pixels. Default 420. */
  readonly height?: number;
  /** Area of each point in square pixels. Default 14. */
  readonly pointSize?: number;
}

/**
 * A scatter plot of a 2-D map (`tsne`, `umap`, `pca`), one dot per mapped row, coloured by
 * class with a legend of class names. Well-separated colour islands mean the embedding keeps
 * classes apart.
 *
 * @param map Points and the input rows they stand for.
 * @param options Labels, class names, titles and size.
 * @returns A Vega-Lite spec for `renderSvg`.
 *
 * @example
 * ```ts
 * import { mapPlot } from "./map_plot.ts";
 * const map = { points: new Float64Array([0, 0, 1, 1]), rows: new Int32Array([0, 2]) };
 * const spec = mapPlot(map, { labels: [0, 0, 1], classNames: ["cat", "dog"] });
 * const values = (spec.data as { values: { class: string }[] }).values;
 * if (values[1].class !== "dog") throw new Error("row 2 has label 1, a dog");
 * ```
 */
export function mapPlot(map: Projection, options: MapPlotOptions = {}): PlotSpec {
  const what = "embedding map";
  const { points, rows } = map;
  if (points.length !== 2 * rows.length) {
    throw new RangeError(
      `Cannot plot ${what} as points must hold 2 values per row (${
        2 * rows.length
      }): current length is ${points.length}`,
    );
  }
  if (rows.length === 0) {
    throw new RangeError(`Cannot plot ${what} as the map is empty: current rows length is 0`);
  }
  const { labels, classNames } = options;
  const nameOf = (label: number) => classNames?.[label] ?? String(label);
  const values = Array.from(rows, (row, i) => {
    const point: Record<string, number | string> = {
      x: finite(what, `points[${2 * i}]`, points[2 * i]),
      y: finite(what, `points[${2 * i + 1}]`, points[2 * i + 1]),
      row,
    };
    if (labels !== undefined) {
      if (row >= labels.length) {
        throw new RangeError(
          `Cannot plot ${what} as labels has no entry for row ${row}: current length is ${labels.length}`,
        );
      }
      point.class = nameOf(labels[row]);
    }
    return point;
  });
  const [xTitle, yTitle] = options.axisTitles ?? ["dimension 1", "dimension 2"];
  const present = labels === undefined
    ? []
    : [...new Set(Array.from(rows, (r) => labels[r]))].sort((a, b) => a - b).map(nameOf);
  return {
    ...frame(options.title ?? "Embedding map", options, { width: 420, height: 420 }),
    data: { values },
    mark: { type: "point", filled: true, opacity: 0.75, size: options.pointSize ?? 14 },
    encoding: {
      x: { field: "x", type: "quantitative", title: xTitle, scale: { zero: false } },
      y: { field: "y", type: "quantitative", title: yTitle, scale: { zero: false } },
      ...(labels === undefined ? {} : {
        color: {
          field: "class",
          type: "nominal",
          title: "class",
          scale: { domain: present, scheme: present.length <= 10 ? "tableau10" : "tableau20" },
          legend: { symbolOpacity: 1, symbolSize: 80 },
        },
      }),
    },
  };
}
