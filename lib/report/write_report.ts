import { builtin } from "../_runtime.ts";
import type { PlotSpec } from "./types.ts";
import { renderSvg } from "./render_svg.ts";
import { renderPng } from "./render_png.ts";
import { writeAtomic } from "./_atomic.ts";
import { base64, escapeXml } from "./_markup.ts";

/**
 * One picture of a report: a Vega-Lite spec (rendered on writing) or a finished SVG
 * document (e.g. a gallery).
 *
 * @example
 * ```ts
 * import { writeReport } from "./write_report.ts";
 * import type { ReportFigure } from "./write_report.ts";
 * // a figure from ready-made SVG (or from a Vega-Lite `spec`, rendered on writing)
 * const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>';
 * const figure: ReportFigure = { title: "Blank", svg, caption: "an empty square" };
 * const dir = await Deno.makeTempDir();
 * const html = await Deno.readTextFile(await writeReport(dir, { title: "Run", figures: [figure] }, { pngFiles: false }));
 * await Deno.remove(dir, { recursive: true });
 * // the SVG is embedded as a base64 data URI under its title, with its caption
 * if (!html.includes(`<h3>Blank</h3><img src="data:image/svg+xml;base64,${btoa(svg)}"`)) throw new Error("figure");
 * if (!html.includes("<figcaption>an empty square</figcaption>")) throw new Error("caption");
 * ```
 */
export interface ReportFigure {
  /** Heading of the figure; also names its PNG file. */
  readonly title: string;
  /** A Vega-Lite spec, rendered with `renderSvg`. Give this or `svg`. */
  readonly spec?: PlotSpec;
  /** A finished SVG document. Give this or `spec`. */
  readonly svg?: string;
  /** A sentence under the figure. */
  readonly caption?: string;
}

/**
 * A table of a report, e.g. metrics of several models side by side.
 *
 * @example
 * ```ts
 * import { writeReport } from "./write_report.ts";
 * import type { ReportTable } from "./write_report.ts";
 * const table: ReportTable = { caption: "Losses", columns: ["loss", "AUC"], rows: [["triplet", 0.97123]] };
 * const dir = await Deno.makeTempDir();
 * const html = await Deno.readTextFile(await writeReport(dir, { title: "Run", tables: [table] }));
 * await Deno.remove(dir, { recursive: true });
 * // a captioned table; numbers are shown to 4 significant digits, right-aligned
 * if (!html.includes("<h2>Losses</h2>") || !html.includes("<th>AUC</th>")) throw new Error("header");
 * if (!html.includes('<tr><td>triplet</td><td class="n">0.9712</td></tr>')) throw new Error("row");
 * ```
 */
export interface ReportTable {
  /** Heading of the table. */
  readonly caption: string;
  /** Column headers. */
  readonly columns: readonly string[];
  /** One entry per column in each row. */
  readonly rows: readonly (readonly (string | number)[])[];
}

/**
 * What a report shows. Every part but the title is optional.
 *
 * @example
 * ```ts
 * import { writeReport } from "./write_report.ts";
 * import type { ReportContent } from "./write_report.ts";
 * const content: ReportContent = { title: "Run 1", info: { seed: 1 }, metrics: { auc: 0.97 } };
 * const dir = await Deno.makeTempDir();
 * const html = await Deno.readTextFile(await writeReport(dir, content));
 * await Deno.remove(dir, { recursive: true });
 * // the title heads the page, then the run's settings and its metrics (4 significant digits)
 * if (!html.includes("<title>Run 1</title>") || !html.includes("<h1>Run 1</h1>")) throw new Error("title");
 * if (!html.includes("<dt>seed</dt><dd>1</dd>")) throw new Error("info");
 * if (!html.includes('<tr><td>auc</td><td class="n">0.9700</td></tr>')) throw new Error("metrics");
 * ```
 */
export interface ReportContent {
  /** Title of the page. */
  readonly title: string;
  /** Run information (model, loss, seed, epochs, backend, date, …), shown as a list. */
  readonly info?: Readonly<Record<string, string | number | boolean>>;
  /** Metric name → value, shown as the metrics table. */
  readonly metrics?: Readonly<Record<string, string | number>>;
  /** Further tables. */
  readonly tables?: readonly ReportTable[];
  /** Pictures, in order. */
  readonly figures?: readonly ReportFigure[];
  /** Links to files of the run (checkpoints, logs), relative to the report's folder; each must exist. */
  readonly links?: readonly { readonly text: string; readonly href: string }[];
}

/**
 * Options of {@linkcode writeReport}.
 *
 * @example
 * ```ts
 * import { writeReport, type WriteReportOptions } from "./write_report.ts";
 * const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>';
 * const options: WriteReportOptions = { fileName: "index.html", pngFiles: true };
 * const dir = await Deno.makeTempDir();
 * const path = await writeReport(dir, { title: "Run", figures: [{ title: "Blank", svg }] }, options);
 * // the page under its own name, and each figure also as a PNG file it links to
 * const html = await Deno.readTextFile(path);
 * const png = await Deno.stat(`${dir}/figures/01-blank.png`);
 * await Deno.remove(dir, { recursive: true });
 * if (path !== `${dir}/index.html` || !png.isFile) throw new Error("files");
 * if (!html.includes('<a href="figures/01-blank.png">PNG</a>')) throw new Error("link");
 * ```
 */
export interface WriteReportOptions {
  /** Name of the HTML file in the folder. Default "report.html". */
  readonly fileName?: string;
  /**
   * Also write each figure as a PNG file under `figures/` beside the report, linked from it
   * (default `true`), for slides and READMEs. The report itself never needs them.
   */
  readonly pngFiles?: boolean;
}

/**
 * Writes one self-contained HTML report of a run into `dir`: the run information, the
 * metrics table, further tables and every figure, embedded as SVG data URIs (so the file
 * opens anywhere, offline, with nothing beside it). Each figure is also written as
 * `figures/NN-title.png` unless `pngFiles` is `false`. Every file is written atomically
 * (a temporary file, then a rename); the folder is created if needed.
 *
 * @param dir Folder of the run.
 * @param content Title, run information, metrics, tables, figures and links.
 * @param options File name and whether PNG copies of the figures are written.
 * @returns The path of the HTML file.
 *
 * @example
 * ```ts
 * import { writeReport } from "./write_report.ts";
 * import { cmcPlot } from "./cmc_plot.ts";
 * const dir = await Deno.makeTempDir();
 * const path = await writeReport(dir, {
 *   title: "Triplet run",
 *   info: { seed: 1, loss: "triplet margin 0.2" },
 *   metrics: { "rank-1": 0.81 },
 *   figures: [{ title: "CMC", spec: cmcPlot([0.81, 0.9, 0.95]) }],
 * }, { pngFiles: false });
 * const html = await Deno.readTextFile(path);
 * await Deno.remove(dir, { recursive: true });
 * if (path !== `${dir}/report.html`) throw new Error(`written to ${path}`);
 * if (!html.includes("<h1>Triplet run</h1>")) throw new Error("title");
 * if (!html.includes("<dt>loss</dt><dd>triplet margin 0.2</dd>")) throw new Error("info");
 * if (!html.includes("<h3>CMC</h3><img src=\"data:image/svg+xml;base64,")) throw new Error("figure is embedded");
 * ```
 */
export async function writeReport(
  dir: string,
  content: ReportContent,
  options: WriteReportOptions = {},
): Promise<string> {
  const what = "report";
  if (typeof content?.title !== "string" || content.title === "") {
    throw new TypeError(
      `Cannot write ${what} as title must be a non-empty string: current title is ${content?.title}`,
    );
  }
  const fileName = options.fileName ?? "report.html";
  if (fileName.includes("/") || fileName.includes("\\") || !fileName.endsWith(".html")) {
    throw new RangeError(
      `Cannot write ${what} as fileName must be a plain name ending in .html: current fileName is ${fileName}`,
    );
  }
  const pngFiles = options.pngFiles ?? true;
  const { isAbsolute, join, normalize } = builtin("node:path", what);
  for (const link of content.links ?? []) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(link.href)) continue; // absolute URL: not ours to check
    if (isAbsolute(link.href) || normalize(link.href).startsWith("..")) {
      throw new RangeError(
        `Cannot write ${what} as links must stay inside the run folder: current href is ${link.href}`,
      );
    }
    try {
      await Deno.stat(join(dir, link.href));
    } catch {
      throw new RangeError(
        `Cannot write ${what} as link "${link.text}" points to a missing file: current href is ${link.href}`,
      );
    }
  }

  const html: string[] = [];
  const e = (s: string | number | boolean) => escapeXml(String(s));
  const figures = content.figures ?? [];
  const used = new Set<string>();
  const rendered: string[] = [];
  for (const [i, figure] of figures.entries()) {
    if ((figure.spec === undefined) === (figure.svg === undefined)) {
      throw new TypeError(
        `Cannot write ${what} as figure "${figure.title}" must have exactly one of spec and svg: current keys are ${
          Object.keys(figure).join(", ")
        }`,
      );
    }
    const svg = figure.svg ?? await renderSvg(figure.spec as PlotSpec);
    let file: string | undefined;
    if (pngFiles) {
      let slug = `${String(i + 1).padStart(2, "0")}-${
        figure.title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "")
      }`;
      while (used.has(slug)) slug += "-";
      used.add(slug);
      file = `figures/${slug}.png`;
      await writeAtomic(join(dir, file), await renderPng(svg));
    }
    const uri = `data:image/svg+xml;base64,${base64(new TextEncoder().encode(svg))}`;
    rendered.push(
      `<figure><h3>${e(figure.title)}</h3><img src="${uri}" alt="${e(figure.title)}">` +
        (figure.caption === undefined && file === undefined
          ? ""
          : `<figcaption>${figure.caption === undefined ? "" : e(figure.caption)}${
            file === undefined ? "" : ` <a href="${e(file)}">PNG</a>`
          }</figcaption>`) +
        `</figure>`,
    );
  }

  html.push(
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${e(content.title)}</title><style>`,
    `body{font-family:"DejaVu Sans",Verdana,sans-serif;margin:2em auto;max-width:1100px;padding:0 1em;color:#222}`,
    `table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.3em .7em;text-align:left}`,
    `td.n{text-align:right;font-variant-numeric:tabular-nums}figure{margin:1.5em 0}img{max-width:100%;height:auto}`,
    `dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:bold}`,
    `</style></head><body>`,
    `<h1>${e(content.title)}</h1>`,
  );
  const info = Object.entries(content.info ?? {});
  if (info.length > 0) {
    html.push(
      `<h2>Run</h2><dl>`,
      ...info.map(([k, v]) => `<dt>${e(k)}</dt><dd>${e(v)}</dd>`),
      `</dl>`,
    );
  }
  const cell = (v: string | number) =>
    typeof v === "number" ? `<td class="n">${e(formatMetric(v))}</td>` : `<td>${e(v)}</td>`;
  const metrics = Object.entries(content.metrics ?? {});
  if (metrics.length > 0) {
    html.push(
      `<h2>Metrics</h2><table><thead><tr><th>metric</th><th>value</th></tr></thead><tbody>`,
      ...metrics.map(([k, v]) => `<tr><td>${e(k)}</td>${cell(v)}</tr>`),
      `</tbody></table>`,
    );
  }
  for (const table of content.tables ?? []) {
    table.rows.forEach((row, r) => {
      if (row.length !== table.columns.length) {
        throw new RangeError(
          `Cannot write ${what} as table "${table.caption}" row ${r} has ${row.length} cells for ${table.columns.length} columns`,
        );
      }
    });
    html.push(
      `<h2>${e(table.caption)}</h2><table><thead><tr>`,
      ...table.columns.map((c) => `<th>${e(c)}</th>`),
      `</tr></thead><tbody>`,
      ...table.rows.map((row) => `<tr>${row.map(cell).join("")}</tr>`),
      `</tbody></table>`,
    );
  }
  if (rendered.length > 0) html.push(`<h2>Figures</h2>`, ...rendered);
  const links = content.links ?? [];
  if (links.length > 0) {
    html.push(
      `<h2>Files</h2><ul>`,
      ...links.map((l) => `<li><a href="${e(l.href)}">${e(l.text)}</a></li>`),
      `</ul>`,
    );
  }
  html.push(`</body></html>\n`);
  const path = join(dir, fileName);
  await writeAtomic(path, html.join("\n"));
  return path;
}

function formatMetric(v: number): string {
  if (Number.isInteger(v) || !Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1000 ? v.toFixed(1) : v.toPrecision(4);
}
