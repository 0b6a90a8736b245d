import type { RunHistory } from "../train/history_log.ts";
import { builtin } from "../_runtime.ts";
import { writeAtomic } from "./_atomic.ts";
import { writeOwnPage } from "./_interactive_write.ts";
import { flattenNumbers, type LoadedRun, loadRun, shownValue } from "./_compare_load.ts";
import { comparePage, type PageRun } from "./_compare_page.ts";

/**
 * A run given to {@linkcode compare} as values rather than a folder.
 *
 * @example
 * ```ts
 * import type { ComparedRun } from "./compare.ts";
 * const run: ComparedRun = { name: "lr 1e-3", metrics: { "verification.auc": 0.95 }, config: { lr: 1e-3 } };
 * if (run.metrics?.["verification.auc"] !== 0.95) throw new Error("metrics");
 * ```
 */
export interface ComparedRun {
  /** The run's name (a column of the tables, a line of the plots). */
  readonly name: string;
  /** Its training log, as `readHistory` returns it. */
  readonly history?: RunHistory;
  /** Final numbers (a metrics.json value is flattened: `verification.auc`, …). */
  readonly metrics?: Readonly<Record<string, unknown>>;
  /** Settings (JSON values). */
  readonly config?: Readonly<Record<string, unknown>>;
}

/**
 * Options of {@linkcode compare}.
 *
 * @example
 * ```ts
 * import type { CompareOptions } from "./compare.ts";
 * const options: CompareOptions = { title: "learning rates", live: 10 };
 * if (options.live !== 10) throw new Error("live");
 * ```
 */
export interface CompareOptions {
  /** Page title (default "likeness — runs compared"). */
  readonly title?: string;
  /**
   * Seconds between re-reads of each run folder's `history.jsonl` when the page is served
   * over HTTP (a live view of runs still training); 0 turns it off. Default 5. From
   * `file://` the page is a snapshot.
   */
  readonly live?: number;
}

/** At most ~5,000 points of a loss curve (every k-th step, the last kept). */
function thin(step: number[], loss: number[]): { step: number[]; loss: number[] } {
  const every = Math.max(1, Math.ceil(step.length / 5000));
  const out = { step: [] as number[], loss: [] as number[] };
  for (let i = 0; i < step.length; i++) {
    if (i % every === 0 || i === step.length - 1) {
      out.step.push(step[i]);
      out.loss.push(loss[i]);
    }
  }
  return out;
}

function pageRun(run: LoadedRun, href: string | null): PageRun {
  const h = run.history;
  const validation: Record<string, { step: number[]; value: number[] }> = Object.create(null);
  for (const v of h?.validation ?? []) {
    for (const [k, value] of Object.entries(v.metrics)) {
      const series = validation[k] ??= { step: [], value: [] };
      series.step.push(v.step);
      series.value.push(value);
    }
  }
  const numbers = (xs: number[]) =>
    xs.map((x) => (Number.isFinite(x) ? x : null as unknown as number));
  const steps = thin(h?.steps.map((s) => s.step) ?? [], h?.steps.map((s) => s.loss) ?? []);
  return {
    name: run.name,
    href,
    steps: { step: steps.step, loss: numbers(steps.loss) },
    validation: Object.fromEntries(
      Object.entries(validation).map(([k, s]) => [k, { step: s.step, value: numbers(s.value) }]),
    ),
    metrics: Object.fromEntries(Object.entries(run.metrics).filter(([, v]) => Number.isFinite(v))),
    config: run.config,
  };
}

function fromValues(run: ComparedRun, index: number): LoadedRun {
  if (run === null || typeof run !== "object" || typeof run.name !== "string" || run.name === "") {
    throw new TypeError(
      `Cannot compare runs as runs[${index}] must be a folder path or { name, history?, metrics?, config? }: current value is ${
        run === null || typeof run !== "object"
          ? String(run)
          : `an object with name ${JSON.stringify(run.name)}`
      }`,
    );
  }
  const config: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(run.config ?? {})) {
    if (v !== undefined) config[k] = shownValue(v);
  }
  for (const [k, v] of Object.entries(run.history?.config ?? {})) {
    if (!(k in config)) config[k] = shownValue(v);
  }
  return {
    name: run.name,
    ...(run.history ? { history: run.history } : {}),
    metrics: flattenNumbers(run.metrics ?? {}),
    config,
  };
}

/**
 * Writes one self-contained HTML page comparing training runs side by side: the training
 * loss over steps of every run (with smoothing and a log scale), each validation metric over
 * steps, a table of final metrics (best of each row marked), and the configuration diff
 * (settings that differ first, shared ones folded). A run is a folder written by a training
 * script — its `history.jsonl` (from `train.historyLog`), `metrics.json` (from
 * `report.standard`) and `model/metadata.json`, whichever are there — or a
 * `history.jsonl` path, or a {@linkcode ComparedRun} value.
 *
 * Served over HTTP from a folder that holds the runs, the page re-reads each run's
 * `history.jsonl` every `live` seconds, so it follows runs still training; from `file://`
 * it is a snapshot. The page is written atomically and never replaces a file that is not a
 * likeness page. The command line: `deno run --allow-read --allow-write tools/compare.ts
 * runs/* --out compare.html`.
 *
 * @param runs Run folders, history.jsonl paths or run values (at least one).
 * @param out The page to write, e.g. `runs/compare.html`.
 * @param options Title and live re-reading.
 * @returns `out`.
 *
 * @example
 * ```ts
 * import { compare } from "./compare.ts";
 * const dir = await Deno.makeTempDir();
 * const header = (seed: number) => JSON.stringify({ format: "likeness-history/1", kind: "run", started: "2026-01-01T00:00:00Z", config: { seed, lr: 0.001 } });
 * const step = (n: number, loss: number) => JSON.stringify({ kind: "step", step: n, epoch: 0, loss, lr: 0.001, imagesPerSecond: 900, elapsedMs: n });
 * for (const seed of [1, 2]) {
 *   await Deno.mkdir(`${dir}/seed-${seed}`);
 *   await Deno.writeTextFile(`${dir}/seed-${seed}/history.jsonl`, [header(seed), step(1, 1), step(2, 0.5 * seed), ""].join("\n"));
 *   await Deno.writeTextFile(`${dir}/seed-${seed}/metrics.json`, JSON.stringify({ seed, verification: { auc: 0.9 + seed / 100 } }));
 * }
 * const page = await Deno.readTextFile(await compare([`${dir}/seed-1`, `${dir}/seed-2`], `${dir}/compare.html`));
 * // both runs, their AUCs and the one setting that differs (the seed)
 * if (!page.includes('"name":"seed-1"') || !page.includes('"verification.auc":0.92')) throw new Error("runs");
 * if (!page.includes('"seed":"2"')) throw new Error("config");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function compare(
  runs: readonly (string | ComparedRun)[],
  out: string,
  options: CompareOptions = {},
): Promise<string> {
  if (!Array.isArray(runs) || runs.length === 0) {
    throw new TypeError(
      `Cannot compare runs as runs must be a non-empty array of run folders or run values: current value is ${
        Array.isArray(runs) ? "[]" : String(runs)
      }`,
    );
  }
  if (typeof out !== "string" || out.length === 0) {
    throw new TypeError(
      `Cannot compare runs as out must be the path of the page to write: current value is ${
        JSON.stringify(out) ?? String(out)
      }`,
    );
  }
  const live = options.live ?? 5;
  if (typeof live !== "number" || !Number.isFinite(live) || live < 0) {
    throw new RangeError(
      `Cannot compare runs as options.live must be a number of seconds ≥ 0: current value is ${
        String(live)
      }`,
    );
  }
  const path = builtin("node:path", "compare runs");
  const outDir = path.dirname(path.resolve(out));
  const loaded: PageRun[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i < runs.length; i++) {
    const given = runs[i];
    const run = typeof given === "string" ? await loadRun(given) : fromValues(given, i);
    const href = typeof given === "string" && run.historyPath !== undefined
      ? path.relative(outDir, path.resolve(run.historyPath)).split(path.sep).map(encodeURIComponent)
        .join("/")
      : null;
    // two runs of the same name (runs/a/x and runs/b/x) get told apart
    const count = (seen.get(run.name) ?? 0) + 1;
    seen.set(run.name, count);
    const named = count === 1 ? run : { ...run, name: `${run.name} (${count})` };
    loaded.push(pageRun(named, href));
  }
  const html = comparePage(options.title ?? "likeness — runs compared", {
    runs: loaded,
    live,
    created: new Date().toISOString(),
  });
  return await writeOwnPage("the run comparison", out, html, writeAtomic);
}
