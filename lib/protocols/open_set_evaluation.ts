import { euclidean } from "../distances/euclidean.ts";
import { checkDistance } from "../distances/host.ts";
import { memoryStore } from "../gallery/memory_store.ts";
import { openGallery } from "../gallery/open_gallery.ts";
import type { GalleryStore } from "../gallery/types.ts";
import { calibrateThreshold } from "../gallery/calibrate_threshold.ts";
import { auc } from "../metrics/auc.ts";
import { equalErrorRate } from "../metrics/equal_error_rate.ts";
import { type RocCurve, rocCurve } from "../metrics/roc_curve.ts";
import { tarAtFar } from "../metrics/tar_at_far.ts";
import type { Distance } from "../types.ts";
import { pickShots } from "./pick_shots.ts";

/**
 * Labelled samples and their embeddings: every row (`labels.length × dim`, row-major), or a
 * function that embeds the samples at the given indices (only the rows the protocol needs are
 * embedded, e.g. the few enrolment shots out of a large pool).
 */
export interface EmbeddedSamples {
  /** Class label of each sample. */
  readonly labels: ArrayLike<number>;
  /** The rows, or `(indices) => rows` of those samples (`indices.length × dim`). */
  readonly embeddings: Float32Array | ((indices: readonly number[]) => Float32Array);
}

/** Options of {@linkcode openSetEvaluation}. */
export interface OpenSetOptions {
  /** Embedding size. */
  readonly dim: number;
  /** The distance the galleries compare with (default `euclidean`): use the trained one. */
  readonly distance?: Distance;
  /** Images enrolled per class (for both the seen calibration and the unseen gallery). */
  readonly shots: number;
  /**
   * Seeds the shot picks: unseen shots from `pickShots(…, seed)`, seen calibration shots from
   * `pickShots(…, seed + 1)`.
   */
  readonly seed: number;
  /** Target false accept rates (default `[0.01, 0.001]`), keys of the result as `String(far)`. */
  readonly fars?: readonly number[];
  /**
   * Held-out samples of the SEEN classes: `shots` per class are enrolled, the rest claim each
   * seen identity; the thresholds are calibrated on these claims.
   */
  readonly seen: EmbeddedSamples;
  /**
   * The UNSEEN classes: one pool (`shots` per class enrolled, the rest probe), or an
   * enrolment pool and separate probes (e.g. train and test images).
   */
  readonly unseen: EmbeddedSamples | {
    readonly enrol: EmbeddedSamples;
    readonly probes: EmbeddedSamples;
  };
  /** Identity names by label (default `String(label)`). */
  readonly classNames?: readonly string[];
  /**
   * Where the unseen classes are enrolled (default a fresh `memoryStore`, closed at the end).
   * A store given here (e.g. `sqliteStore`) stays open: the caller owns it.
   */
  readonly store?: GalleryStore;
}

/** Acceptance at a threshold calibrated on the seen classes. */
export interface SeenCalibrated {
  /** The threshold (accept when distance ≤ threshold), chosen on seen-class claims. */
  readonly threshold: number;
  /** Genuine accept rate on the seen-class claims at that threshold. */
  readonly seenTar: number;
  /** Impostor accept rate on the seen-class claims (≤ the target FAR). */
  readonly seenFar: number;
  /** Share of unseen genuine claims accepted at that threshold (the transfer). */
  readonly genuineAcceptRate: number;
  /** Share of unseen impostor claims accepted at that threshold. */
  readonly impostorAcceptRate: number;
}

/** Genuine and impostor claim distances, and each probe's rank of its own identity. */
export interface Claims {
  /** Distance of each probe to its own identity. */
  readonly genuine: number[];
  /** Distance of each probe to each other identity. */
  readonly impostor: number[];
  /** Rank (1-based) of the probe's own identity. */
  readonly ranks: number[];
}

/** The result of {@linkcode openSetEvaluation}. */
export interface OpenSetEvaluation {
  /** Seen classes (labels, ascending). */
  readonly seenClasses: number[];
  /** Unseen classes (labels, ascending). */
  readonly unseenClasses: number[];
  /** Identification of unseen probes against the enrolled unseen identities. */
  readonly identification: { rank1: number; rank2: number; cmc: number[] };
  /** Verification: every probe claims every enrolled identity. */
  readonly verification: {
    auc: number;
    eer: number;
    tarAtFar: Record<string, number>;
    seenCalibrated: Record<string, SeenCalibrated>;
  };
  /** Claim counts on the unseen classes. */
  readonly claims: { genuine: number; impostor: number };
  /** Unseen-class claims (the curves: ROC, histograms). */
  readonly unseen: Claims;
  /** Seen-class calibration claims. */
  readonly seen: Claims;
  /** ROC of the unseen claims. */
  readonly roc: RocCurve;
  /** Indices of the enrolled unseen samples (into the enrolment pool), class by class. */
  readonly enrolled: number[];
  /** Their embeddings, `enrolled.length × dim`. */
  readonly enrolEmbeddings: Float32Array;
  /** Indices of the unseen probes (into the probe samples). */
  readonly probes: number[];
  /** Their embeddings, `probes.length × dim`. */
  readonly probeEmbeddings: Float32Array;
}

/**
 * The open-set protocol on embeddings: the unseen classes are enrolled from `shots` samples
 * each into a gallery; every other unseen sample is identified (rank of its own identity
 * among all enrolled ones: CMC, rank-1, rank-2) and claims every enrolled identity (1 genuine
 * and k − 1 impostor claims: ROC, AUC, EER, TAR at each FAR). A threshold per FAR is
 * calibrated on the SEEN classes by the same protocol, then applied to the unseen claims
 * (genuine and impostor acceptance), as a deployed system must. Identities are compared
 * through all their samples (distance = the smallest). Deterministic for a seed.
 *
 * @example
 * ```ts
 * import { openSetEvaluation } from "./open_set_evaluation.ts";
 * // 1-D: classes 0, 1 (seen) and 2, 3 (unseen) around 0, 10, 20, 30.
 * const samples = (centres: Record<number, number>) => {
 *   const labels: number[] = [], rows: number[] = [];
 *   for (const [label, c] of Object.entries(centres)) {
 *     for (const d of [0, 0.1, 0.2]) labels.push(Number(label)), rows.push(c + d);
 *   }
 *   return { labels, embeddings: new Float32Array(rows) };
 * };
 * const s = samples({ 0: 0, 1: 10 });
 * const u = samples({ 2: 20, 3: 30 });
 * const r = openSetEvaluation({ dim: 1, shots: 1, seed: 1, seen: s, unseen: u });
 * if (r.identification.rank1 !== 1 || r.verification.auc !== 1) throw new Error("separated");
 * if (r.claims.genuine !== 4 || r.claims.impostor !== 4) throw new Error("claims");
 * ```
 */
export function openSetEvaluation(options: OpenSetOptions): OpenSetEvaluation {
  const what = "run the open-set evaluation";
  const o = options ?? ({} as OpenSetOptions);
  const { dim, shots, seed } = o;
  if (!Number.isInteger(dim) || dim < 1) {
    throw new RangeError(`Cannot ${what} as dim must be an integer ≥ 1: current value is ${dim}`);
  }
  if (!Number.isInteger(shots) || shots < 1) {
    throw new RangeError(
      `Cannot ${what} as shots must be an integer ≥ 1: current value is ${shots}`,
    );
  }
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(
      `Cannot ${what} as seed must be a safe integer: current value is ${seed}`,
    );
  }
  const distance = o.distance === undefined
    ? euclidean
    : checkDistance(what, "distance", o.distance);
  const fars = o.fars ?? [0.01, 0.001];
  if (!Array.isArray(fars) || fars.length === 0) {
    throw new RangeError(`Cannot ${what} as fars must be a non-empty array of numbers in (0, 1)`);
  }
  for (const f of fars) {
    if (typeof f !== "number" || !(f > 0 && f < 1)) {
      throw new RangeError(
        `Cannot ${what} as every far must be a number in (0, 1): current value is ${f}`,
      );
    }
  }
  if (o.seen === undefined || o.unseen === undefined) {
    throw new TypeError(`Cannot ${what} as seen and unseen are required`);
  }
  const pooled = !("enrol" in o.unseen);
  const unseenEnrol = "enrol" in o.unseen ? o.unseen.enrol : o.unseen;
  const unseenProbes = "enrol" in o.unseen ? o.unseen.probes : undefined;
  const seenClasses = classesOf(o.seen, "seen", what);
  const unseenClasses = classesOf(unseenEnrol, pooled ? "unseen" : "unseen.enrol", what);
  if (unseenProbes !== undefined) {
    const probeClasses = classesOf(unseenProbes, "unseen.probes", what);
    const missing = probeClasses.filter((c) => !unseenClasses.includes(c));
    if (missing.length > 0) {
      throw new RangeError(
        `Cannot ${what} as unseen.probes holds classes ${
          missing.join(", ")
        } that unseen.enrol lacks`,
      );
    }
  }
  const overlap = seenClasses.filter((c) => unseenClasses.includes(c));
  if (overlap.length > 0) {
    throw new RangeError(
      `Cannot ${what} as seen and unseen must be class-disjoint: both hold classes ${
        overlap.join(", ")
      }`,
    );
  }
  const name = (label: number) => o.classNames?.[label] ?? String(label);

  // 1. Calibrate on the SEEN classes.
  const seenPick = pickShots(o.seen.labels, seenClasses, shots, seed + 1, { what: "seen" });
  const seenClaims = galleryClaims(
    rowsOf(o.seen, seenPick.picked, dim, "seen", what),
    seenPick.picked.map((i) => o.seen.labels[i]),
    rowsOf(o.seen, seenPick.rest, dim, "seen", what),
    seenPick.rest.map((i) => o.seen.labels[i]),
    { dim, distance, name, store: undefined },
  );
  const thresholds = fars.map((far) =>
    calibrateThreshold(seenClaims.claims.genuine, seenClaims.claims.impostor, { far })
  );

  // 2. Enrol the UNSEEN classes; identify and verify the unseen probes.
  const unseenPick = pickShots(unseenEnrol.labels, unseenClasses, shots, seed, {
    leaveOne: pooled,
    what: pooled ? "unseen" : "unseen.enrol",
  });
  const probeSamples = unseenProbes ?? unseenEnrol;
  const probes = unseenProbes === undefined
    ? unseenPick.rest
    : Array.from({ length: unseenProbes.labels.length }, (_, i) => i);
  const probeWhat = pooled ? "unseen" : "unseen.probes";
  const enrolEmbeddings = rowsOf(unseenEnrol, unseenPick.picked, dim, "unseen", what);
  const probeEmbeddings = rowsOf(probeSamples, probes, dim, probeWhat, what);
  const unseenRun = galleryClaims(
    enrolEmbeddings,
    unseenPick.picked.map((i) => unseenEnrol.labels[i]),
    probeEmbeddings,
    probes.map((i) => probeSamples.labels[i]),
    { dim, distance, name, store: o.store },
  );
  const unseen = unseenRun.claims;
  const k = unseenClasses.length;
  const cmc = Array.from(
    { length: k },
    (_, r) => unseen.ranks.filter((x) => x <= r + 1).length / unseen.ranks.length,
  );
  const roc = rocCurve(
    [...unseen.genuine, ...unseen.impostor],
    [...unseen.genuine.map(() => true), ...unseen.impostor.map(() => false)],
  );
  const accepted = (values: number[], threshold: number) =>
    values.filter((d) => d <= threshold).length / values.length;
  return {
    seenClasses,
    unseenClasses,
    identification: { rank1: cmc[0], rank2: cmc[1], cmc },
    verification: {
      auc: auc(roc),
      eer: equalErrorRate(roc).eer,
      tarAtFar: Object.fromEntries(fars.map((far) => [String(far), tarAtFar(roc, far)])),
      seenCalibrated: Object.fromEntries(fars.map((far, i) => {
        const { threshold, tar, far: seenFar } = thresholds[i];
        return [String(far), {
          threshold,
          seenTar: tar,
          seenFar,
          genuineAcceptRate: accepted(unseen.genuine, threshold),
          impostorAcceptRate: accepted(unseen.impostor, threshold),
        }];
      })),
    },
    claims: { genuine: unseen.genuine.length, impostor: unseen.impostor.length },
    unseen,
    seen: seenClaims.claims,
    roc,
    enrolled: unseenPick.picked,
    enrolEmbeddings,
    probes,
    probeEmbeddings,
  };
}

/** Distinct labels, ascending; at least 2 classes, every label an integer ≥ 0. */
function classesOf(samples: EmbeddedSamples, arg: string, what: string): number[] {
  const labels = samples?.labels;
  if (labels === undefined || typeof labels.length !== "number") {
    throw new TypeError(`Cannot ${what} as ${arg}.labels must be an array of class labels`);
  }
  const set = new Set<number>();
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (!Number.isInteger(l) || l < 0) {
      throw new RangeError(
        `Cannot ${what} as ${arg}.labels must hold integers ≥ 0: label ${i} is ${l}`,
      );
    }
    set.add(l);
  }
  if (set.size < 2) {
    throw new RangeError(
      `Cannot ${what} as ${arg} must hold at least 2 classes (one genuine and one impostor identity per claim): it holds ${set.size}`,
    );
  }
  return [...set].sort((a, b) => a - b);
}

/** The rows of `indices`, checked: `indices.length × dim` finite values. */
function rowsOf(
  samples: EmbeddedSamples,
  indices: readonly number[],
  dim: number,
  arg: string,
  what: string,
): Float32Array {
  const e = samples.embeddings;
  let rows: Float32Array;
  if (typeof e === "function") {
    rows = e(indices);
    if (!(rows instanceof Float32Array) || rows.length !== indices.length * dim) {
      throw new RangeError(
        `Cannot ${what} as ${arg}.embeddings(indices) must return a Float32Array of ${indices.length} × ${dim} values: it returned ${
          rows instanceof Float32Array ? rows.length : typeof rows
        } values`,
      );
    }
  } else {
    if (!(e instanceof Float32Array) || e.length !== samples.labels.length * dim) {
      throw new RangeError(
        `Cannot ${what} as ${arg}.embeddings must be a Float32Array of ${samples.labels.length} labels × ${dim} dim values: it has ${
          e instanceof Float32Array ? e.length : typeof e
        }`,
      );
    }
    rows = new Float32Array(indices.length * dim);
    indices.forEach((i, j) => rows.set(e.subarray(i * dim, (i + 1) * dim), j * dim));
  }
  for (let i = 0; i < rows.length; i++) {
    if (!Number.isFinite(rows[i])) {
      throw new RangeError(
        `Cannot ${what} as ${arg}.embeddings holds a non-finite value: ${rows[i]} in row ${
          indices[Math.floor(i / dim)]
        }`,
      );
    }
  }
  return rows;
}

/** Enrols the gallery rows per label, then ranks and claims every probe against all. */
function galleryClaims(
  galleryRows: Float32Array,
  galleryLabels: readonly number[],
  probeRows: Float32Array,
  probeLabels: readonly number[],
  o: {
    dim: number;
    distance: Distance;
    name: (label: number) => string;
    store: GalleryStore | undefined;
  },
): { claims: Claims } {
  const { dim } = o;
  const store = o.store ??
    memoryStore({ dim, fingerprint: "open-set-evaluation", distance: o.distance });
  const gallery = openGallery(store, { distance: o.distance });
  try {
    const byLabel = new Map<number, number[]>();
    galleryLabels.forEach((l, j) => {
      const list = byLabel.get(l) ?? [];
      list.push(j);
      byLabel.set(l, list);
    });
    gallery.enrolMany([...byLabel].map(([label, rows]) => {
      const embeddings = new Float32Array(rows.length * dim);
      rows.forEach((j, t) => embeddings.set(galleryRows.subarray(j * dim, (j + 1) * dim), t * dim));
      return { identity: o.name(label), embeddings };
    }));
    const k = gallery.identities().length;
    const ranked = gallery.identifyBatch(probeRows, k);
    const genuine: number[] = [], impostor: number[] = [], ranks: number[] = [];
    ranked.forEach((matches, i) => {
      const own = o.name(probeLabels[i]);
      matches.forEach((m, r) => {
        if (m.identity === own) {
          genuine.push(m.distance);
          ranks.push(r + 1);
        } else {
          impostor.push(m.distance);
        }
      });
    });
    return { claims: { genuine, impostor, ranks } };
  } finally {
    if (o.store === undefined) gallery.close();
  }
}
