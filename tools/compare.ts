#!/usr/bin/env -S deno run --allow-read --allow-write
/**
 * Compares training runs in one HTML page: loss and validation curves over steps, a final
 * metrics table and the configuration diff.
 *
 *     deno run --allow-read --allow-write tools/compare.ts runs/* --out compare.html
 *
 * Each argument is a run folder (holding `history.jsonl` and/or `metrics.json`, as the
 * examples write them) or a `history.jsonl` file. Arguments that are neither (the page of
 * an earlier comparison caught by `runs/*`, say) are skipped with a note on stderr.
 * Options: `--out <file>` (default `compare.html`), `--title <text>`, `--live <seconds>`
 * (how often the page re-reads the histories when served over HTTP; 0: never; default 5).
 * Serve the folder holding the page and the runs (any static file server) to watch runs
 * that are still training.
 *
 * @module
 */
import { compare } from "../lib/report/compare.ts";

const USAGE =
  "usage: deno run --allow-read --allow-write tools/compare.ts <run folder | history.jsonl>... [--out compare.html] [--title text] [--live seconds]";

// Parses the command line; throws an Error naming a bad argument.
function parseCompareArgs(
  args: readonly string[],
): { runs: string[]; out: string; title?: string; live?: number } | "help" {
  const runs: string[] = [];
  let out = "compare.html", title: string | undefined, live: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (name: string) => {
      const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : args[++i];
      if (v === undefined || v === "") throw new Error(`${name} needs a value\n${USAGE}`);
      return v;
    };
    if (a === "--help" || a === "-h") return "help";
    else if (a === "--out" || a.startsWith("--out=")) out = value("--out");
    else if (a === "--title" || a.startsWith("--title=")) title = value("--title");
    else if (a === "--live" || a.startsWith("--live=")) {
      const v = value("--live");
      live = Number(v);
      if (!Number.isFinite(live) || live < 0) {
        throw new Error(
          `--live must be a number of seconds ≥ 0: current value is ${JSON.stringify(v)}`,
        );
      }
    } else if (a.startsWith("-")) throw new Error(`unknown option ${JSON.stringify(a)}\n${USAGE}`);
    else runs.push(a);
  }
  return { runs, out, title, live };
}

async function isRun(path: string): Promise<boolean> {
  const info = await Deno.stat(path).catch(() => undefined);
  if (info === undefined) return false;
  if (info.isFile) return path.endsWith(".jsonl");
  if (!info.isDirectory) return false;
  for (const name of ["history.jsonl", "metrics.json"]) {
    if ((await Deno.stat(`${path}/${name}`).catch(() => undefined))?.isFile) return true;
  }
  return false;
}

if (import.meta.main) {
  try {
    const parsed = parseCompareArgs(Deno.args);
    if (parsed === "help") {
      console.log(USAGE);
    } else {
      const runs: string[] = [];
      for (const path of parsed.runs) {
        if (await isRun(path)) runs.push(path);
        else console.error(`compare: skipping ${path} (not a run folder or history.jsonl)`);
      }
      if (runs.length === 0) {
        throw new Error(
          `no run to compare among ${
            JSON.stringify(parsed.runs)
          }: give run folders (with history.jsonl or metrics.json) or history.jsonl files\n${USAGE}`,
        );
      }
      const written = await compare(runs, parsed.out, {
        ...(parsed.title === undefined ? {} : { title: parsed.title }),
        ...(parsed.live === undefined ? {} : { live: parsed.live }),
      });
      console.log(`compare: ${runs.length} runs → ${written}`);
    }
  } catch (error) {
    console.error(`compare: ${(error as Error).message}`);
    Deno.exit(1);
  }
}
