/**
 * File-system helpers for lib/train: every write is atomic (temp file, then rename).
 *
 * @module
 */

let counter = 0;

/** A unique sibling temp path for `path` (same directory, so the rename is atomic). */
export function tempPathFor(path: string): string {
  counter += 1;
  return `${path}.tmp-${Deno.pid}-${Date.now()}-${counter}`;
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
    throw error;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(
      `Cannot load ${what} as ${path} is not valid JSON: ${(error as Error).message}`,
    );
  }
}
