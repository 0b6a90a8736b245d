/** File-system helpers that turn missing permissions into clear errors. Private. */

/**
 * Whether `e` is Deno's error for a missing permission flag (--allow-read, --allow-env, …).
 * Not the operating system's "permission denied" (`Deno.errors.PermissionDenied`, EACCES),
 * for which the flags are no remedy.
 */
export function isMissingFlag(e: unknown): boolean {
  return e instanceof Deno.errors.NotCapable;
}

/** Whether `e` is the operating system's "permission denied" (EACCES / EPERM). */
export function isOsDenied(e: unknown): boolean {
  return e instanceof Deno.errors.PermissionDenied;
}

/** An environment variable, or undefined when unset or when --allow-env was not granted. */
export function envVar(name: string, notes?: string[]): string | undefined {
  try {
    return Deno.env.get(name);
  } catch (e) {
    if (!isMissingFlag(e) && !isOsDenied(e)) throw e;
    notes?.push(`could not read $${name} (run with --allow-env to use it)`);
    return undefined;
  }
}

/**
 * Whether `path` is an existing file. A missing --allow-read flag, or the operating system
 * denying access to its folder, counts as absent and adds a note saying which.
 */
export async function isFile(path: string, notes?: string[]): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (e) {
    if (isMissingFlag(e)) {
      notes?.push(`could not look into ${dirname(path)} (run with --allow-read)`);
      return false;
    }
    if (isOsDenied(e)) {
      notes?.push(`the operating system denied access to ${dirname(path)}`);
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
