import { builtin } from "../_runtime.ts";

/** Writes a file atomically: a temporary file in the same folder, then a rename. */
export async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const { basename, dirname } = builtin("node:path", `write ${path}`);
  const dir = dirname(path);
  await Deno.mkdir(dir, { recursive: true });
  const temp = await Deno.makeTempFile({ dir, prefix: `.${basename(path)}.`, suffix: ".tmp" });
  try {
    if (typeof data === "string") await Deno.writeTextFile(temp, data);
    else await Deno.writeFile(temp, data);
    // makeTempFile creates the file private (0600); a report is meant to be read by others.
    if (Deno.build.os !== "windows") await Deno.chmod(temp, 0o644);
    await Deno.rename(temp, path);
  } catch (e) {
    await Deno.remove(temp).catch(() => {});
    throw e;
  }
}
