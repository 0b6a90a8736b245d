import { writeAtomic } from "./_atomic.ts";
import { type IntervalRow, openSetPlot } from "./open_set_plot.ts";
import { openSetColumns, openSetTable } from "./open_set_table.ts";
import { writePlot } from "./write_plot.ts";

/** Options of {@linkcode writeOpenSet}. */
export interface WriteOpenSetOptions {
  /** Base name of the files (default `"open_world"`): `<name>.md`, `.svg`, `.png`. */
  readonly name?: string;
  /** Metric name → title, in order (default {@linkcode openSetColumns}`(0.01)`). */
  readonly metrics?: Readonly<Record<string, string>>;
  /** A line above the table (e.g. the budget, seeds and backend). */
  readonly header?: string;
  /** Also write this value as `<name>.json` (e.g. the study with its settings). */
  readonly json?: unknown;
  /** The figure's title (default {@linkcode openSetPlot}'s). */
  readonly title?: string;
}

/**
 * Writes the open-world comparison into `dir`: `<name>.md` (the header line and
 * {@linkcode openSetTable}), `<name>.svg` and `<name>.png` ({@linkcode openSetPlot}), and
 * `<name>.json` when `options.json` is given, each atomically. Returns the table.
 *
 * @example
 * ```ts
 * import { writeOpenSet } from "./open_set.ts";
 * const dir = await Deno.makeTempDir();
 * const rows = [{ config: "a", metrics: { rank1: { mean: 0.5, low: 0.4, high: 0.6 } } }];
 * const table = await writeOpenSet(dir, rows, { metrics: { rank1: "rank-1" }, header: "2 seeds" });
 * const md = await Deno.readTextFile(`${dir}/open_world.md`);
 * await Deno.stat(`${dir}/open_world.png`);
 * await Deno.remove(dir, { recursive: true });
 * if (md !== `2 seeds\n\n${table}\n` || !table.includes("0.500 ± 0.100")) throw new Error(md);
 * ```
 */
export async function writeOpenSet(
  dir: string,
  rows: readonly IntervalRow[],
  options: WriteOpenSetOptions = {},
): Promise<string> {
  const name = options.name ?? "open_world";
  if (typeof name !== "string" || !/^[\w.-]+$/.test(name)) {
    throw new RangeError(
      `Cannot write open-set results as options.name must be a plain file name: current value is ${name}`,
    );
  }
  const metrics = options.metrics ?? openSetColumns(0.01);
  const table = openSetTable(rows, { metrics });
  const spec = openSetPlot(rows, { metrics, ...(options.title ? { title: options.title } : {}) });
  const header = options.header === undefined ? "" : `${options.header}\n\n`;
  await writeAtomic(`${dir}/${name}.md`, `${header}${table}\n`);
  if (options.json !== undefined) {
    await writeAtomic(`${dir}/${name}.json`, JSON.stringify(options.json, null, 1) + "\n");
  }
  await writePlot(`${dir}/${name}.svg`, spec);
  await writePlot(`${dir}/${name}.png`, spec);
  return table;
}
