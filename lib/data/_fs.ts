/** File-system helpers that turn missing permissions into clear errors. Private. */

/** Whether `e` is Deno's missing-permission error. */
export function isPermissionError(e: unknown): boolean {
  return e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied;
}

/** An environment variable, or undefined when unset or when --allow-env was not granted. */
export function envVar(name: string, notes?: string[]): string | undefined {
  try {
    return Deno.env.get(name);
  } catch (e) {
    if (!isPermissionError(e)) throw e;
    notes?.push(`could not read $${name} (run with --allow-env to use it)`);
    return undefined;
  }
}

/**
 * Whether `path` is an existing file. Missing read permission counts as absent and adds a
 * note.
 */
export async function isFile(path: string, notes?: string[]): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (e) {
    if (isPermissionError(e)) {
      notes?.push(`could not look into ${dirname(path)} (run with --allow-read)`);
      return false;
    }
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return false;
    throw e;
  }
}

/** Path join with "/" (Deno accepts "/" on Windows too). */
export function join(...parts: string[]): string {
  return parts.filter((p) => p !== "").join("/").replace(/\/+/g, "/");
}

/** The folder part of a path. */
export function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? (i === 0 ? "/" : ".") : path.slice(0, i);
}

/** Writes `bytes` to `path` atomically: a temporary file beside it, then a rename. */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.${crypto.randomUUID()}.tmp`;
  try {
    await Deno.writeFile(tmp, bytes);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}
