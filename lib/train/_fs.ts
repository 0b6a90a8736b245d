/**
 * File-system helpers for lib/train: every write is atomic (temp file, then rename).
 *
 * @module
 */

let counter = 0;

/** A unique sibling temp path for `path` (same directory, so the rename is atomic). */
export function tempPathFor(path: string): string {
  return siblingPathFor(path, "tmp");
}

/** Writes `data` to `path` atomically: a temp file in the same directory, synced, renamed. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const temp = tempPathFor(path);
  try {
    const file = await Deno.open(temp, { write: true, create: true, truncate: true });
    try {
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
      await file.syncData();
    } finally {
      file.close();
    }
    await Deno.rename(temp, path);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
}

/** Whether `path` exists (any kind). */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** Joins path segments with "/" (POSIX and Windows both accept it in Deno). */
export function join(...parts: readonly string[]): string {
  return parts
    .filter((part) => part.length > 0)
    .map((
      part,
      i,
    ) => (i === 0 ? part.replace(/[\\/]+$/, "") : part.replace(/^[\\/]+|[\\/]+$/g, "")))
    .join("/");
}

/** SHA-256 of `bytes` as lowercase hex. */
export async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Reads and parses a JSON file; errors name the file. */
export async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(`Cannot load ${what} as ${path} does not exist`);
    }
    if (isPermissionError(error)) throw error;
    throw new Error(`Cannot load ${what} as ${path} cannot be read: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(
      `Cannot load ${what} as ${path} is not valid JSON: ${(error as Error).message}`,
    );
  }
}

/** Whether `error` is Deno's missing-permission error (NotCapable or PermissionDenied). */
export function isPermissionError(error: unknown): boolean {
  return error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied;
}

/** `path` without trailing separators ("/" stays "/"). */
export function stripTrailingSeparators(path: string): string {
  const stripped = path.replace(/[\\/]+$/, "");
  return stripped === "" && path !== "" ? "/" : stripped;
}

/** The parent folder and the last name of `path` (separators "/" or "\\"). */
export function splitPath(path: string): { parent: string; base: string } {
  const target = stripTrailingSeparators(path);
  const i = Math.max(target.lastIndexOf("/"), target.lastIndexOf("\\"));
  if (i < 0) return { parent: ".", base: target };
  return { parent: i === 0 ? target[0] : target.slice(0, i), base: target.slice(i + 1) };
}

/** What a sibling of a replaced folder is: see {@linkcode replaceDir}. */
export type LeftoverKind = "tmp" | "old" | "trash" | "legacy-old";

/** A sibling folder that an interrupted {@linkcode replaceDir} of `target` left behind. */
export interface Leftover {
  /** Its path. */
  readonly path: string;
  /** What it holds: see {@linkcode replaceDir}. */
  readonly kind: LeftoverKind;
  /** Creation time in ms and counter from its name, to order leftovers newest first. */
  readonly stamp: readonly [number, number];
}

/** A unique sibling path `<path>.<kind>-<pid>-<ms>-<n>` (same folder, so renames are atomic). */
export function siblingPathFor(path: string, kind: "tmp" | "old" | "trash"): string {
  counter += 1;
  return `${path}.${kind}-${Deno.pid}-${Date.now()}-${counter}`;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The sibling folders of `target` left by interrupted {@linkcode replaceDir} calls, newest
 * first. Only folders whose whole name is `<base>.tmp-<pid>-<ms>-<n>`, `<base>.old-…`,
 * `<base>.trash-…` (or, from likeness ≤ 0.x, `<base>.old.tmp-…`) count; anything else is not
 * ours and is never touched.
 */
export async function listLeftovers(target: string): Promise<Leftover[]> {
  const { parent, base } = splitPath(target);
  const ours = new RegExp(`^${escapeRegExp(base)}\\.(tmp|old|trash|old\\.tmp)-\\d+-(\\d+)-(\\d+)$`);
  const found: Leftover[] = [];
  try {
    for await (const entry of Deno.readDir(parent)) {
      const match = ours.exec(entry.name);
      if (!match || !entry.isDirectory) continue;
      const kind = match[1] === "old.tmp" ? "legacy-old" : match[1] as LeftoverKind;
      found.push({ path: join(parent, entry.name), kind, stamp: [+match[2], +match[3]] });
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return found.sort((a, b) => b.stamp[0] - a.stamp[0] || b.stamp[1] - a.stamp[1]);
}

/**
 * Removes a folder safely: first renames it (atomically) to `<target>.trash-…`, so that a
 * kill during the removal leaves a folder that is recognisably garbage, never a half-deleted
 * folder under a name that could be mistaken for a complete one.
 */
export async function discardDir(path: string, target: string): Promise<void> {
  const trash = siblingPathFor(target, "trash");
  await Deno.rename(path, trash);
  await Deno.remove(trash, { recursive: true });
}

/** fsync of a folder, so that renames in it survive a power cut; best effort (not Windows). */
export async function syncDir(path: string): Promise<void> {
  try {
    const dir = await Deno.open(path, { read: true });
    try {
      await dir.sync();
    } finally {
      dir.close();
    }
  } catch {
    // Not every platform opens folders; the renames are still atomic for processes.
  }
}

/** Options of {@linkcode recoverDir}. */
export interface RecoverDirOptions {
  /**
   * Remove `<base>.tmp-…` folders too. Only a writer should: a reader cannot tell a temp
   * folder of a killed writer from one that a live writer in another process is filling.
   */
  readonly removeTemps: boolean;
  /** When `target` is missing, wait up to this long (ms) for a live writer's rename first. */
  readonly waitMs?: number;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Repairs what interrupted {@linkcode replaceDir} calls of `target` left behind, so that
 * `target` holds a complete folder again whenever one survives:
 *
 * - `target` missing: the newest `<base>.old-…` is renamed back (the state between the two
 *   renames of a replace); failing that, the newest temp folder that `isComplete` accepts
 *   (a writer killed just before publishing); failing that, a complete legacy
 *   `<base>.old.tmp-…`.
 * - then, with `target` present, `.old-…` folders are discarded (their replace finished),
 *   `.trash-…` folders removed, and `.tmp-…` folders discarded when `removeTemps`.
 *
 * Every step is one rename or the removal of a `.trash-…` folder, so a kill during recovery
 * leaves a state that the next recovery handles the same way. Returns the path restored to
 * `target`, if any.
 */
export async function recoverDir(
  target: string,
  isComplete: (dir: string) => Promise<boolean>,
  options: RecoverDirOptions,
): Promise<string | undefined> {
  let leftovers = await listLeftovers(target);
  if (leftovers.length === 0) return undefined;
  let restored: string | undefined;
  if (!(await exists(target))) {
    const rank = { old: 0, tmp: 1, "legacy-old": 2, trash: 3 };
    const complete = async () => {
      const found = [];
      const sorted = leftovers.filter((l) => l.kind !== "trash")
        .sort((a, b) => rank[a.kind] - rank[b.kind]);
      for (const l of sorted) if (await isComplete(l.path)) found.push(l);
      return found;
    };
    let candidates = await complete();
    // A live writer in another process may be between its two renames: give it a moment.
    if (candidates.length > 0 && options.waitMs) {
      for (let waited = 0; waited < options.waitMs; waited += 10) {
        await delay(10);
        if (await exists(target)) break;
      }
      leftovers = await listLeftovers(target);
      candidates = await exists(target) ? [] : await complete();
    }
    if (!(await exists(target))) {
      for (const candidate of candidates) {
        try {
          await Deno.rename(candidate.path, target);
          restored = candidate.path;
          await syncDir(splitPath(target).parent);
        } catch (error) {
          // Another process restored or published it first.
          if (!(await exists(target))) throw error;
        }
        break;
      }
    }
  }
  for (const leftover of leftovers) {
    if (leftover.path === restored) continue;
    try {
      if (leftover.kind === "trash") {
        await Deno.remove(leftover.path, { recursive: true });
      } else if (leftover.kind === "old" && await exists(target)) {
        await discardDir(leftover.path, target);
      } else if (leftover.kind === "tmp" && options.removeTemps) {
        await discardDir(leftover.path, target);
      }
    } catch (error) {
      // Gone already: another process cleaned it.
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return restored;
}

/** What {@linkcode replaceDir} finds at the target, checked by the caller beforehand. */
export type ReplaceMode = "absent" | "empty" | "replace";

/**
 * Publishes the complete folder `temp` (a sibling from `tempPathFor(target)`) at `target`:
 *
 * - `"absent"`: one rename.
 * - `"empty"`: the empty folder is removed (non-recursively: it fails if something appeared in
 *   it), then one rename.
 * - `"replace"`: `target` → `<target>.old-…`, then `temp` → `target`, then the old folder is
 *   discarded. A kill between the two renames leaves `target` missing and a complete
 *   `.old-…`, which {@linkcode recoverDir} (run by the next writer and reader) renames back.
 *
 * So after a kill at any point, `target` holds the whole previous folder or the whole new one,
 * or is missing with one of them recoverable. `temp` must hold a marker written last that
 * `isComplete` checks, so a half-written temp folder is never restored.
 */
export async function replaceDir(temp: string, target: string, mode: ReplaceMode): Promise<void> {
  const { parent } = splitPath(target);
  await syncDir(temp);
  if (mode === "empty") await Deno.remove(target);
  if (mode !== "replace") {
    await Deno.rename(temp, target);
    await syncDir(parent);
    return;
  }
  const old = siblingPathFor(target, "old");
  await Deno.rename(target, old);
  try {
    await Deno.rename(temp, target);
  } catch (error) {
    if (!(await exists(target))) await Deno.rename(old, target).catch(() => {});
    throw error;
  }
  await syncDir(parent);
  await discardDir(old, target);
}

/** The `format` marker in a likeness model folder's metadata.json. */
export const MODEL_FORMAT = "likeness-model";

/** The only entries `saveModel` writes into a model folder (`head/` holds the first three's like). */
export const MODEL_DIR_ENTRIES: readonly string[] = [
  "metadata.json",
  "model.json",
  "weights.bin",
  "head",
];

/** Whether `path` is a regular file (not a link); false when it or a parent is missing. */
export async function isFileAt(path: string): Promise<boolean> {
  try {
    return (await Deno.lstat(path)).isFile;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
      return false;
    }
    throw error;
  }
}

/**
 * The parsed JSON file `dir/file` if it is a regular file holding an object whose `format` is
 * `format`; undefined when missing, unparsable or of another format.
 */
export async function readFormatMarker(
  dir: string,
  file: string,
  format: string,
): Promise<Record<string, unknown> | undefined> {
  const path = join(dir, file);
  if (!(await isFileAt(path))) return undefined;
  try {
    const json = JSON.parse(await Deno.readTextFile(path));
    return json && typeof json === "object" && json.format === format ? json : undefined;
  } catch (error) {
    // Unparsable, or removed since the check: not such a folder (now).
    if (error instanceof SyntaxError || error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/**
 * Whether `dir` is a complete likeness model folder as `saveModel` writes it: metadata.json
 * (written last) with the format marker, model.json and weights.bin, and head/'s two files
 * when the metadata says `hasHead`. Each file is written whole (temp + rename), so present
 * means complete.
 */
export async function isLikenessModelDir(dir: string): Promise<boolean> {
  const marker = await readFormatMarker(dir, "metadata.json", MODEL_FORMAT);
  if (!marker) return false;
  const files = ["model.json", "weights.bin"];
  if (marker.hasHead === true) files.push("head/model.json", "head/weights.bin");
  for (const file of files) if (!(await isFileAt(join(dir, file)))) return false;
  return true;
}
