import { checkSeeds } from "./_seeds.ts";
import { writeAtomic } from "../report/_atomic.ts";
import type { Dataset } from "../types.ts";
import { evaluateOpenSet, type StudyEmbedder } from "./evaluate_open_set.ts";
import { checkDataset, checkUnseen } from "./_dataset.ts";
import type { OpenSetEvaluation } from "./open_set_evaluation.ts";
import { type RepeatedMetric, repeatOverSeeds } from "./repeat_over_seeds.ts";

/** What a configuration's `train(seed)` returns: the embedder, with optional clean-up and notes. */
export interface StudyTrained {
  /** The trained embedder. */
  readonly embedder: StudyEmbedder;
  /** Called once the seed's evaluation is done (e.g. `program.dispose`). */
  readonly dispose?: () => void;
  /** Numbers to keep beside the metrics (e.g. steps, final loss); not summarised. */
  readonly info?: Readonly<Record<string, number | string>>;
}

/** One configuration of the study: a name and how to train it for a seed. */
export interface StudyConfig {
  /** Unique name (the table's row). */
  readonly name: string;
  /** Trains (or builds) the embedder for `seed`; the seed must seed everything random. */
  readonly train: (seed: number) => StudyTrained | Promise<StudyTrained>;
}

/** One configuration × seed: its metrics (see {@linkcode openWorldStudy}). */
export interface StudyRun {
  /** The configuration's name. */
  readonly config: string;
  /** The seed (of training and of the shot picks). */
  readonly seed: number;
  /** Metric name → value on the unseen classes. */
  readonly metrics: Readonly<Record<string, number>>;
  /** Seconds spent in `train(seed)`. */
  readonly trainSeconds: number;
  /** Seconds spent embedding and evaluating. */
  readonly evaluationSeconds: number;
  /** `StudyTrained.info`, if any. */
  readonly info?: Readonly<Record<string, number | string>>;
}

/** Options of {@linkcode openWorldStudy}. */
export interface OpenWorldStudyOptions {
  /** The configurations, each trained once per seed. */
  readonly configs: readonly StudyConfig[];
  /** At least 2 distinct seeds (safe integers). */
  readonly seeds: readonly number[];
  /** Held-out samples of the SEEN classes (thresholds are calibrated on them). */
  readonly seen: Dataset;
  /**
   * The UNSEEN classes: one pool (shots enrolled, the rest probe) or an enrolment pool and
   * separate probes (e.g. their train and test images). Must be class-disjoint from `seen`.
   */
  readonly unseen: Dataset | { readonly enrol: Dataset; readonly probes: Dataset };
  /** Images enrolled per class (default 5). */
  readonly shots?: number;
  /** Target false accept rates (default `[0.01]`). */
  readonly fars?: readonly number[];
  /**
   * Runs already done (e.g. read back from an earlier, interrupted study): those config × seed
   * pairs are not run again, and their metrics enter the summaries.
   */
  readonly previous?: readonly StudyRun[];
  /**
   * A JSON file that holds every run so far, rewritten atomically (temporary file, then
   * rename) after each configuration × seed, so that a study stopped early is usable.
   */
  readonly record?: string;
  /**
   * With `record`: read the runs already in that file (if it exists) and run only the rest, as
   * `previous` does. Default false: an existing record is replaced (a file there that is not
   * a study record is refused, never overwritten).
   */
  readonly resume?: boolean;
  /**
   * Receives one progress line per configuration × seed (e.g. `console.error`): its place,
   * name, seed, rank-1, TAR and AUC, and the seconds it took.
   */
  readonly log?: (line: string) => void;
  /** Called after each configuration × seed. */
  readonly onRun?: (run: StudyRun, done: number, total: number) => void | Promise<void>;
}

/** Per configuration: every metric's mean ± 95 % interval over the seeds. */
export interface StudySummary {
  /** The configuration's name. */
  readonly config: string;
  /** The seeds summarised, in order. */
  readonly seeds: number[];
  /** Metric name → mean, half-width, low, high and the values. */
  readonly metrics: Record<string, RepeatedMetric>;
}

/** The result of {@linkcode openWorldStudy}. */
export interface OpenWorldStudy {
  /** Every configuration × seed, in the order run (seeds outer, configurations inner). */
  readonly runs: StudyRun[];
  /** One summary per configuration, in `configs` order. */
  readonly summaries: StudySummary[];
}

/**
 * The metrics the study reports for one open-set evaluation, on the unseen classes:
 * `rank1`, `rank2`, `auc`, `eer`, and for each FAR f: `tar@f` (from the unseen ROC),
 * `genuineAccepted@f` and `impostorAccepted@f` (acceptance of unseen claims at the threshold
 * calibrated on the seen classes at FAR f).
 *
 * @example
 * ```ts
 * import { openSetEvaluation, studyMetrics } from "./mod.ts";
 * const d = (c: Record<number, number>) => {
 *   const labels: number[] = [], rows: number[] = [];
 *   for (const [l, x] of Object.entries(c)) for (const e of [0, 0.1, 0.2]) labels.push(+l), rows.push(x + e);
 *   return { labels, embeddings: new Float32Array(rows) };
 * };
 * const r = openSetEvaluation({ dim: 1, shots: 1, seed: 1, fars: [0.01], seen: d({ 0: 0, 1: 9 }), unseen: d({ 2: 20, 3: 30 }) });
 * const m = studyMetrics(r, [0.01]);
 * if (m.rank1 !== 1 || m["tar@0.01"] !== 1 || m["impostorAccepted@0.01"] !== 0) throw new Error("metrics");
 * ```
 */
export function studyMetrics(
  r: OpenSetEvaluation,
  fars: readonly number[],
): Record<string, number> {
  const m: Record<string, number> = {
    rank1: r.identification.rank1,
    rank2: r.identification.rank2,
    auc: r.verification.auc,
    eer: r.verification.eer,
  };
  for (const f of fars) {
    const c = r.verification.seenCalibrated[String(f)];
    m[`tar@${f}`] = r.verification.tarAtFar[String(f)];
    m[`genuineAccepted@${f}`] = c.genuineAcceptRate;
    m[`impostorAccepted@${f}`] = c.impostorAcceptRate;
  }
  return m;
}

/**
 * The open-world study: every configuration is trained once per seed (seeds outer, so a study
 * stopped early still has every configuration at its first seeds), and each trained embedder
 * goes through {@linkcode openSetEvaluation} with that seed (the shot picks vary with it too):
 * `shots` images per unseen class enrolled, every unseen probe identified and verified,
 * thresholds calibrated on the seen classes. Returns each run's {@linkcode studyMetrics} and,
 * per configuration, their mean ± 95 % Student-t interval ({@linkcode repeatOverSeeds}).
 *
 * Only the enrolled images of `unseen.enrol` are embedded (not the whole pool). Inputs are
 * checked before anything trains: at least one configuration, unique names, ≥ 2 distinct
 * seeds, class-disjoint seen and unseen datasets.
 *
 * @example
 * ```ts
 * import { openWorldStudy } from "./open_world_study.ts";
 * import { euclidean } from "../distances/mod.ts";
 * // 1-pixel "images" whose value is the class; an identity embedder separates every class.
 * const data = (classes: number[], seed = 0) => {
 *   const labels = classes.flatMap((c) => [c, c, c, c]);
 *   return { images: Float32Array.from(labels, (l, i) => l + 0.01 * ((i + seed) % 4)), labels: Int32Array.from(labels), shape: [1], size: labels.length, classNames: ["a", "b", "c", "d"] };
 * };
 * const identity = { embeddingSize: 1, distance: euclidean, embed: (d: { images: Float32Array }) => d.images };
 * const study = await openWorldStudy({
 *   configs: [{ name: "identity", train: () => ({ embedder: identity }) }],
 *   seeds: [1, 2],
 *   seen: data([0, 1]),
 *   unseen: data([2, 3]),
 *   shots: 1,
 * });
 * if (study.runs.length !== 2) throw new Error("runs");
 * if (study.summaries[0].metrics.rank1.mean !== 1) throw new Error("rank-1");
 * ```
 */
export async function openWorldStudy(options: OpenWorldStudyOptions): Promise<OpenWorldStudy> {
  const what = "run the open-world study";
  const o = options ?? ({} as OpenWorldStudyOptions);
  const configs = o.configs;
  if (!Array.isArray(configs) || configs.length === 0) {
    throw new TypeError(`Cannot ${what} as configs must be a non-empty array of { name, train }`);
  }
  const names = new Set<string>();
  configs.forEach((c, i) => {
    if (typeof c?.name !== "string" || c.name === "") {
      throw new TypeError(
        `Cannot ${what} as configs[${i}].name must be a non-empty string: current value is ${
          String(c?.name)
        }`,
      );
    }
    if (names.has(c.name)) {
      throw new RangeError(`Cannot ${what} as config names must be unique: '${c.name}' repeats`);
    }
    names.add(c.name);
    if (typeof c.train !== "function") {
      throw new TypeError(
        `Cannot ${what} as configs[${i}].train must be a function (seed → trained)`,
      );
    }
  });
  const seeds = o.seeds;
  checkSeeds(what, seeds);
  const shots = o.shots ?? 5;
  const fars = o.fars ?? [0.01];
  const seen = checkDataset(o.seen, "seen", what);
  const { enrol: enrolSet, probes: probeSet } = checkUnseen(o.unseen, what);
  if (o.record !== undefined && (typeof o.record !== "string" || o.record === "")) {
    throw new TypeError(
      `Cannot ${what} as record must be a file path: current value is ${String(o.record)}`,
    );
  }
  // An existing record is read back: to resume from, or (without resume) to check that the
  // file about to be replaced is a study record and not someone else's file.
  const recorded = o.record === undefined ? [] : await readRecord(o.record, what, o.resume);
  if (!o.resume) recorded.length = 0;
  const previous = new Map<string, StudyRun>();
  for (const r of [...(o.previous ?? []), ...recorded]) {
    if (!names.has(r?.config) || !seeds.includes(r.seed)) continue; // another study's run
    previous.set(`${r.config}\n${r.seed}`, r);
  }
  if (o.log !== undefined && typeof o.log !== "function") {
    throw new TypeError(`Cannot ${what} as log must be a function: current value is ${o.log}`);
  }
  if (o.onRun !== undefined && typeof o.onRun !== "function") {
    throw new TypeError(`Cannot ${what} as onRun must be a function: current value is ${o.onRun}`);
  }

  const runs: StudyRun[] = [];
  const total = configs.length * seeds.length;
  for (const seed of seeds) {
    for (const config of configs) {
      const done = previous.get(`${config.name}\n${seed}`);
      if (done !== undefined) {
        runs.push(done);
        continue;
      }
      const t0 = performance.now();
      const trained = await config.train(seed);
      const t1 = performance.now();
      let metrics: Record<string, number>;
      try {
        const e = trained?.embedder;
        if (e === undefined || e === null || typeof e !== "object") {
          throw new TypeError(
            `Cannot ${what} as configs '${config.name}'.train(${seed}) must return { embedder }: it returned ${
              String(trained)
            }`,
          );
        }
        const result = await evaluateOpenSet(e, {
          seen,
          unseen: probeSet === undefined ? enrolSet : { enrol: enrolSet, probes: probeSet },
          shots,
          seed,
          fars,
          label: `the embedder of ${config.name}, seed ${seed}`,
        });
        metrics = studyMetrics(result, fars);
      } finally {
        trained?.dispose?.();
      }
      const run: StudyRun = {
        config: config.name,
        seed,
        metrics,
        trainSeconds: (t1 - t0) / 1000,
        evaluationSeconds: (performance.now() - t1) / 1000,
        ...(trained.info ? { info: trained.info } : {}),
      };
      runs.push(run);
      if (o.record !== undefined) {
        await writeAtomic(o.record, JSON.stringify([...kept(runs, previous)], null, 1) + "\n");
      }
      o.log?.(progressLine(run, runs.length, total, fars[0]));
      await o.onRun?.(run, runs.length, total);
    }
  }
  const summaries: StudySummary[] = [];
  for (const config of configs) {
    const mine = new Map(runs.filter((r) => r.config === config.name).map((r) => [r.seed, r]));
    const s = await repeatOverSeeds(seeds, (seed) => ({ ...mine.get(seed)!.metrics }));
    summaries.push({ config: config.name, seeds: s.seeds, metrics: s.metrics });
  }
  return { runs, summaries };
}

/**
 * Summaries of whatever runs exist (e.g. a partial study read back from disk): per
 * configuration with at least 2 seeds, mean ± 95 % interval over the seeds it has.
 *
 * @example
 * ```ts
 * import { summarizeRuns } from "./open_world_study.ts";
 * const run = (seed: number, rank1: number) => ({ config: "a", seed, metrics: { rank1 }, trainSeconds: 0, evaluationSeconds: 0 });
 * const [s] = await summarizeRuns([run(1, 0.5), run(2, 0.7)]);
 * if (Math.abs(s.metrics.rank1.mean - 0.6) > 1e-12 || s.seeds.join() !== "1,2") throw new Error("summary");
 * ```
 */
export async function summarizeRuns(runs: readonly StudyRun[]): Promise<StudySummary[]> {
  const byConfig = new Map<string, StudyRun[]>();
  for (const r of runs) byConfig.set(r.config, [...(byConfig.get(r.config) ?? []), r]);
  const out: StudySummary[] = [];
  for (const [config, list] of byConfig) {
    if (list.length < 2) continue;
    const bySeed = new Map(list.map((r) => [r.seed, r]));
    const s = await repeatOverSeeds([...bySeed.keys()], (seed) => ({
      ...bySeed.get(seed)!.metrics,
    }));
    out.push({ config, seeds: s.seeds, metrics: s.metrics });
  }
  return out;
}

function progressLine(run: StudyRun, done: number, total: number, far: number): string {
  const m = run.metrics, f = (x: number) => x.toFixed(3);
  return `[${done}/${total}] ${run.config}, seed ${run.seed}: rank-1 ${f(m.rank1)}, ` +
    `TAR@FAR ${far} ${f(m[`tar@${far}`])}, AUC ${f(m.auc)} (trained in ${
      run.trainSeconds.toFixed(0)
    } s, evaluated in ${run.evaluationSeconds.toFixed(0)} s)`;
}

/** Every run in `runs`, then the previous ones not (yet) in it: nothing read is dropped. */
function* kept(runs: readonly StudyRun[], previous: Map<string, StudyRun>) {
  const seen = new Set<string>();
  for (const r of runs) seen.add(`${r.config}\n${r.seed}`), yield r;
  for (const [key, r] of previous) if (!seen.has(key)) yield r;
}

async function readRecord(
  path: string,
  what: string,
  resume: boolean | undefined,
): Promise<StudyRun[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  let runs: unknown;
  try {
    runs = JSON.parse(text);
  } catch (error) {
    throw new SyntaxError(
      `Cannot ${what} as the record ${path} is not JSON${
        resume ? "" : " (not a study record: refusing to replace it)"
      }: ${(error as Error).message}`,
    );
  }
  const ok = (r: StudyRun) =>
    r !== null && typeof r === "object" && typeof r.config === "string" &&
    Number.isSafeInteger(r.seed) && r.metrics !== null && typeof r.metrics === "object" &&
    Object.values(r.metrics).every((v) => typeof v === "number" && Number.isFinite(v));
  if (!Array.isArray(runs) || !runs.every(ok)) {
    throw new TypeError(
      `Cannot ${what} as the record ${path} must hold an array of runs ({ config, seed, metrics }, finite metrics)${
        resume ? "" : ": not a study record, refusing to replace it"
      }`,
    );
  }
  return runs as StudyRun[];
}
