import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { PlotSpec } from "./types.ts";

/**
 * The font every plot names; `renderPng` ships it (DejaVu Sans), browsers fall back.
 *
 * @example
 * ```ts
 * import { plotFont, renderSvg } from "./render_svg.ts";
 * const svg = await renderSvg({ data: { values: [{ x: 1 }] }, mark: "point", encoding: { x: { field: "x", type: "quantitative" } } });
 * // every text of a plot names this font unless the spec's config says otherwise
 * if (!svg.includes(`font-family="${plotFont}"`)) throw new Error(plotFont);
 * ```
 */
export const plotFont = "DejaVu Sans, Verdana, sans-serif";

/**
 * Draws a Vega-Lite spec to an SVG document, without a browser: Vega-Lite compiles the spec
 * to Vega, and a headless Vega `View` renders it (`View.toSVG`). Text is laid out with the
 * font `DejaVu Sans` (the font `renderPng` embeds) unless the spec's `config` says otherwise.
 *
 * @param spec A Vega-Lite spec, e.g. from `histogramPlot` or `rocPlot`.
 * @returns The SVG document as text.
 *
 * @example
 * ```ts
 * import { renderSvg } from "./render_svg.ts";
 * const svg = await renderSvg({
 *   data: { values: [{ x: 1, y: 2 }, { x: 2, y: 3 }] },
 *   mark: "point",
 *   encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } },
 * });
 * if (!svg.startsWith("<svg")) throw new Error("expected an SVG document");
 * // one point per data row, each labelled with its values
 * if (!svg.includes('aria-label="x: 1; y: 2"') || !svg.includes('aria-label="x: 2; y: 3"')) {
 *   throw new Error("expected the points (1, 2) and (2, 3)");
 * }
 * ```
 */
export async function renderSvg(spec: PlotSpec): Promise<string> {
  if (spec === null || typeof spec !== "object" || Array.isArray(spec)) {
    throw new TypeError(
      `Cannot render plot as spec must be a Vega-Lite object: current spec is ${String(spec)}`,
    );
  }
  const config = (spec.config ?? {}) as Record<string, unknown>;
  const full = {
    background: "white",
    ...spec,
    config: { font: plotFont, ...config },
  } as unknown as TopLevelSpec;
  let compiled: vega.Spec;
  try {
    compiled = compile(full).spec as unknown as vega.Spec;
  } catch (e) {
    throw new TypeError(
      `Cannot render plot as Vega-Lite rejected the spec: ${(e as Error).message}`,
    );
  }
  const view = new vega.View(vega.parse(compiled), { renderer: "none", logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
