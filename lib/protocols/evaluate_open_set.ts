import { embed } from "../embedder/embed.ts";
import type { Embedder } from "../embedder/embedder.ts";
import { checkDistance } from "../distances/host.ts";
import type { GalleryStore } from "../gallery/types.ts";
import type { Dataset, Distance } from "../types.ts";
import { type OpenSetEvaluation, openSetEvaluation } from "./open_set_evaluation.ts";
import { pickShots } from "./pick_shots.ts";
import { checkDataset, checkUnseen } from "./_dataset.ts";

/**
 * Something that embeds datasets: a trained {@linkcode Embedder} (embedded in chunks with
 * `embedder.embed`), or a plain function with its size and distance (e.g. a fixed projection).
 */
export type StudyEmbedder = Embedder | {
  /** Length of one embedding row. */
  readonly embeddingSize: number;
  /** The distance to identify and verify with. */
  readonly distance: Distance;
  /** The rows of `dataset` (`dataset.size × embeddingSize`, row-major). */
  readonly embed: (dataset: Dataset) => Float32Array | Promise<Float32Array>;
};

const isEmbedder = (e: StudyEmbedder): e is Embedder =>
  typeof (e as Embedder).network === "object" && (e as Embedder).network !== null;

/** Options of {@linkcode evaluateOpenSet}. */
export interface EvaluateOpenSetOptions {
  /** Held-out samples of the SEEN classes (the thresholds are calibrated on them). */
  readonly seen: Dataset;
  /** The UNSEEN classes: one pool, or an enrolment pool and separate probes. */
  readonly unseen: Dataset | { readonly enrol: Dataset; readonly probes: Dataset };
  /** Seed of the shot picks. */
  readonly seed: number;
  /** Images enrolled per class (default 5). */
  readonly shots?: number;
  /** Target false accept rates (default `[0.01, 0.001]`). */
  readonly fars?: readonly number[];
  /** Identity names by label (default `String(label)`). */
  readonly classNames?: readonly string[];
  /** Where the unseen classes are enrolled (default a memory store); the caller closes it. */
  readonly store?: GalleryStore;
  /** Names the embedder in errors (default "the embedder"). */
  readonly label?: string;
}

/**
 * {@linkcode openSetEvaluation} of an embedder on datasets: embeds the seen set, the unseen
 * probes and — of an enrolment pool given apart from the probes — only the `shots` images per
 * class the protocol enrols (the same seeded pick), then runs the protocol with the
 * embedder's own distance.
 *
 * @example
 * ```ts
 * import { evaluateOpenSet } from "./evaluate_open_set.ts";
 * import { euclidean } from "../distances/mod.ts";
 * const data = (classes: number[]) => {
 *   const labels = classes.flatMap((c) => [c, c, c]);
 *   return { images: Float32Array.from(labels, (l, i) => l + 0.01 * (i % 3)), labels: Int32Array.from(labels), shape: [1], size: labels.length, classNames: ["a", "b", "c", "d"] };
 * };
 * const identity = { embeddingSize: 1, distance: euclidean, embed: (d: { images: Float32Array }) => d.images };
 * const r = await evaluateOpenSet(identity, { seen: data([0, 1]), unseen: data([2, 3]), seed: 1, shots: 1 });
 * if (r.identification.rank1 !== 1 || r.claims.genuine !== 4) throw new Error("open set");
 * ```
 */
export async function evaluateOpenSet(
  embedder: StudyEmbedder,
  options: EvaluateOpenSetOptions,
): Promise<OpenSetEvaluation> {
  const what = "evaluate the open set";
  const e = embedder;
  if (e === null || typeof e !== "object" || !Number.isInteger(e.embeddingSize)) {
    throw new TypeError(
      `Cannot ${what} as embedder must be an Embedder or { embeddingSize, distance, embed }: current value is ${
        String(e)
      }`,
    );
  }
  const o = options ?? ({} as EvaluateOpenSetOptions);
  const label = o.label ?? "the embedder";
  const dim = e.embeddingSize, shots = o.shots ?? 5;
  const distance = checkDistance(what, "embedder.distance", e.distance);
  const seenSet = checkDataset(o.seen, "seen", what);
  const { enrol: enrolSet, probes: probeSet } = checkUnseen(o.unseen, what);
  const common = {
    dim,
    distance,
    shots,
    seed: o.seed,
    ...(o.fars ? { fars: o.fars } : {}),
    ...(o.classNames ? { classNames: o.classNames } : {}),
    ...(o.store ? { store: o.store } : {}),
  };
  const seen = { labels: seenSet.labels, embeddings: await rowsOf(e, seenSet, label) };
  if (probeSet === undefined) {
    const pool = { labels: enrolSet.labels, embeddings: await rowsOf(e, enrolSet, label) };
    return openSetEvaluation({ ...common, seen, unseen: pool });
  }
  // Embed only the shots openSetEvaluation will pick (the same seeded pick), not the pool.
  const classes = [...new Set(enrolSet.labels)].sort((a, b) => a - b);
  const { picked } = pickShots(enrolSet.labels, classes, shots, o.seed, {
    leaveOne: false,
    what: "unseen.enrol",
  });
  const pickedRows = await rowsOf(e, subsetOf(enrolSet, picked), label);
  const where = new Map(picked.map((i, j) => [i, j]));
  const enrol = {
    labels: enrolSet.labels,
    embeddings: (indices: readonly number[]) => {
      const out = new Float32Array(indices.length * dim);
      indices.forEach((i, t) => {
        const j = where.get(i);
        if (j === undefined) throw new Error(`${what}: enrolment row ${i} was not embedded`);
        out.set(pickedRows.subarray(j * dim, (j + 1) * dim), t * dim);
      });
      return out;
    },
  };
  const probes = { labels: probeSet.labels, embeddings: await rowsOf(e, probeSet, label) };
  return openSetEvaluation({ ...common, seen, unseen: { enrol, probes } });
}

async function rowsOf(e: StudyEmbedder, d: Dataset, label: string): Promise<Float32Array> {
  const rows = isEmbedder(e) ? (await embed(e, d)).embeddings : await e.embed(d);
  if (!(rows instanceof Float32Array) || rows.length !== d.size * e.embeddingSize) {
    throw new RangeError(
      `Cannot evaluate the open set as ${label} returned ${
        rows instanceof Float32Array ? rows.length : typeof rows
      } values for ${d.size} images × ${e.embeddingSize}`,
    );
  }
  return rows;
}

function subsetOf(d: Dataset, indices: readonly number[]): Dataset {
  const n = d.images.length / Math.max(1, d.size);
  const images = new Float32Array(indices.length * n);
  indices.forEach((i, j) => images.set(d.images.subarray(i * n, (i + 1) * n), j * n));
  return {
    ...d,
    images,
    labels: Int32Array.from(indices, (i) => d.labels[i]),
    size: indices.length,
  };
}
