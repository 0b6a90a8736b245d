import type { PlotSpec } from "./types.ts";
import { renderSvg } from "./render_svg.ts";
import { renderPng, type RenderPngOptions } from "./render_png.ts";
import { writeAtomic } from "./_atomic.ts";

/**
 * Writes a picture to `path`, as SVG or PNG by the file's extension (`.svg` or `.png`),
 * atomically (a temporary file, then a rename); parent folders are created. The picture is an
 * SVG document (a gallery, or `renderSvg`'s output) or a Vega-Lite spec, which is rendered
 * first.
 *
 * @param path Where to write; must end in `.svg` or `.png`.
 * @param picture An SVG document or a Vega-Lite spec.
 * @param options PNG scale and background (ignored for SVG).
 * @returns Resolves once the file is in place.
 *
 * @example
 * ```ts
 * import { writePlot } from "./write_plot.ts";
 * import { cmcPlot } from "./cmc_plot.ts";
 * import { renderSvg } from "./render_svg.ts";
 * const spec = cmcPlot([0.5, 0.8, 1]);
 * const dir = await Deno.makeTempDir();
 * await writePlot(`${dir}/cmc.svg`, spec);
 * const text = await Deno.readTextFile(`${dir}/cmc.svg`);
 * await Deno.remove(dir, { recursive: true });
 * // a .svg path gets exactly what renderSvg draws
 * if (text !== await renderSvg(spec)) throw new Error("expected the rendered SVG");
 * ```
 */
export async function writePlot(
  path: string,
  picture: string | PlotSpec,
  options: RenderPngOptions = {},
): Promise<void> {
  const ext = path.toLowerCase().match(/\.(svg|png)$/)?.[1];
  if (ext === undefined) {
    throw new RangeError(
      `Cannot write plot as the path must end in .svg or .png: current path is ${path}`,
    );
  }
  const svg = typeof picture === "string" ? picture : await renderSvg(picture);
  await writeAtomic(path, ext === "svg" ? svg : await renderPng(svg, options));
}
