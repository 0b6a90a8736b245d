/**
 * likeness/report: pictures and reports without a browser. 2-D maps of embeddings (t-SNE,
 * UMAP, PCA), Vega-Lite plots (distance histograms, embedding maps, ROC, CMC, loss curves,
 * embedding-size comparison) rendered to SVG and PNG, image galleries of rankings and pairs,
 * and one self-contained HTML report per run. Inputs are plain numbers and arrays.
 *
 * @example
 * ```ts
 * import { histogramPlot, renderSvg } from "./mod.ts";
 * const svg = await renderSvg(histogramPlot({ edges: [0, 1, 2], matched: [3, 1], mismatched: [1, 3] }));
 * // each group's bars are shares of that group: matched 3 of 4 pairs in bin [0, 1)
 * if (svg.split('aria-roledescription="rect mark"').length - 1 !== 4) throw new Error("4 bars");
 * if (!svg.includes("distance: 0; share of pairs: 0.75; end: 1; pairs: matched")) throw new Error("share");
 * ```
 *
 * @module
 */
export * from "./types.ts";
export * from "./tsne.ts";
export * from "./umap.ts";
export * from "./pca.ts";
export * from "./histogram_plot.ts";
export * from "./map_plot.ts";
export * from "./roc_plot.ts";
export * from "./cmc_plot.ts";
export * from "./loss_plot.ts";
export * from "./size_plot.ts";
export * from "./render_svg.ts";
export * from "./render_png.ts";
export * from "./ranking_gallery.ts";
export * from "./pair_gallery.ts";
export * from "./write_plot.ts";
export * from "./write_report.ts";
export * from "./standard.ts";
export * from "./interactive.ts";
export * from "./compare.ts";
export * from "./open_set_plot.ts";
export * from "./open_set_table.ts";
export * from "./open_set.ts";
