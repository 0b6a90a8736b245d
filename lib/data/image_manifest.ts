import { dirname } from "./_fs.ts";
import { checkClasses, checkImages, fsError, hasImageExtension } from "./_image_files.ts";
import { DataFileError } from "./errors.ts";
import {
  type ImageDataset,
  imageDataset,
  type ImageDatasetOptions,
  type ImageSourceOptions,
} from "./image_dataset.ts";

/**
 * Options of {@linkcode imageManifest}: those of an image dataset, and which split to keep.
 *
 * @example
 * ```ts
 * import type { ImageManifestOptions } from "./image_manifest.ts";
 * const options: ImageManifestOptions = { size: 64, split: "train" };
 * if (options.split !== "train") throw new Error("split");
 * ```
 */
export interface ImageManifestOptions extends ImageDatasetOptions, ImageSourceOptions {
  /** Keep only rows whose `split` column equals this (the manifest must have one). */
  readonly split?: string;
}

/**
 * A lazy {@linkcode ImageDataset} from a manifest file listing images and their classes:
 *
 * - CSV (`.csv`): a header row naming the columns `path` and `label` (and optionally
 *   `split`), then one row per image; fields may be quoted with `"` (`""` for a quote).
 * - JSON (`.json`): an array of `{ "path": …, "label": …, "split"?: … }` objects.
 *
 * `path`s are relative to the manifest's folder and must stay inside it (an absolute path or
 * one escaping with `..` throws {@linkcode DataFileError} naming the row). Labels are class
 * names (strings; JSON numbers are taken as their decimal text); class names are the distinct
 * labels of the kept rows in code-point order, or in numeric order when all are integers
 * (`"2"` before `"10"`). A path not ending in `.jpg`, `.jpeg` or `.png`,
 * a malformed row, an empty manifest or fewer than 2 classes throw, naming the manifest and
 * row. A missing manifest throws {@linkcode DataNotFoundError}.
 *
 * @param file The manifest (`.csv` or `.json`).
 * @param options Size, channels, cache limit and split.
 * @returns The dataset.
 *
 * @example
 * ```ts
 * import { imageManifest } from "./image_manifest.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/m.csv`, "path,label,split\nx/1.png,cat,train\ny/2.jpg,dog,train\nz.png,dog,test\n");
 * const d = await imageManifest(`${dir}/m.csv`, { size: 8, split: "train", check: "none" }); // the images need not exist yet
 * if (d.size !== 2 || d.classNames.join() !== "cat,dog" || d.files[1] !== `${dir}/y/2.jpg`) throw new Error(`${d.files}`);
 * await Deno.writeTextFile(`${dir}/evil.csv`, "path,label\n../etc/passwd.png,a\n");
 * let error: unknown;
 * try { await imageManifest(`${dir}/evil.csv`, { size: 8 }); } catch (e) { error = e; }
 * if (!(error instanceof Error) || !error.message.includes("../etc/passwd.png")) throw error;
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function imageManifest(
  file: string,
  options: ImageManifestOptions,
): Promise<ImageDataset> {
  if (typeof file !== "string" || file === "") {
    throw new TypeError(
      `Cannot load image manifest as file must be a non-empty string: current file is ${file}`,
    );
  }
  const doing = `load image manifest ${file}`;
  const bad = (what: string): never => {
    throw new DataFileError(`Cannot ${doing} as ${what}`, file, "corrupt");
  };
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (e) {
    throw fsError(e, file, doing);
  }
  const rows: { path: string; label: string; split?: string; where: string }[] = [];
  if (file.toLowerCase().endsWith(".json")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      bad(`it is not valid JSON: ${(e as Error).message}`);
    }
    if (!Array.isArray(parsed)) bad(`it must hold a JSON array of { path, label } objects`);
    (parsed as unknown[]).forEach((r, i) => {
      const o = r as Record<string, unknown>;
      const label = typeof o?.label === "number" && Number.isFinite(o.label)
        ? String(o.label)
        : o?.label;
      if (
        o === null || typeof o !== "object" || typeof o.path !== "string" ||
        typeof label !== "string" ||
        (o.split !== undefined && typeof o.split !== "string")
      ) {
        bad(
          `item ${i} must be { path: string, label: string, split?: string }: it is ${
            JSON.stringify(r)?.slice(0, 120)
          }`,
        );
      }
      rows.push({
        path: o.path as string,
        label: label as string,
        split: o.split as string | undefined,
        where: `item ${i}`,
      });
    });
  } else {
    const lines = parseCsv(text, bad);
    if (lines.length === 0) bad(`it is empty (a header row "path,label" is needed)`);
    const header = lines[0].map((h) => h.trim());
    const col = (name: string) => header.indexOf(name);
    if (col("path") < 0 || col("label") < 0) {
      bad(`its header row must name the columns path and label: it is ${lines[0].join(",")}`);
    }
    for (let i = 1; i < lines.length; i++) {
      const r = lines[i];
      if (r.length === 1 && r[0].trim() === "") continue;
      if (r.length !== header.length) {
        bad(`row ${i + 1} has ${r.length} fields, the header ${header.length}`);
      }
      rows.push({
        path: r[col("path")],
        label: r[col("label")],
        split: col("split") >= 0 ? r[col("split")] : undefined,
        where: `row ${i + 1}`,
      });
    }
  }
  if (options?.split !== undefined && rows.length > 0 && rows.every((r) => r.split === undefined)) {
    bad(`options.split is ${JSON.stringify(options.split)} but it has no split column`);
  }
  const kept = options?.split === undefined ? rows : rows.filter((r) => r.split === options.split);
  if (kept.length === 0) {
    bad(
      options?.split === undefined
        ? `it lists no images`
        : `it lists no images of split ${JSON.stringify(options.split)}`,
    );
  }
  const base = dirname(file);
  const files: string[] = [];
  for (const r of kept) {
    const parts = r.path.split(/[\\/]/);
    const depth = parts.reduce(
      (d, p) => (d < 0 ? d : p === ".." ? d - 1 : p === "." || p === "" ? d : d + 1),
      0,
    );
    if (r.path === "" || r.path.startsWith("/") || /^[a-zA-Z]:/.test(r.path) || depth < 0) {
      bad(
        `the path ${
          JSON.stringify(r.path)
        } of its ${r.where} resolves outside the manifest's folder ${base}`,
      );
    }
    if (!hasImageExtension(r.path)) {
      bad(
        `the path ${
          JSON.stringify(r.path)
        } of its ${r.where} is not a JPEG or PNG file (its name does not end in .jpg, .jpeg or .png)`,
      );
    }
    files.push(`${base}/${parts.filter((p) => p !== "" && p !== ".").join("/")}`);
  }
  const distinct = [...new Set(kept.map((r) => r.label))];
  const numeric = distinct.every((l) => /^-?\d{1,15}$/.test(l));
  const classNames = distinct.sort((a, b) =>
    numeric ? Number(a) - Number(b) : a < b ? -1 : a > b ? 1 : 0
  );
  const labelOf = new Map(classNames.map((n, i) => [n, i]));
  const labels = kept.map((r) => labelOf.get(r.label)!);
  checkClasses(doing, file, classNames, classNames.map(() => 1));
  const dataset = imageDataset({ files, labels, classNames }, options);
  await checkImages(dataset, options.check ?? "header");
  return dataset;
}

/** Rows of fields of a CSV text (RFC 4180 quoting; CRLF or LF). */
function parseCsv(text: string, bad: (what: string) => never): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === "") quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      if (ch === "\r" && text[i + 1] === "\n") i++;
    } else field += ch;
    i++;
  }
  if (quoted) bad(`a quoted field is not closed`);
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
