import type { IntervalValue } from "./open_set_plot.ts";
import { finite } from "./_spec.ts";

/**
 * Options of {@linkcode openSetTable}.
 *
 * @example
 * ```ts
 * import type { OpenSetTableOptions } from "./open_set_table.ts";
 * const options: OpenSetTableOptions = { metrics: { rank1: "rank-1" }, digits: 2 };
 * if (options.digits !== 2) throw new Error("digits");
 * ```
 */
export interface OpenSetTableOptions {
  /** Metric name → column title, in column order. Default: every metric of the first row. */
  readonly metrics?: Readonly<Record<string, string>>;
  /** Decimals of each number (default 3). */
  readonly digits?: number;
  /** Title of the first column (default "configuration"). */
  readonly first?: string;
}

/** One row of {@linkcode openSetTable}: intervals (over seeds) or single values (one run). */
export interface TableRow {
  /** The configuration's name. */
  readonly config: string;
  /** Metric name → mean and interval, or one number. */
  readonly metrics: Readonly<Record<string, IntervalValue | number>>;
}

/**
 * A markdown table of means ± 95 % half-widths: one row per configuration, one column per
 * metric, each cell `mean ± (high − low) / 2`, e.g. `0.712 ± 0.021` — or just the number,
 * for a metric given as one number (a single run).
 *
 * @param rows One per configuration (e.g. `protocols.openWorldStudy(...).summaries`).
 * @param options Columns, decimals, first column's title.
 * @returns The table (header, alignment row, one line per configuration).
 *
 * @example
 * ```ts
 * import { openSetTable } from "./open_set_table.ts";
 * const md = openSetTable([{ config: "triplet", metrics: { rank1: { mean: 0.7, low: 0.68, high: 0.72 } } }]);
 * if (md.split("\n")[2] !== "| triplet | 0.700 ± 0.020 |") throw new Error(md);
 * // one run: plain numbers
 * const one = openSetTable([{ config: "triplet", metrics: { rank1: 0.7 } }]);
 * if (one.split("\n")[2] !== "| triplet | 0.700 |") throw new Error(one);
 * ```
 */
export function openSetTable(
  rows: readonly TableRow[],
  options: OpenSetTableOptions = {},
): string {
  const what = "tabulate open-set results";
  if (!Array.isArray(rows) || rows.length === 0) {
    throw new RangeError(`Cannot ${what} as rows are empty: current value is ${rows}`);
  }
  const digits = options.digits ?? 3;
  if (!Number.isInteger(digits) || digits < 0 || digits > 12) {
    throw new RangeError(
      `Cannot ${what} as options.digits must be an integer in [0, 12]: current value is ${digits}`,
    );
  }
  const titles: Record<string, string> = options.metrics === undefined
    ? Object.fromEntries(Object.keys(rows[0]?.metrics ?? {}).map((m) => [m, m]))
    : { ...options.metrics };
  const metrics = Object.keys(titles);
  const cell = (v: IntervalValue | number | undefined, i: number, m: string) => {
    if (v === undefined) {
      throw new RangeError(
        `Cannot ${what} as rows[${i}] lacks metric "${m}": current metrics are ${
          Object.keys(rows[i].metrics ?? {}).join(", ")
        }`,
      );
    }
    if (typeof v === "number") return finite(what, `rows[${i}].metrics["${m}"]`, v).toFixed(digits);
    const mean = finite(what, `rows[${i}].metrics["${m}"].mean`, v.mean);
    const low = finite(what, `rows[${i}].metrics["${m}"].low`, v.low);
    const high = finite(what, `rows[${i}].metrics["${m}"].high`, v.high);
    return `${mean.toFixed(digits)} ± ${((high - low) / 2).toFixed(digits)}`;
  };
  const escape = (s: string) => s.replaceAll("|", "\\|");
  return [
    `| ${
      [options.first ?? "configuration", ...metrics.map((m) => titles[m])].map(escape).join(" | ")
    } |`,
    `|---|${metrics.map(() => "---:").join("|")}|`,
    ...rows.map((r, i) =>
      `| ${
        [escape(String(r.config)), ...metrics.map((m) => cell(r.metrics?.[m], i, m))].join(" | ")
      } |`
    ),
  ].join("\n");
}

/**
 * The open-world study's usual columns for one FAR: metric name (as
 * `protocols.studyMetrics` writes it) → column title. "seen thr. f": the threshold calibrated
 * on the seen classes at FAR f, applied to the unseen claims.
 *
 * @example
 * ```ts
 * import { openSetColumns } from "./open_set_table.ts";
 * const c = openSetColumns(0.01);
 * if (c["tar@0.01"] !== "TAR@FAR 0.01" || Object.keys(c).length !== 5) throw new Error("columns");
 * ```
 */
export function openSetColumns(far = 0.01): Record<string, string> {
  return {
    rank1: "rank-1",
    [`tar@${far}`]: `TAR@FAR ${far}`,
    auc: "AUC",
    [`impostorAccepted@${far}`]: `impostors accepted (seen thr. ${far})`,
    [`genuineAccepted@${far}`]: `genuine accepted (seen thr. ${far})`,
  };
}
