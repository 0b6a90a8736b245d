/**
 * What the interactive report's page shows, computed in Deno from an evaluation: the
 * projector's sample, map, thumbnails and neighbours; the ROC, histogram and CMC as drawn;
 * neighbour galleries, the identification confusion matrix and the configuration.
 *
 * @module
 */
import type { EmbedderEvaluation } from "../embedder/evaluate.ts";
import type { Projection } from "./types.ts";
import { hostRow } from "../distances/host.ts";
import { galleryProbeSplit } from "../metrics/gallery_probe_split.ts";
import { thumbnailPng } from "./_png.ts";
import { base64 } from "./_markup.ts";
import { seededRandom } from "./_rng.ts";

/** One neighbour: dataset row, distance, same class, its label. */
export type PageNeighbour = [row: number, distance: number, correct: 0 | 1, label: number];

/** A gallery query: its row, label, the rank of its first correct match, its neighbours. */
export interface PageQuery {
  readonly row: number;
  readonly label: number;
  readonly firstCorrect: number | null;
  readonly neighbours: PageNeighbour[];
}

/** Everything the page script reads (JSON). */
export interface PageData {
  readonly title: string;
  readonly classNames: string[];
  readonly sample: {
    readonly note: string;
    readonly map: string;
    readonly total: number;
    /** Dataset row of each point. */
    readonly row: number[];
    readonly label: number[];
    readonly x: number[];
    readonly y: number[];
    /** `k` nearest other sampled points of each point, as point indices, row-major. */
    readonly k: number;
    readonly nb: number[];
    readonly nbd: number[];
  };
  /** Thumbnail data URI of each dataset row that the page shows. */
  readonly thumbs: Record<string, string>;
  readonly distance: string;
  readonly metrics: {
    readonly key: string;
    readonly name: string;
    readonly value: number;
    readonly means: string;
  }[];
  readonly roc: {
    readonly far: number[];
    readonly tar: number[];
    readonly thr: number[];
    readonly positives: number;
    readonly negatives: number;
    readonly auc: number;
    readonly eer: { readonly far: number; readonly tar: number; readonly threshold: number };
    readonly saved: {
      readonly threshold: number;
      readonly far: number;
      readonly tar: number;
      readonly source: string;
    };
  };
  readonly hist: {
    readonly edges: number[];
    readonly same: number[];
    readonly different: number[];
    readonly sameTotal: number;
    readonly differentTotal: number;
  };
  readonly cmc: {
    readonly ranks: number[];
    readonly accuracy: number[];
    readonly chance: number[];
    readonly probes: number;
    readonly galleryRows: number;
    readonly classes: number;
  };
  readonly gallery: { readonly random: PageQuery[]; readonly worst: PageQuery[] };
  readonly confusion: {
    /** Classes of the matrix (empty when there are too many classes for one). */
    readonly labels: number[];
    /** `counts[true][predicted]`, when there are at most 40 classes. */
    readonly counts: number[][];
    /** Otherwise the most frequent confusions: `[true, predicted, count]`. */
    readonly top: number[][];
    /** Probes identified right. */
    readonly right: number;
    readonly probes: number;
    readonly galleryPerClass: number;
  };
  readonly config: [string, string][];
  readonly history: { readonly step: number[]; readonly loss: number[] } | null;
}

/** Most classes drawn as a confusion matrix; above, the most frequent confusions are listed. */
const MAX_MATRIX = 40;
/** Most confusions listed. */
const MAX_PAIRS = 60;
/** Most classes with a worst query. */
const MAX_WORST = 24;

const r6 = (x: number) => (Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : 0);

/**
 * A thumbnail PNG data URI of dataset row `index`, shrunk by whole blocks so that its longer
 * side is at most `maxSide`: in colour for RGB(A) images, grey (channels averaged) otherwise.
 */
export function thumbnail(
  images: Float32Array,
  shape: readonly number[],
  index: number,
  maxSide: number,
): string {
  return `data:image/png;base64,${base64(thumbnailPng(images, shape, index, maxSide))}`;
}

/** Indices of the `k` smallest of `d` (excluding `skip`), closest first, ties by index. */
function smallest(d: Float64Array, k: number, skip: number): number[] {
  const best: number[] = [];
  for (let j = 0; j < d.length; j++) {
    if (j === skip || !Number.isFinite(d[j])) continue;
    if (best.length === k && !(d[j] < d[best[k - 1]])) continue;
    let at = best.length === k ? k - 1 : best.length;
    if (best.length < k) best.push(j);
    while (at > 0 && d[best[at - 1]] > d[j]) {
      best[at] = best[at - 1];
      at--;
    }
    best[at] = j;
  }
  return best;
}

/** Chance rank-k accuracy with `perClass` gallery rows of each of `classes` classes. */
export function chanceCmc(ranks: number, classes: number, perClass: number): number[] {
  const total = classes * perClass;
  const out: number[] = [];
  let miss = 1;
  for (let k = 1; k <= ranks; k++) {
    const left = total - (k - 1);
    miss *= left > 0 ? Math.max(0, (left - perClass) / left) : 0;
    out.push(1 - miss);
  }
  return out;
}

/** Stage kinds of a DSL branch, compacted ("conv2d 32 ×2 → maxPool2d → …"). */
function describeBranch(spec: unknown): string | undefined {
  const model = (spec as { model?: { branch?: { stages?: unknown[] } } } | null)?.model;
  const stages = model?.branch?.stages;
  if (!Array.isArray(stages)) return undefined;
  const names = stages.map((s) => {
    const st = s as {
      kind?: string;
      units?: number;
      filters?: number;
      rate?: number;
      activation?: string;
      poolSize?: number;
    };
    const detail = st.units ?? st.filters ?? st.activation ?? st.rate ?? st.poolSize;
    return `${st.kind ?? "?"}${detail === undefined ? "" : ` ${detail}`}`;
  });
  const out: string[] = [];
  for (let i = 0; i < names.length;) {
    let j = i;
    while (j < names.length && names[j] === names[i]) j++;
    out.push(j - i > 1 ? `${names[i]} ×${j - i}` : names[i]);
    i = j;
  }
  return out.join(" → ");
}

/** Options the page data needs (checked by `interactive`). */
export interface DataOptions {
  readonly title: string;
  readonly projection: Projection;
  readonly mapName: string;
  readonly neighbours: number;
  readonly galleryQueries: number;
  readonly galleryNeighbours: number;
  readonly galleryPerClass: number;
  readonly threshold: number;
  readonly thresholdSource: string;
  readonly thumbnailSize: number;
  readonly config: Readonly<Record<string, unknown>>;
  readonly date: string;
  readonly version: string;
  readonly history?: { readonly loss: readonly number[] };
}

const MEANS: Record<string, string> = {
  auc:
    "The chance that a random same-class pair is closer than a random different-class pair: 1 is perfect, 0.5 is guessing.",
  eer:
    "The error rate at the threshold where wrongly accepted different-class pairs and wrongly rejected same-class pairs are equally frequent; lower is better.",
  tar01:
    "The share of same-class pairs accepted when the threshold lets through only 1 % of different-class pairs.",
  tar001:
    "The share of same-class pairs accepted when the threshold lets through only 0.1 % of different-class pairs.",
  accuracy:
    "The share of all evaluated pairs judged right at the best-accuracy threshold (it follows the share of same-class pairs, so read it with the EER).",
  rank1: "Identification: the share of probes whose nearest gallery item has their class.",
  rank5:
    "Identification: the share of probes with an item of their class among their 5 nearest gallery items.",
  p1: "Retrieval: the share of test items whose nearest other test item has the same class.",
  rp:
    "Retrieval: for an item whose class has R other items, the share of its R nearest items that share its class, averaged over items.",
  mapr:
    "Retrieval: like R-precision, but also rewards ranking the correct items first (mean average precision within the R nearest).",
};

/** The page's data. */
export function pageData(evaluation: EmbedderEvaluation, o: DataOptions): PageData {
  const { set, dataset, embedder, curves, verification, identification, retrieval } = evaluation;
  const { dim, labels } = set;
  const n = labels.length;
  const rows = set.embeddings instanceof Float32Array
    ? set.embeddings
    : Float32Array.from(set.embeddings);
  const host = embedder.distance.host;
  const thumbs: Record<string, string> = {};
  const thumb = (row: number) => {
    if (!(row in thumbs)) {
      thumbs[row] = thumbnail(dataset.images, dataset.shape, row, o.thumbnailSize);
    }
  };
  const { projection } = o;
  const m = projection.rows.length;

  // ---- the projector's sample: its rows, map coordinates and nearest sampled points ----
  const sampleRows = Array.from(projection.rows);
  const sampleVectors = new Float32Array(m * dim);
  sampleRows.forEach((row, i) =>
    sampleVectors.set(rows.subarray(row * dim, (row + 1) * dim), i * dim)
  );
  const k = Math.min(o.neighbours, m - 1);
  const nb: number[] = [], nbd: number[] = [];
  const d = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    hostRow(host, sampleVectors.subarray(i * dim, (i + 1) * dim), sampleVectors, m, dim, d);
    for (const j of smallest(d, k, i)) {
      nb.push(j);
      nbd.push(r6(d[j]));
    }
    thumb(sampleRows[i]);
  }
  let [minX, maxX, minY, maxY] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < m; i++) {
    const [x, y] = [projection.points[2 * i], projection.points[2 * i + 1]];
    [minX, maxX, minY, maxY] = [
      Math.min(minX, x),
      Math.max(maxX, x),
      Math.min(minY, y),
      Math.max(maxY, y),
    ];
  }
  const span = Math.max(maxX - minX, maxY - minY) || 1;
  const xs: number[] = [], ys: number[] = [];
  for (let i = 0; i < m; i++) {
    xs.push(r6((projection.points[2 * i] - minX) / span));
    ys.push(r6((projection.points[2 * i + 1] - minY) / span));
  }
  const note = m === n
    ? `all ${n.toLocaleString("en")} test items`
    : `${m.toLocaleString("en")} of ${
      n.toLocaleString("en")
    } test items, sampled uniformly (seed ${evaluation.seed})`;

  // ---- neighbour galleries: random queries over all classes, the worst query of each ----
  const full = new Float64Array(n);
  const queryOf = (row: number): PageQuery => {
    hostRow(host, rows.subarray(row * dim, (row + 1) * dim), rows, n, dim, full);
    const best = smallest(full, o.galleryNeighbours, row);
    let firstCorrect: number | null = null;
    let nearestSame = Infinity;
    for (let j = 0; j < n; j++) {
      if (j !== row && labels[j] === labels[row] && full[j] < nearestSame) nearestSame = full[j];
    }
    if (Number.isFinite(nearestSame)) {
      // pessimistic: different-class rows at the same distance rank before it
      let before = 0;
      for (let j = 0; j < n; j++) if (labels[j] !== labels[row] && full[j] <= nearestSame) before++;
      firstCorrect = before + 1;
    }
    thumb(row);
    best.forEach(thumb);
    return {
      row,
      label: labels[row],
      firstCorrect,
      neighbours: best.map((j) => [j, r6(full[j]), labels[j] === labels[row] ? 1 : 0, labels[j]]),
    };
  };
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const list = byClass.get(labels[i]);
    if (list) list.push(i);
    else byClass.set(labels[i], [i]);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const rand = seededRandom(evaluation.seed + 1);
  const picked = new Set<number>();
  const random: PageQuery[] = [];
  for (let round = 0; random.length < o.galleryQueries && round < n; round++) {
    for (const c of classes) {
      if (random.length >= o.galleryQueries) break;
      const list = byClass.get(c)!.filter((r) => !picked.has(r));
      if (list.length === 0) continue;
      const row = list[Math.floor(rand.float() * list.length)];
      picked.add(row);
      random.push(queryOf(row));
    }
    if (picked.size >= n) break;
  }
  // The worst query of each class among the projector's sample (bounded cost): the one
  // whose first same-class match ranks lowest.
  const worstOf = new Map<number, { row: number; rank: number }>();
  for (const row of sampleRows) {
    hostRow(host, rows.subarray(row * dim, (row + 1) * dim), rows, n, dim, full);
    let nearestSame = Infinity;
    for (let j = 0; j < n; j++) {
      if (j !== row && labels[j] === labels[row] && full[j] < nearestSame) nearestSame = full[j];
    }
    let rank = 0;
    if (Number.isFinite(nearestSame)) {
      for (let j = 0; j < n; j++) if (labels[j] !== labels[row] && full[j] <= nearestSame) rank++;
    } else rank = -1; // no other item of its class: nothing to find
    const was = worstOf.get(labels[row]);
    if (was === undefined || rank > was.rank) worstOf.set(labels[row], { row, rank });
  }
  // at most MAX_WORST classes (the worst ones) when there are many
  const worst = [...worstOf.entries()].filter(([, w]) => w.rank >= 0)
    .sort((a, b) => b[1].rank - a[1].rank || a[0] - b[0]).slice(0, MAX_WORST)
    .sort((a, b) => a[0] - b[0]).map(([, w]) => queryOf(w.row));

  // ---- identification confusion: rank-1 predictions of the evaluation's gallery split ----
  const split = galleryProbeSplit(set, {
    seed: evaluation.seed,
    galleryPerClass: o.galleryPerClass,
  });
  const g = split.galleryIndices.length;
  const galleryVectors = new Float32Array(g * dim);
  split.galleryIndices.forEach((row, i) =>
    galleryVectors.set(rows.subarray(row * dim, (row + 1) * dim), i * dim)
  );
  const index = new Map(classes.map((c, i) => [c, i]));
  const dense = classes.length <= MAX_MATRIX;
  const counts = dense ? classes.map(() => classes.map(() => 0)) : [];
  const sparse = new Map<string, number>();
  let probesRight = 0;
  const gd = new Float64Array(g);
  for (const probe of split.probeIndices) {
    hostRow(host, rows.subarray(probe * dim, (probe + 1) * dim), galleryVectors, g, dim, gd);
    let best = -1;
    for (let j = 0; j < g; j++) if (best < 0 || gd[j] < gd[best]) best = j;
    if (best < 0) continue;
    const [truth, guess] = [labels[probe], labels[split.galleryIndices[best]]];
    if (truth === guess) probesRight++;
    if (dense) counts[index.get(truth)!][index.get(guess)!]++;
    else if (truth !== guess) {
      sparse.set(`${truth},${guess}`, (sparse.get(`${truth},${guess}`) ?? 0) + 1);
    }
  }
  // with many classes: the most frequent confusions instead of the matrix
  const top = [...sparse.entries()].map(([key, count]) => [...key.split(",").map(Number), count])
    .sort((a, b) => b[2] - a[2] || a[0] - b[0] || a[1] - b[1]).slice(0, MAX_PAIRS);

  // ---- ROC for a log-FAR axis: keep points that move in log FAR or in TAR ----
  const roc = curves.roc;
  const far: number[] = [], tar: number[] = [], thr: number[] = [];
  let lastLog = -Infinity, lastTar = -1;
  for (let i = 0; i < roc.far.length; i++) {
    const f = roc.far[i], t = roc.tar[i];
    const lf = f > 0 ? Math.log10(f) : -99;
    const keep = i === roc.far.length - 1 || Math.abs(lf - lastLog) >= 0.004 ||
      Math.abs(t - lastTar) >= 0.001;
    if (keep && Number.isFinite(roc.thresholds[i])) {
      far.push(r6(f));
      tar.push(r6(t));
      thr.push(r6(roc.thresholds[i]));
      lastLog = lf;
      lastTar = t;
    }
  }
  // exact rates at the saved threshold: the last ROC point whose threshold is ≤ it
  let at = 0;
  for (let i = 0; i < roc.thresholds.length; i++) if (roc.thresholds[i] <= o.threshold) at = i;

  // ---- configuration ----
  const provenance = embedder.provenance;
  const spec = provenance.spec as { loss?: Record<string, unknown> } | null;
  let weights: number | undefined;
  try {
    weights = embedder.network.countParams();
  } catch {
    weights = undefined;
  }
  const given = o.config;
  const shown = (v: unknown): string =>
    v === undefined || v === null
      ? "—"
      : typeof v === "string"
      ? v
      : typeof v === "number"
      ? (Number.isInteger(v) ? v.toLocaleString("en") : String(v))
      : JSON.stringify(v);
  const config: [string, string][] = [];
  const put = (key: string, value: unknown) => config.push([key, shown(value)]);
  put("seed", given.seed ?? provenance.seed);
  put("batch", given.batch);
  put("steps", given.steps ?? provenance.steps);
  put("learning rate", given.learningRate ?? given.lr);
  put("loss", given.loss ?? provenance.loss);
  put("margin", given.margin ?? spec?.loss?.margin);
  put("backbone", given.backbone ?? describeBranch(provenance.spec));
  put("weights", given.weights ?? weights);
  put("embedding size", embedder.embeddingSize);
  put("normalisation", embedder.normalisation);
  put("distance", embedder.distance.name);
  put("backend", given.backend);
  put("version", given.version ?? o.version);
  put("date", given.date ?? o.date);
  put("test items", n);
  put(
    "weights fingerprint",
    embedder.fingerprint ? embedder.fingerprint.slice(0, 16) + "…" : undefined,
  );
  const known = new Set([
    "seed",
    "batch",
    "steps",
    "learningRate",
    "lr",
    "loss",
    "margin",
    "backbone",
    "weights",
    "backend",
    "version",
    "date",
  ]);
  for (const [key, value] of Object.entries(given)) if (!known.has(key)) put(key, value);

  const cmc = curves.cmc;
  const v = verification;
  return {
    title: o.title,
    classNames: Array.from(
      { length: Math.max(dataset.classNames.length, (classes.at(-1) ?? -1) + 1) },
      (_, i) => dataset.classNames[i] ?? String(i),
    ),
    sample: {
      note,
      map: o.mapName,
      total: n,
      row: sampleRows,
      label: sampleRows.map((r) => labels[r]),
      x: xs,
      y: ys,
      k,
      nb,
      nbd,
    },
    thumbs,
    distance: embedder.distance.name,
    metrics: [
      { key: "auc", name: "AUC", value: v.auc, means: MEANS.auc },
      { key: "eer", name: "EER", value: v.eer, means: MEANS.eer },
      { key: "tar01", name: "TAR @ FAR 1 %", value: v.tarAtFar["0.01"], means: MEANS.tar01 },
      { key: "tar001", name: "TAR @ FAR 0.1 %", value: v.tarAtFar["0.001"], means: MEANS.tar001 },
      { key: "accuracy", name: "pair accuracy", value: v.accuracy, means: MEANS.accuracy },
      { key: "rank1", name: "rank-1", value: identification.rank1, means: MEANS.rank1 },
      { key: "rank5", name: "rank-5", value: identification.rank5, means: MEANS.rank5 },
      { key: "p1", name: "precision@1", value: retrieval.precisionAt1, means: MEANS.p1 },
      { key: "rp", name: "R-precision", value: retrieval.rPrecision, means: MEANS.rp },
      { key: "mapr", name: "MAP@R", value: retrieval.mapAtR, means: MEANS.mapr },
    ],
    roc: {
      far,
      tar,
      thr,
      positives: roc.positives,
      negatives: roc.negatives,
      auc: v.auc,
      eer: { far: r6(v.eer), tar: r6(1 - v.eer), threshold: r6(v.eerThreshold) },
      saved: {
        threshold: r6(o.threshold),
        far: r6(roc.far[at]),
        tar: r6(roc.tar[at]),
        source: o.thresholdSource,
      },
    },
    hist: {
      edges: curves.histogram.edges.map(r6),
      same: [...curves.histogram.same.counts],
      different: [...curves.histogram.different.counts],
      sameTotal: curves.histogram.same.total,
      differentTotal: curves.histogram.different.total,
    },
    cmc: {
      ranks: [...cmc.ranks],
      accuracy: cmc.accuracy.map(r6),
      chance: chanceCmc(cmc.ranks.length, classes.length, o.galleryPerClass).map(r6),
      probes: cmc.probes,
      galleryRows: g,
      classes: classes.length,
    },
    gallery: { random, worst },
    confusion: {
      labels: dense ? classes : [],
      counts,
      top,
      right: probesRight,
      probes: split.probeIndices.length,
      galleryPerClass: o.galleryPerClass,
    },
    config,
    history: o.history && o.history.loss.length > 0 ? thinHistory(o.history.loss) : null,
  };
}

/** At most ~2,000 points of a loss curve (every k-th step, the last kept). */
function thinHistory(loss: readonly number[]): { step: number[]; loss: number[] } {
  const every = Math.max(1, Math.ceil(loss.length / 2000));
  const step: number[] = [], out: number[] = [];
  for (let i = 0; i < loss.length; i++) {
    if (i % every === 0 || i === loss.length - 1) {
      if (Number.isFinite(loss[i])) {
        step.push(i + 1);
        out.push(r6(loss[i]));
      }
    }
  }
  return { step, loss: out };
}
