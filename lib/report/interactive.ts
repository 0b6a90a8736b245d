import type { EmbedderEvaluation } from "../embedder/evaluate.ts";
import type { Projection } from "./types.ts";
import { pca } from "./pca.ts";
import { tsne } from "./tsne.ts";
import { umap } from "./umap.ts";
import { escapeXml } from "./_markup.ts";
import { writeAtomic } from "./_atomic.ts";
import { pageData } from "./_interactive_data.ts";
import { SCRIPT, STYLE } from "./_interactive_script.ts";
import { GENERATOR, writeOwnPage } from "./_interactive_write.ts";
import denoJson from "../../deno.json" with { type: "json" };

/**
 * Options of {@linkcode interactive}.
 *
 * @example
 * ```ts
 * import type { InteractiveReportOptions } from "./interactive.ts";
 * const options: InteractiveReportOptions = {
 *   name: "triplet", map: "pca", maxPoints: 1000,
 *   config: { batch: 32, learningRate: 1e-3, backend: "native", backbone: "vgg + embedding(32)" },
 * };
 * if (options.maxPoints !== 1000) throw new Error("sample");
 * ```
 */
export interface InteractiveReportOptions {
  /** The run's name, in the title (default "run"). */
  readonly name?: string;
  /** Page title (default `likeness — <name>`). */
  readonly title?: string;
  /**
   * The run's configuration, shown as given (JSON values): `batch`, `learningRate`,
   * `backend`, `backbone`, … — `seed`, `steps`, `loss`, `margin` and the weights count come
   * from the embedder when absent, `version` and `date` from the library and the clock.
   */
  readonly config?: Readonly<Record<string, unknown>>;
  /** The training loss of every step (e.g. `fit`'s `History`), drawn when given. */
  readonly history?: { readonly loss: readonly number[] };
  /**
   * The projector's 2-D map: `"tsne"` (default; about 10 s for 2,000 points), `"pca"`
   * (instant) or `"umap"`. Embeddings of 2 or fewer dimensions are mapped by PCA.
   */
  readonly map?: "tsne" | "pca" | "umap";
  /**
   * Most test items on the map, each with its thumbnail inlined (default 2,000): a larger
   * set is sampled uniformly under `seed`, and the page says so.
   */
  readonly maxPoints?: number;
  /** Nearest neighbours shown when hovering a point, among the mapped items (default 5). */
  readonly neighbours?: number;
  /** Random gallery queries, taken from every class in turn (default 12). */
  readonly galleryQueries?: number;
  /** Neighbours per gallery query, among all test items (default 8). */
  readonly galleryNeighbours?: number;
  /**
   * Gallery rows per class of the identification split: the one `evaluate` used, which
   * is found from the evaluation's probe count (give it only to be explicit).
   */
  readonly galleryPerClass?: number;
  /**
   * The saved verification threshold to mark (accept when distance ≤ threshold). Default:
   * the embedder's `threshold`, else the evaluation's EER threshold.
   */
  readonly threshold?: number;
  /** Longest side of a thumbnail in pixels; larger images are shrunk (default 64). */
  readonly thumbnailSize?: number;
  /** Seed of the sample, the map and the random queries (default: the evaluation's). */
  readonly seed?: number;
  /** The date shown (default: now, ISO 8601). */
  readonly date?: string;
}

/**
 * An interactive report: the page's HTML, how many items its projector maps, and `write`.
 *
 * @example
 * ```ts
 * import type { InteractiveReport } from "./interactive.ts";
 * const size = (r: InteractiveReport) => r.html.length;
 * if (typeof size !== "function") throw new Error("a reader");
 * ```
 */
export interface InteractiveReport {
  /** The whole page: one self-contained HTML file (script, style, data, thumbnails inline). */
  readonly html: string;
  /** Items on the projector's map (all test items, or the sample). */
  readonly points: number;
  /** Test items evaluated. */
  readonly total: number;
  /**
   * Writes the page to `path` atomically (temp file, then rename) and returns `path`. An
   * existing file is replaced only when it is an interactive report itself.
   */
  write(path: string): Promise<string>;
}

const checkInt = (name: string, value: unknown, fallback: number, min: number): number => {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || (value as number) < min) {
    throw new RangeError(
      `Cannot draw the interactive report as options.${name} must be an integer ≥ ${min}: current value is ${
        String(value)
      }`,
    );
  }
  return value as number;
};

/**
 * The interactive report of an evaluation — what `evaluate(embedder, dataset)` returned,
 * drawn in one self-contained HTML page that works from `file://` (no network, no CDN;
 * script, style, data and image thumbnails inline):
 *
 * - an embedding projector: a 2-D map (t-SNE, PCA or UMAP) of all test items or a stated
 *   uniform sample (`maxPoints`, default 2,000), coloured by class, with zoom (wheel,
 *   buttons) and pan (drag); hovering or clicking a point shows its image, class and nearest
 *   neighbours, and lines to them on the map; classes can be hidden from the legend;
 * - the ROC with a log-scale false-accept axis, the EER point and the saved threshold;
 * - same-class and different-class distance histograms with the threshold line and the
 *   accept/reject rates it gives (a slider tries other thresholds);
 * - the CMC with the chance level of a random ranking;
 * - neighbour galleries of random queries (every class in turn) and of each class's worst
 *   query (its first same-class match ranks lowest);
 * - the identification confusion matrix (rank-1 predictions of the evaluation's gallery
 *   split);
 * - every metric with one sentence saying what it means, and the run's configuration.
 *
 * Nothing is re-evaluated: the numbers and curves are the evaluation's; only what the page
 * adds (the map, neighbours of mapped items, gallery queries, the confusion counts) is
 * computed here, with the embedder's distance. The static figures of `standard` remain
 * the ones for papers.
 *
 * @param evaluation What `evaluate(embedder, dataset)` returned.
 * @param options Name, configuration, map, sample size and gallery settings.
 * @returns The page and `write(path)`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { interactive } from "./interactive.ts";
 * import { evaluate } from "../embedder/mod.ts";
 * import { makeDataset } from "../data/make_dataset.ts";
 * import { euclidean } from "../distances/mod.ts";
 * await tf.setBackend("cpu");
 * // the identity network on 2-pixel items: dark ones (class a) and light ones (class b)
 * const network = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1, 2], units: 2, useBias: false, weights: [tf.tensor2d([[1, 0], [0, 1]])] }), tf.layers.flatten()] });
 * const embedder = {
 *   network, inputShape: [1, 2], embeddingSize: 2, normalisation: "none", distance: euclidean, fingerprint: "",
 *   provenance: { kind: "pair", loss: "contrastive", seed: 1, steps: 2, spec: null },
 * };
 * const bytes = Uint8Array.from([0, 0, 10, 5, 5, 10, 250, 250, 240, 245, 245, 240]);
 * const test = makeDataset({ images: bytes, labels: [0, 0, 0, 1, 1, 1], shape: [1, 2], classNames: ["a", "b"] });
 * const evaluation = await evaluate(embedder, test, { seed: 1 });
 * const report = await interactive(evaluation, { name: "demo", map: "pca", config: { batch: 32 } });
 * // all six items are mapped, with their thumbnails inline
 * if (report.points !== 6 || report.html.split("data:image/png;base64,").length - 1 !== 6) throw new Error("points");
 * const dir = await Deno.makeTempDir();
 * const path = await report.write(`${dir}/interactive.html`);
 * if (!(await Deno.readTextFile(path)).startsWith("<!doctype html>")) throw new Error("written");
 * await Deno.remove(dir, { recursive: true });
 * network.dispose();
 * ```
 */
export async function interactive(
  evaluation: EmbedderEvaluation,
  options: InteractiveReportOptions = {},
): Promise<InteractiveReport> {
  if (
    evaluation === null || typeof evaluation !== "object" || !evaluation.curves ||
    !evaluation.set || !evaluation.dataset || !evaluation.embedder
  ) {
    throw new TypeError(
      `Cannot draw the interactive report as evaluation must be what evaluate(embedder, dataset) returned: current value is ${
        evaluation === null || typeof evaluation !== "object"
          ? String(evaluation)
          : `an object with keys ${Object.keys(evaluation).join(", ")}`
      }`,
    );
  }
  const maxPoints = checkInt("maxPoints", options.maxPoints, 2000, 1);
  const neighbours = checkInt("neighbours", options.neighbours, 5, 1);
  const galleryQueries = checkInt("galleryQueries", options.galleryQueries, 12, 0);
  const galleryNeighbours = checkInt("galleryNeighbours", options.galleryNeighbours, 8, 1);
  const inferred = galleryPerClassOf(evaluation);
  const galleryPerClass = checkInt("galleryPerClass", options.galleryPerClass, inferred ?? 1, 1);
  if (inferred !== undefined && galleryPerClass !== inferred) {
    throw new RangeError(
      `Cannot draw the interactive report as options.galleryPerClass must be the evaluation's (${inferred}, from its CMC's probe count): current value is ${galleryPerClass}`,
    );
  }
  const thumbnailSize = checkInt("thumbnailSize", options.thumbnailSize, 64, 1);
  const seed = checkInt("seed", options.seed, evaluation.seed, -(2 ** 31));
  const map = options.map ?? "tsne";
  if (map !== "tsne" && map !== "pca" && map !== "umap") {
    throw new RangeError(
      `Cannot draw the interactive report as options.map must be "tsne", "pca" or "umap": current value is ${
        JSON.stringify(map)
      }`,
    );
  }
  const config = options.config ?? {};
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new TypeError(
      `Cannot draw the interactive report as options.config must be a record: current value is ${
        String(config)
      }`,
    );
  }
  const history = options.history;
  if (history !== undefined && !Array.isArray(history?.loss)) {
    throw new TypeError(
      `Cannot draw the interactive report as options.history must have a loss array: current value is ${
        String(history)
      }`,
    );
  }
  const threshold = options.threshold ?? evaluation.embedder.threshold ??
    evaluation.verification.eerThreshold;
  if (typeof threshold !== "number" || !Number.isFinite(threshold)) {
    throw new RangeError(
      `Cannot draw the interactive report as the threshold must be a finite number: current value is ${
        String(threshold)
      }`,
    );
  }
  const thresholdSource = options.threshold !== undefined
    ? "options.threshold"
    : evaluation.embedder.threshold !== undefined
    ? "the embedder's threshold"
    : "the EER threshold (the embedder has none saved)";
  const { set, dataset } = evaluation;
  if (dataset.size !== set.labels.length || dataset.shape.length < 1) {
    throw new RangeError(
      `Cannot draw the interactive report as the dataset must hold the evaluated items: current size is ${dataset.size}, ${set.labels.length} evaluated`,
    );
  }
  const rows = Float32Array.from(set.embeddings);
  const mapOptions = { seed, maxPoints };
  const flat = map === "pca" || set.dim <= 2;
  const projection: Projection = flat
    ? pca(rows, set.dim, mapOptions)
    : map === "umap"
    ? await umap(rows, set.dim, mapOptions)
    : tsne(rows, set.dim, mapOptions);
  const mapName = flat ? "PCA" : map === "umap" ? "UMAP" : "t-SNE";
  const title = options.title ?? `likeness — ${options.name ?? "run"}`;
  const date = options.date ?? new Date().toISOString();
  const shape = dataset.shape.length === 1 ? [1, dataset.shape[0]] : dataset.shape;
  const data = pageData({ ...evaluation, dataset: { ...dataset, shape } }, {
    title,
    projection,
    mapName,
    neighbours,
    galleryQueries,
    galleryNeighbours,
    galleryPerClass,
    threshold,
    thresholdSource,
    thumbnailSize,
    config,
    date,
    version: `${denoJson.name} ${denoJson.version}`,
    history,
  });
  const html = page(data.title, data.sample.note, JSON.stringify(data));
  return {
    html,
    points: projection.rows.length,
    total: set.labels.length,
    write: (path: string) => writeOwnPage("the interactive report", path, html, writeAtomic),
  };
}

/**
 * The `galleryPerClass` that `evaluate` split with: the smallest g whose split leaves as
 * many probes as the evaluation's CMC counted (undefined when none does).
 */
function galleryPerClassOf(evaluation: EmbedderEvaluation): number | undefined {
  const sizes = new Map<number, number>();
  for (const y of evaluation.set.labels) sizes.set(y, (sizes.get(y) ?? 0) + 1);
  const { probes, probesWithoutMatch } = evaluation.curves.cmc;
  const target = probes + probesWithoutMatch;
  const largest = Math.max(0, ...sizes.values());
  for (let g = 1; g <= largest; g++) {
    let left = 0;
    for (const count of sizes.values()) left += count - Math.min(g, count);
    if (left === target) return g;
    if (left < target) break;
  }
  return undefined;
}

/** JSON inside a `<script>` element: nothing in it can close the element. */
const inert = (json: string) =>
  json.replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");

function page(title: string, note: string, json: string): string {
  const t = escapeXml(title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<meta name="generator" content="${GENERATOR}">
<title>${t}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${t}</h1>
<p>Interactive report of ${escapeXml(note)}. One self-contained file: it needs no network.</p>
<nav><a href="#metrics">metrics</a><a href="#projector">projector</a><a href="#roc">ROC</a><a href="#hist">distances</a><a href="#cmc">CMC</a><a href="#gallery">neighbours</a><a href="#confusion">confusion</a><a href="#config">configuration</a></nav>
</header>
<main>
<section id="metrics"><h2>Metrics</h2>
<p class="means">Verification asks "are these two the same?" of pairs, identification "which known class is this?" of probes against a gallery, retrieval "what is nearest to this?" over the whole test set.</p>
<div class="cards" id="metric-cards"></div></section>
<section id="projector"><h2>Embedding projector</h2>
<p class="means" id="map-note"></p>
<div class="projector"><div class="stage">
<div class="tools"><button type="button" id="zoom-in">zoom in</button><button type="button" id="zoom-out">zoom out</button><button type="button" id="zoom-reset">reset view</button><span class="legend" id="legend"></span></div>
<canvas id="map" aria-label="2-D map of the test embeddings"></canvas>
<p class="means">Items that the network finds alike sit close together; a class that forms its own island is one the embedding separates. The map distorts distances, so trust the neighbour lists (computed in the embedding itself) over the picture.</p>
</div><div id="info"></div></div></section>
<div class="plots">
<section id="roc"><h2>ROC (log false-accept axis)</h2>
<p class="means">For every distance threshold: the share of same-class pairs accepted (true accept rate) against the share of different-class pairs wrongly accepted (false accept rate). The log axis shows the low false-accept region where real systems operate; higher and further left is better.</p>
<div id="roc-plot"></div><div class="readout" id="roc-readout">Move over the plot to read the curve.</div><p class="means" id="roc-caption"></p></section>
<section id="hist"><h2>Distance histograms</h2>
<p class="means">How far apart same-class and different-class pairs are. The less the two humps overlap, the better a single threshold separates them; the green line is the threshold.</p>
<div id="hist-plot"></div>
<input type="range" id="threshold-slider" aria-label="threshold"><button type="button" id="threshold-reset">back to the saved threshold</button>
<p class="rates" id="rates"></p></section>
<section id="cmc"><h2>CMC</h2>
<p class="means">Cumulative match characteristic: the share of probes whose class is among their k nearest gallery items, for each rank k; the dashed line is chance.</p>
<div id="cmc-plot"></div><p class="means" id="cmc-caption"></p></section>
<section id="loss"><h2>Training loss</h2>
<p class="means">The loss of every training step (or every k-th of a long run): it should fall and flatten.</p>
<div id="loss-plot"></div></section>
</div>
<section id="gallery" class="gallery"><h2>Nearest neighbours</h2>
<p class="means">What retrieval returns: each query image, then its nearest test items in order, green when they share its class and red when not, with their distances.</p>
<h3>Random queries, every class in turn</h3><div id="gallery-random"></div>
<h3>Worst query of each class</h3><p class="means">Among the mapped items, the one of each class whose first same-class match ranks lowest: where the embedding fails.</p><div id="gallery-worst"></div></section>
<section id="confusion"><h2>Identification confusion</h2>
<p class="means" id="confusion-note"></p><div id="confusion-view"></div></section>
<section id="config"><h2>Configuration</h2>
<p class="means">How this model was trained and evaluated.</p><div id="config-view"></div></section>
</main>
<script type="application/json" id="likeness-data">${inert(json)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
