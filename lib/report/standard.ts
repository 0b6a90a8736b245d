import type { EmbedderEvaluation } from "../embedder/evaluate.ts";
import type { History } from "../train/fit.ts";
import type { RocCurve } from "../metrics/roc_curve.ts";
import type { Projection, RocPoint } from "./types.ts";
import {
  type ReportContent,
  type ReportFigure,
  type ReportTable,
  writeReport,
} from "./write_report.ts";
import { lossPlot } from "./loss_plot.ts";
import { histogramPlot } from "./histogram_plot.ts";
import { rocPlot } from "./roc_plot.ts";
import { cmcPlot } from "./cmc_plot.ts";
import { mapPlot } from "./map_plot.ts";
import { pca } from "./pca.ts";
import { tsne } from "./tsne.ts";
import { rankingGallery } from "./ranking_gallery.ts";
import { writeAtomic } from "./_atomic.ts";

/**
 * Options of {@linkcode standard}: what the evaluation and history cannot tell.
 *
 * @example
 * ```ts
 * import type { StandardReportOptions } from "./standard.ts";
 * const options: StandardReportOptions = { name: "triplet", backend: "wasm", batch: 32, stepsPerEpoch: 1875, map: "pca" };
 * if (options.map !== "pca") throw new Error("map");
 * ```
 */
export interface StandardReportOptions {
  /** The run's name: metrics.json's `example` and the title (default "run"). */
  readonly name?: string;
  /** Page title (default `likeness — <name>`). */
  readonly title?: string;
  /** The tfjs backend trained on. */
  readonly backend?: string;
  /** Descriptions of the training and test data. */
  readonly data?: { readonly train: string; readonly test: string };
  /** Items per training step. */
  readonly batch?: number;
  /** Steps per epoch (gives metrics.json's fractional `epochs`). */
  readonly stepsPerEpoch?: number;
  /** Size of the training set. */
  readonly trainImages?: number;
  /**
   * The 2-D map of the test embeddings: `"tsne"` (default; at most 1,000 points), `"pca"`
   * (fast; also used for embeddings of 2 or fewer dimensions) or `"none"`.
   */
  readonly map?: "tsne" | "pca" | "none";
  /** Draw the standard figures (default `true`); `figures` are drawn either way. */
  readonly standardFigures?: boolean;
  /** Further figures, after the standard ones. */
  readonly figures?: readonly ReportFigure[];
  /** Further tables. */
  readonly tables?: readonly ReportTable[];
  /** Further metrics.json fields (JSON), after the standard ones. */
  readonly extra?: Readonly<Record<string, unknown>>;
  /** Further links to files of the run, relative to its folder (each must exist). */
  readonly links?: readonly { readonly text: string; readonly href: string }[];
}

/**
 * The standard report of an evaluated embedder: its metrics.json value, the report's
 * content, the figures that could not be drawn, a terminal summary, and `write`.
 *
 * @example
 * ```ts
 * import type { StandardReport } from "./standard.ts";
 * const auc = (r: StandardReport) => (r.metrics.verification as { auc: number }).auc;
 * if (typeof auc !== "function") throw new Error("reader");
 * ```
 */
export interface StandardReport {
  /** The metrics.json value: training, verification, identification, retrieval, extra. */
  readonly metrics: Readonly<Record<string, unknown>>;
  /** What report.html shows (`writeReport`'s content, links added on writing). */
  readonly content: ReportContent;
  /** Figures left out, with why (e.g. a map of too few points). */
  readonly skipped: readonly { readonly title: string; readonly reason: string }[];
  /** A few lines for the terminal: speed, verification, identification, retrieval. */
  readonly summary: string;
  /**
   * Writes `<dir>/metrics.json` (atomically), then `<dir>/report.html` with its figures
   * (`writeReport`), linking metrics.json and the model files found in `<dir>/model/`.
   * Returns the report's path.
   */
  write(dir: string): Promise<string>;
}

/** At most about `limit` points of a ROC for drawing: every change of ≥ 1/limit is kept. */
function rocPoints(roc: RocCurve, limit = 1000): RocPoint[] {
  const points: RocPoint[] = [];
  let last: RocPoint | undefined;
  const n = roc.far.length;
  for (let i = 0; i < n; i++) {
    const p = { far: roc.far[i], tar: roc.tar[i] };
    const moved = last === undefined ||
      Math.max(Math.abs(p.far - last.far), Math.abs(p.tar - last.tar)) >= 1 / limit;
    if (moved || i === n - 1) {
      points.push(p);
      last = p;
    }
  }
  return points;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * The standard report of an evaluation — what `evaluate(embedder, dataset)` computed, drawn,
 * with nothing recomputed: the training loss per step (from `history`), the same-class and
 * different-class distance histogram, the ROC (its caption's AUC is the area under this very
 * curve), the CMC, a 2-D map of the test embeddings, and the nearest neighbours of a few
 * test images; plus metrics.json with the training figures (steps, images/s, stop reason,
 * final loss), the verification, identification and retrieval numbers and `extra`. A figure
 * that cannot be drawn is left out and listed in `skipped` (and in the report's
 * information), not an error. `write(dir)` writes both files.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { standard } from "./standard.ts";
 * import { evaluate } from "../embedder/mod.ts";
 * import { makeDataset } from "../data/make_dataset.ts";
 * import { euclidean } from "../distances/mod.ts";
 * await tf.setBackend("cpu");
 * const network = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 2, useBias: false, weights: [tf.tensor2d([[1, 0], [0, 1]])] })] });
 * const embedder = {
 *   network, inputShape: [2], embeddingSize: 2, normalisation: "none", distance: euclidean, fingerprint: "",
 *   provenance: { kind: "pair", loss: "contrastive", seed: 1, steps: 2, spec: null },
 * };
 * const bytes = Uint8Array.from([0, 0, 10, 5, 5, 10, 250, 250, 240, 245, 245, 240]);
 * const test = makeDataset({ images: bytes, labels: [0, 0, 0, 1, 1, 1], shape: [2], classNames: ["a", "b"] });
 * const evaluation = await evaluate(embedder, test, { seed: 1 });
 * const history = { loss: [0.9, 0.5], epochLoss: [], steps: 2, images: 64, imagesPerSecond: 100, elapsedMs: 640, stopReason: "steps" as const };
 * const run = standard(evaluation, history, { name: "demo", map: "pca" });
 * // metrics.json has the training figures and the evaluation's numbers
 * if (run.metrics.steps !== 2 || (run.metrics.verification as { auc: number }).auc !== 1) throw new Error("metrics");
 * const dir = await Deno.makeTempDir();
 * const page = await Deno.readTextFile(await run.write(dir));
 * const saved = JSON.parse(await Deno.readTextFile(`${dir}/metrics.json`));
 * if (saved.example !== "demo" || !page.includes("AUC 1.0000")) throw new Error("written");
 * await Deno.remove(dir, { recursive: true });
 * network.dispose();
 * ```
 */
export function standard(
  evaluation: EmbedderEvaluation,
  history?: Pick<
    History,
    "loss" | "epochLoss" | "steps" | "images" | "imagesPerSecond" | "elapsedMs" | "stopReason"
  >,
  options: StandardReportOptions = {},
): StandardReport {
  if (evaluation === null || typeof evaluation !== "object" || !evaluation.curves) {
    throw new TypeError(
      `Cannot draw the standard report as evaluation must be what evaluate(embedder, dataset) returned: current value is ${
        String(evaluation)
      }`,
    );
  }
  const name = options.name ?? "run";
  const { embedder, dataset, set, curves, verification, identification, retrieval } = evaluation;
  const provenance = embedder.provenance;
  const figures: ReportFigure[] = [];
  const skipped: { title: string; reason: string }[] = [];
  const attempt = (title: string, make: () => Omit<ReportFigure, "title">) => {
    try {
      figures.push({ title, ...make() });
    } catch (error) {
      skipped.push({ title, reason: (error as Error).message });
    }
  };
  if (options.standardFigures !== false) {
    if (history !== undefined && history.loss.length > 0) {
      attempt("Training loss", () => ({
        spec: lossPlot(history.loss.map((loss, i) => ({ step: i + 1, loss })), {
          title: `${name}: loss per step`,
        }),
      }));
    }
    attempt("Matched and mismatched distances", () => ({
      spec: histogramPlot({
        edges: curves.histogram.edges,
        matched: curves.histogram.same.counts,
        mismatched: curves.histogram.different.counts,
      }, { normalize: true }),
      caption:
        `${embedder.distance.name} distances of same-class (matched) and different-class (mismatched) test pairs.`,
    }));
    attempt("ROC", () => ({
      spec: rocPlot(rocPoints(curves.roc)),
      caption: `AUC ${verification.auc.toFixed(4)}`,
    }));
    attempt("CMC", () => ({ spec: cmcPlot(curves.cmc.accuracy) }));
    const map = options.map ?? "tsne";
    if (map !== "none") {
      const flat = map === "pca" || set.dim <= 2;
      attempt(`${flat ? "PCA" : "t-SNE"} map of the test embeddings`, () => {
        const rows = set.embeddings;
        const projection: Projection = flat
          ? pca(rows, set.dim, { seed: evaluation.seed })
          : tsne(rows, set.dim, { seed: evaluation.seed, maxPoints: 1000 });
        return {
          spec: mapPlot(projection, { labels: set.labels, classNames: dataset.classNames }),
        };
      });
    }
    if (curves.neighbours.length > 0) {
      attempt("Nearest neighbours of a few test images", () => ({
        svg: rankingGallery(dataset, curves.neighbours),
      }));
    }
  }
  figures.push(...(options.figures ?? []));

  const training = history === undefined ? {} : {
    epochs: options.stepsPerEpoch === undefined
      ? undefined
      : round3(history.steps / options.stepsPerEpoch),
    steps: history.steps,
    batch: options.batch,
    seed: provenance.seed,
    loss: provenance.loss,
    trainImages: options.trainImages,
    imagesSeen: history.images,
    imagesPerSecond: history.imagesPerSecond,
    trainSeconds: history.elapsedMs / 1000,
    stopReason: history.stopReason,
    finalLoss: history.epochLoss.at(-1) ?? history.loss.at(-1) ?? null,
  };
  const metrics = {
    example: name,
    backend: options.backend,
    embeddingSize: embedder.embeddingSize,
    ...(history === undefined ? { seed: provenance.seed, loss: provenance.loss } : training),
    distance: embedder.distance.name,
    data: options.data,
    verification: {
      auc: verification.auc,
      eer: verification.eer,
      tarAtFar: { "0.01": verification.tarAtFar["0.01"], "0.001": verification.tarAtFar["0.001"] },
      // The equal-error-rate threshold: a balanced operating point (the best-accuracy one
      // follows the share of same-class pairs, 10% on ten balanced classes, and rejects
      // nearly everything).
      threshold: verification.eerThreshold,
      bestAccuracyThreshold: verification.threshold,
      accuracy: verification.accuracy,
    },
    identification: { rank1: identification.rank1, rank5: identification.rank5 },
    retrieval: {
      precisionAt1: retrieval.precisionAt1,
      rPrecision: retrieval.rPrecision,
      mapAtR: retrieval.mapAtR,
    },
    ...options.extra,
  };

  const info: Record<string, string | number | boolean> = { example: name };
  const put = (key: string, value: string | number | null | undefined) => {
    if (value !== undefined && value !== null) info[key] = value;
  };
  put("backend", options.backend);
  put("loss", provenance.loss);
  put("distance", embedder.distance.name);
  put("embedding size", embedder.embeddingSize);
  put("train data", options.data?.train);
  put("test data", options.data?.test);
  put("steps", history?.steps);
  put("train seconds", history === undefined ? undefined : Math.round(history.elapsedMs / 1000));
  if (skipped.length > 0) {
    put("figures left out", skipped.map((s) => `${s.title} (${s.reason})`).join("; "));
  }
  const content: ReportContent = {
    title: options.title ?? `likeness — ${name}`,
    info,
    metrics: {
      "verification AUC": verification.auc,
      EER: verification.eer,
      "TAR@FAR=0.01": verification.tarAtFar["0.01"],
      "TAR@FAR=0.001": verification.tarAtFar["0.001"],
      threshold: verification.eerThreshold,
      "rank-1": identification.rank1,
      "rank-5": identification.rank5,
      "precision@1": retrieval.precisionAt1,
      "R-precision": retrieval.rPrecision,
      "MAP@R": retrieval.mapAtR,
      ...(history === undefined ? {} : { "images/s": history.imagesPerSecond }),
    },
    ...(options.tables === undefined ? {} : { tables: options.tables }),
    figures,
    ...(options.links === undefined ? {} : { links: options.links }),
  };
  const f = (x: number) => x.toFixed(4);
  const summary = [
    ...(history === undefined ? [] : [
      `  images/s ${Math.round(history.imagesPerSecond)}  train ${
        Math.round(history.elapsedMs / 1000)
      } s  steps ${history.steps}`,
    ]),
    `  verification  AUC ${f(verification.auc)}  EER ${f(verification.eer)}  TAR@FAR=0.01 ${
      f(verification.tarAtFar["0.01"])
    }  threshold ${f(verification.eerThreshold)}`,
    `  identification rank-1 ${f(identification.rank1)}  rank-5 ${f(identification.rank5)}`,
    `  retrieval  P@1 ${f(retrieval.precisionAt1)}  R-precision ${f(retrieval.rPrecision)}  MAP@R ${
      f(retrieval.mapAtR)
    }`,
  ].join("\n");
  const json = JSON.stringify(metrics, null, 2) + "\n";
  return {
    metrics,
    content,
    skipped,
    summary,
    async write(dir: string): Promise<string> {
      await writeAtomic(`${dir}/metrics.json`, json);
      const links = [{ text: "metrics.json", href: "metrics.json" }];
      for (
        const [text, href] of [
          ["model (tfjs)", "model/model.json"],
          ["model metadata", "model/metadata.json"],
          ["interactive report", "interactive.html"],
          ["training log", "history.jsonl"],
        ]
      ) {
        const found = await Deno.stat(`${dir}/${href}`).then(() => true, () => false);
        if (found) links.push({ text, href });
      }
      return await writeReport(dir, { ...content, links: [...links, ...(content.links ?? [])] });
    },
  };
}
