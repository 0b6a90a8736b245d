import type { StepReport } from "./fit.ts";

/** The first line of every history log: marks the file as ours. */
const FORMAT = "likeness-history/1";

/**
 * Options of {@linkcode historyLog}.
 *
 * @example
 * ```ts
 * import type { HistoryLogOptions } from "./history_log.ts";
 * const options: HistoryLogOptions = { config: { seed: 1, batch: 32, loss: "tripletMargin" }, append: true };
 * if (options.config?.seed !== 1) throw new Error("config");
 * ```
 */
export interface HistoryLogOptions {
  /**
   * The run's configuration (seed, batch, learning rate, loss, …: JSON values), written in
   * the log's header line; `report.compare` shows how runs' configurations differ.
   */
  readonly config?: Readonly<Record<string, unknown>>;
  /**
   * Continue an existing log (a resumed run): a last line torn by a crash is cut off and
   * the new lines follow. Default `false`.
   */
  readonly append?: boolean;
  /** Replace an existing history log (never any other file). Default `false`. */
  readonly overwrite?: boolean;
}

/**
 * One training step of a {@linkcode RunHistory}.
 *
 * @example
 * ```ts
 * import type { HistoryStep } from "./history_log.ts";
 * const s: HistoryStep = { step: 1, epoch: 0, loss: 0.8, learningRate: 1e-3, imagesPerSecond: 2500, elapsedMs: 12 };
 * if (s.loss !== 0.8) throw new Error("loss");
 * ```
 */
export interface HistoryStep {
  /** Optimiser steps done, 1-based. */
  readonly step: number;
  /** 0-based epoch. */
  readonly epoch: number;
  /** The batch's loss (`NaN` when it was not finite). */
  readonly loss: number;
  /** The learning rate used (`NaN` when the optimiser did not tell). */
  readonly learningRate: number;
  /** Images per second over the step. */
  readonly imagesPerSecond: number;
  /** Milliseconds since training started. */
  readonly elapsedMs: number;
}

/**
 * A training log read by {@linkcode readHistory}: the configuration from its header, every
 * step, validation and epoch end, and how the run ended (`null` while it runs or when it
 * was killed). A resumed run that repeats steps replaces the records from the step it
 * resumed at.
 *
 * @example
 * ```ts
 * import type { RunHistory } from "./history_log.ts";
 * const last = (h: RunHistory) => h.steps.at(-1)?.loss;
 * if (typeof last !== "function") throw new Error("a reader");
 * ```
 */
export interface RunHistory {
  /** The file read. */
  readonly path: string;
  /** The configuration written in the header (`{}` when none was given). */
  readonly config: Readonly<Record<string, unknown>>;
  /** When the log was started (ISO 8601). */
  readonly started: string;
  /** Every training step, in order. */
  readonly steps: readonly HistoryStep[];
  /** Every validation, with the step after which it ran. */
  readonly validation: readonly {
    readonly step: number;
    readonly epoch: number;
    readonly metrics: Readonly<Record<string, number>>;
  }[];
  /** Every completed epoch: its mean loss and throughput. */
  readonly epochs: readonly {
    readonly step: number;
    readonly epoch: number;
    readonly meanLoss: number;
    readonly imagesPerSecond: number;
  }[];
  /** How the run ended, or `null` (still running, or killed). */
  readonly end: {
    readonly steps: number;
    readonly stopReason: string;
    readonly imagesPerSecond: number;
    readonly elapsedMs: number;
  } | null;
  /** Lines left out: a last line torn by a crash (0 or 1). */
  readonly tornLines: number;
}

const encoder = new TextEncoder();

/** A number as JSON: non-finite numbers become `null` (JSON has no NaN). */
const num = (x: number): number | null => (Number.isFinite(x) ? x : null);

const finiteMetrics = (metrics: Record<string, number>) =>
  Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, num(v)]));

/** The JSON lines of one step report. */
function linesOf(r: StepReport): string {
  let out = JSON.stringify({
    kind: "step",
    step: r.step,
    epoch: r.epoch,
    loss: num(r.loss),
    lr: num(r.learningRate),
    imagesPerSecond: num(r.imagesPerSecond),
    elapsedMs: num(r.elapsedMs),
  }) + "\n";
  if (r.epochEnd) {
    out += JSON.stringify({
      kind: "epoch",
      step: r.step,
      epoch: r.epoch,
      meanLoss: num(r.epochEnd.meanLoss),
      imagesPerSecond: num(r.epochEnd.imagesPerSecond),
    }) + "\n";
  }
  if (r.validation) {
    out += JSON.stringify({
      kind: "validation",
      step: r.step,
      epoch: r.epoch,
      metrics: finiteMetrics(r.validation),
    }) + "\n";
  }
  return out;
}

/** Whether `text`'s first line is a history header. */
const isHistory = (firstLine: string): boolean => {
  try {
    const header = JSON.parse(firstLine);
    return header !== null && typeof header === "object" && header.format === FORMAT;
  } catch {
    return false;
  }
};

async function readFirstLine(path: string): Promise<string> {
  const file = await Deno.open(path, { read: true });
  try {
    const buffer = new Uint8Array(4096);
    const n = await file.read(buffer);
    const text = new TextDecoder().decode(buffer.subarray(0, n ?? 0));
    return text.split("\n")[0];
  } finally {
    file.close();
  }
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await file.write(bytes.subarray(written));
}

/** Opens (creates, replaces or continues) the log at `path`. */
async function openLog(path: string, options: HistoryLogOptions): Promise<Deno.FsFile> {
  const shown = JSON.stringify(path);
  const info = await Deno.lstat(path).catch((error) => {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  });
  if (info !== undefined && !info.isFile) {
    throw new Error(
      `Cannot write the history log as path ${shown} is not a file (a folder or a link): refusing to replace it`,
    );
  }
  if (info !== undefined && !isHistory(await readFirstLine(path))) {
    throw new Error(
      `Cannot write the history log as ${shown} exists and is not a likeness history log: refusing to replace it`,
    );
  }
  const header = JSON.stringify({
    format: FORMAT,
    kind: "run",
    started: new Date().toISOString(),
    config: options.config ?? {},
  }) + "\n";
  if (info !== undefined && options.append) {
    // A kill -9 may have torn the last line: cut the file back to its last full line.
    const bytes = await Deno.readFile(path);
    const end = bytes.lastIndexOf(10) + 1;
    const file = await Deno.open(path, { read: true, write: true });
    try {
      if (end < bytes.length) await file.truncate(end);
      await file.seek(0, Deno.SeekMode.End);
      await writeAll(
        file,
        encoder.encode(JSON.stringify({ kind: "resume", at: new Date().toISOString() }) + "\n"),
      );
    } catch (error) {
      file.close();
      throw error;
    }
    return file;
  }
  if (info !== undefined && !options.overwrite) {
    throw new Error(
      `Cannot write the history log as ${shown} already exists: pass append: true to continue it (a resumed run) or overwrite: true to replace it`,
    );
  }
  // A new log: the header is written to a temporary file that is renamed into place, so
  // a kill -9 leaves the old log or the new one.
  const slash = path.lastIndexOf("/");
  const dir = slash < 0 ? "." : path.slice(0, slash) || "/";
  await Deno.mkdir(dir, { recursive: true });
  const temp = await Deno.makeTempFile({ dir, prefix: ".history.", suffix: ".tmp" });
  try {
    await Deno.writeTextFile(temp, header);
    if (Deno.build.os !== "windows") await Deno.chmod(temp, 0o644);
    await Deno.rename(temp, path);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
  return await Deno.open(path, { write: true, append: true });
}

/**
 * A transformer of `fit`'s step stream that writes the run's `history.jsonl` as it goes:
 * a header line (format, start time, `options.config`), then per step its `step`,
 * `epoch`, `loss`, `lr` and `imagesPerSecond`; per epoch end its mean loss; per validation
 * its metrics; and when the run ends its stop reason and totals. Reports pass through
 * unchanged, and the generator's return value (the `History`) too.
 *
 * Each line is appended with one write, so a `kill -9` loses at most the line being
 * written: {@linkcode readHistory} ignores a torn last line, and `append: true` (for a
 * resumed run) cuts it off before continuing. The file is synced to disk at each epoch end
 * and validation and when the run ends. Stopping early (`break`) closes the log and the
 * wrapped run. A new log never replaces another file: an existing path must be a history
 * log and needs `append` or `overwrite`.
 *
 * @param path Where to write, e.g. `runs/triplet/history.jsonl` (its folder is created).
 * @param options The configuration to record; append or overwrite an existing log.
 * @returns A function wrapping a `fit` generator.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fit } from "./fit.ts";
 * import { historyLog, readHistory } from "./history_log.ts";
 * await tf.setBackend("cpu");
 * // A program whose loss is its batch's mean (it trains nothing).
 * const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });
 * const program = { embedder, optimizer: tf.train.sgd(0.1), setLearningRate: () => {}, trainStep: (x: tf.Tensor) => tf.mean(x) as tf.Scalar };
 * const dir = await Deno.makeTempDir();
 * const validation = { every: 2, run: ({ step }: { step: number }) => ({ precisionAt1: step / 10 }) };
 * const run = historyLog(`${dir}/history.jsonl`, { config: { seed: 1 } })(
 *   fit(program, () => [1, 2, 3].map((v) => tf.fill([2, 1], v)), { validation, progress: "none" }),
 * );
 * let result = await run.next();
 * while (!result.done) result = await run.next();
 * const history = await readHistory(`${dir}/history.jsonl`);
 * // three steps with their losses, one validation, the end, and the configuration
 * if (history.steps.map((s) => s.loss).join() !== "1,2,3") throw new Error("steps");
 * if (history.validation[0].metrics.precisionAt1 !== 0.2 || history.end?.steps !== 3) throw new Error("end");
 * if (history.config.seed !== 1 || result.value.steps !== 3) throw new Error("config");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function historyLog(
  path: string,
  options: HistoryLogOptions = {},
): <H extends { readonly steps: number; readonly stopReason: string }>(
  run: AsyncGenerator<StepReport, H, void>,
) => AsyncGenerator<StepReport, H, void> {
  if (typeof path !== "string" || path.length === 0) {
    throw new TypeError(
      `Cannot write the history log as path must be a non-empty string: current value is ${
        JSON.stringify(path) ?? String(path)
      }`,
    );
  }
  if (options.config !== undefined) {
    if (options.config === null || typeof options.config !== "object") {
      throw new TypeError(
        `Cannot write the history log as options.config must be a record: current value is ${
          String(options.config)
        }`,
      );
    }
    try {
      JSON.stringify(options.config);
    } catch (error) {
      throw new TypeError(
        `Cannot write the history log as options.config must be JSON: ${(error as Error).message}`,
      );
    }
  }
  return async function* <H extends { readonly steps: number; readonly stopReason: string }>(
    run: AsyncGenerator<StepReport, H, void>,
  ): AsyncGenerator<StepReport, H, void> {
    const file = await openLog(path, options);
    let done = false;
    try {
      let result = await run.next();
      while (!result.done) {
        const report = result.value;
        await writeAll(file, encoder.encode(linesOf(report)));
        if (report.epochEnd || report.validation) await file.syncData();
        yield report;
        result = await run.next();
      }
      done = true;
      const h = result.value as H & { imagesPerSecond?: number; elapsedMs?: number };
      await writeAll(
        file,
        encoder.encode(
          JSON.stringify({
            kind: "end",
            steps: h.steps,
            stopReason: h.stopReason,
            imagesPerSecond: num(h.imagesPerSecond ?? NaN),
            elapsedMs: num(h.elapsedMs ?? NaN),
          }) + "\n",
        ),
      );
      await file.syncData();
      return result.value;
    } finally {
      file.close();
      if (!done) await run.return(undefined as unknown as H);
    }
  };
}

const toNumber = (x: unknown): number => (typeof x === "number" ? x : NaN);

/**
 * Reads a history log written by {@linkcode historyLog}: the configuration, steps,
 * validations, epoch ends and how the run ended. A last line torn by a crash is left out
 * (and counted in `tornLines`); any other line that is not a log record, or a first line
 * that is not a history header, is an error naming the file and the line. When a resumed
 * run logs a step again, the records from that step on are replaced by the new ones.
 *
 * @param path The `history.jsonl` file.
 * @returns What the log holds.
 *
 * @example
 * ```ts
 * import { readHistory } from "./history_log.ts";
 * const dir = await Deno.makeTempDir();
 * const path = `${dir}/history.jsonl`;
 * // a log whose writer was killed in the middle of its third line
 * await Deno.writeTextFile(path, [
 *   '{"format":"likeness-history/1","kind":"run","started":"2026-01-01T00:00:00.000Z","config":{"seed":3}}',
 *   '{"kind":"step","step":1,"epoch":0,"loss":0.5,"lr":0.001,"imagesPerSecond":900,"elapsedMs":10}',
 *   '{"kind":"step","step":2,"ep',
 * ].join("\n"));
 * const history = await readHistory(path);
 * if (history.steps.length !== 1 || history.tornLines !== 1 || history.end !== null) throw new Error("torn");
 * if (history.config.seed !== 3 || history.steps[0].learningRate !== 0.001) throw new Error("read");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function readHistory(path: string): Promise<RunHistory> {
  if (typeof path !== "string" || path.length === 0) {
    throw new TypeError(
      `Cannot read the history log as path must be a non-empty string: current value is ${
        JSON.stringify(path) ?? String(path)
      }`,
    );
  }
  const shown = JSON.stringify(path);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: false }).decode(await Deno.readFile(path));
  } catch (error) {
    throw new Error(`Cannot read the history log ${shown}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const lines = text.split("\n");
  // A file always ends with "\n" unless its last line was torn.
  let tornLines = 0;
  if (lines.at(-1) === "") lines.pop();
  else {
    lines.pop();
    tornLines = 1;
  }
  if (lines.length === 0 || !isHistory(lines[0])) {
    throw new Error(
      `Cannot read the history log ${shown} as its first line is not a likeness history header: current first line is ${
        JSON.stringify((lines[0] ?? text).slice(0, 80))
      }`,
    );
  }
  const header = JSON.parse(lines[0]);
  const config = header.config !== null && typeof header.config === "object" ? header.config : {};
  const steps: HistoryStep[] = [];
  const validation: { step: number; epoch: number; metrics: Record<string, number> }[] = [];
  const epochs: { step: number; epoch: number; meanLoss: number; imagesPerSecond: number }[] = [];
  let end: RunHistory["end"] = null;
  for (let i = 1; i < lines.length; i++) {
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(lines[i]);
      if (record === null || typeof record !== "object" || Array.isArray(record)) {
        throw new Error("not an object");
      }
    } catch {
      throw new Error(
        `Cannot read the history log ${shown} as line ${
          i + 1
        } is not a log record: current line is ${JSON.stringify(lines[i].slice(0, 80))}`,
      );
    }
    const step = toNumber(record.step);
    if (record.kind !== "resume" && record.kind !== "run" && record.kind !== "end") {
      if (!Number.isSafeInteger(step) || step < 1) {
        throw new Error(
          `Cannot read the history log ${shown} as line ${
            i + 1
          } has no valid step: current step is ${JSON.stringify(record.step)}`,
        );
      }
    }
    switch (record.kind) {
      case "step": {
        // A resumed run goes back to its checkpoint: later records of the first run go.
        while (steps.length > 0 && steps[steps.length - 1].step >= step) steps.pop();
        while (validation.length > 0 && validation[validation.length - 1].step >= step) {
          validation.pop();
        }
        while (epochs.length > 0 && epochs[epochs.length - 1].step >= step) epochs.pop();
        end = null;
        steps.push({
          step,
          epoch: toNumber(record.epoch),
          loss: toNumber(record.loss),
          learningRate: toNumber(record.lr),
          imagesPerSecond: toNumber(record.imagesPerSecond),
          elapsedMs: toNumber(record.elapsedMs),
        });
        break;
      }
      case "validation": {
        const metrics: Record<string, number> = {};
        const given = record.metrics;
        if (given !== null && typeof given === "object") {
          for (const [k, v] of Object.entries(given)) metrics[k] = toNumber(v);
        }
        validation.push({ step, epoch: toNumber(record.epoch), metrics });
        break;
      }
      case "epoch":
        epochs.push({
          step,
          epoch: toNumber(record.epoch),
          meanLoss: toNumber(record.meanLoss),
          imagesPerSecond: toNumber(record.imagesPerSecond),
        });
        break;
      case "end":
        end = {
          steps: toNumber(record.steps),
          stopReason: String(record.stopReason),
          imagesPerSecond: toNumber(record.imagesPerSecond),
          elapsedMs: toNumber(record.elapsedMs),
        };
        break;
      case "resume":
      case "run":
        break;
      default:
        throw new Error(
          `Cannot read the history log ${shown} as line ${
            i + 1
          } has an unknown kind: current kind is ${JSON.stringify(record.kind)}`,
        );
    }
  }
  return {
    path,
    config,
    started: String(header.started),
    steps,
    validation,
    epochs,
    end,
    tornLines,
  };
}
