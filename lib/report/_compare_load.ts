/**
 * Reading a run folder for `compare`: its `history.jsonl`, `metrics.json` and
 * `model/metadata.json`, whichever are there.
 *
 * @module
 */
import { readHistory, type RunHistory } from "../train/history_log.ts";

/** A run as `compare` draws it. */
export interface LoadedRun {
  readonly name: string;
  /** The run's history.jsonl, when it has one (for the live view). */
  readonly historyPath?: string;
  readonly history?: RunHistory;
  readonly metrics: Record<string, number>;
  readonly config: Record<string, string>;
}

/** The numbers of a metrics.json block, flattened ("verification.auc" → value). */
export function flattenNumbers(
  value: unknown,
  prefix = "",
  out: Record<string, number> = Object.create(null),
): Record<string, number> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return out;
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const name = prefix === "" ? key : `${prefix}.${key}`;
    if (typeof v === "number") out[name] = v;
    else if (v !== null && typeof v === "object" && !Array.isArray(v)) flattenNumbers(v, name, out);
  }
  return out;
}

/** A configuration value as shown. */
export function shownValue(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v) ?? String(v);
}

const METRIC_GROUPS = new Set(["verification", "identification", "retrieval"]);
const TRAINING_NUMBERS = new Set(["imagesPerSecond", "trainSeconds", "finalLoss", "imagesSeen"]);

/** Splits a metrics.json value into its metrics (numbers) and its configuration. */
export function splitMetricsJson(
  json: unknown,
): { metrics: Record<string, number>; config: Record<string, string> } {
  // null-prototype records: a key such as "__proto__" is kept like any other
  const metrics: Record<string, number> = Object.create(null);
  const config: Record<string, string> = Object.create(null);
  if (json === null || typeof json !== "object" || Array.isArray(json)) return { metrics, config };
  for (const [key, v] of Object.entries(json as Record<string, unknown>)) {
    if (METRIC_GROUPS.has(key)) flattenNumbers(v, key, metrics);
    else if (TRAINING_NUMBERS.has(key) && typeof v === "number") metrics[key] = v;
    else if (v !== undefined && v !== null) {
      if (typeof v === "object" && !Array.isArray(v)) {
        for (const [k, w] of Object.entries(v as Record<string, unknown>)) {
          if (w !== undefined && w !== null) config[`${key}.${k}`] = shownValue(w);
        }
      } else config[key] = shownValue(v);
    }
  }
  return { metrics, config };
}

async function kindOf(path: string): Promise<"file" | "dir" | undefined> {
  try {
    const info = await Deno.stat(path);
    return info.isDirectory ? "dir" : info.isFile ? "file" : undefined;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw new Error(
      `Cannot compare runs as ${JSON.stringify(path)} cannot be read: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

async function readJson(path: string): Promise<unknown> {
  const text = await Deno.readTextFile(path);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(
      `Cannot compare runs as ${JSON.stringify(path)} is not JSON: ${(error as Error).message}`,
    );
  }
}

const baseName = (path: string) => path.replace(/[\\/]+$/, "").split(/[\\/]/).pop() || path;

/**
 * Reads a run: a folder holding `history.jsonl` and/or `metrics.json` (and optionally
 * `model/metadata.json`), or a `history.jsonl` file itself.
 */
export async function loadRun(path: string): Promise<LoadedRun> {
  const kind = await kindOf(path);
  if (kind === undefined) {
    throw new Error(`Cannot compare runs as ${JSON.stringify(path)} does not exist`);
  }
  const dir = kind === "dir"
    ? path.replace(/[\\/]+$/, "")
    : path.replace(/[\\/][^\\/]*$/, "") || ".";
  const historyPath = kind === "dir" ? `${dir}/history.jsonl` : path;
  const hasHistory = kind === "file" || (await kindOf(historyPath)) === "file";
  const metricsPath = `${dir}/metrics.json`;
  const hasMetrics = kind === "dir" && (await kindOf(metricsPath)) === "file";
  if (!hasHistory && !hasMetrics) {
    throw new Error(
      `Cannot compare runs as the folder ${
        JSON.stringify(path)
      } holds neither history.jsonl nor metrics.json`,
    );
  }
  const history = hasHistory ? await readHistory(historyPath) : undefined;
  const { metrics, config } = hasMetrics ? splitMetricsJson(await readJson(metricsPath)) : {
    metrics: Object.create(null) as Record<string, number>,
    config: Object.create(null) as Record<string, string>,
  };
  const metadataPath = `${dir}/model/metadata.json`;
  if (kind === "dir" && (await kindOf(metadataPath)) === "file") {
    const meta = await readJson(metadataPath) as Record<string, unknown> | null;
    for (const key of ["distance", "normalisation", "embeddingSize", "inputShape", "seed"]) {
      const v = meta?.[key];
      if (v !== undefined && v !== null && !(key in config)) {
        config[key] = typeof v === "object" && v !== null && "name" in v
          ? String((v as { name: unknown }).name)
          : shownValue(v);
      }
    }
  }
  if (history) {
    for (const [key, v] of Object.entries(history.config)) {
      if (v !== undefined && v !== null) config[key] = shownValue(v);
    }
    const last = history.steps.at(-1);
    if (last !== undefined) {
      metrics["history.steps"] = last.step;
      if (Number.isFinite(last.loss)) metrics["history.lastLoss"] = last.loss;
    }
    const validation = history.validation.at(-1);
    if (validation !== undefined) {
      for (const [k, v] of Object.entries(validation.metrics)) metrics[`validation.${k}`] = v;
    }
    if (history.end !== null) {
      metrics["history.imagesPerSecond"] = history.end.imagesPerSecond;
      config["stop reason"] = history.end.stopReason;
    } else config["stop reason"] = "running, or stopped without an end record";
  }
  return {
    name: baseName(kind === "dir" ? path : dir),
    ...(hasHistory ? { historyPath } : {}),
    ...(history ? { history } : {}),
    metrics,
    config,
  };
}
