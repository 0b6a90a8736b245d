import { type IdxArray, parseIdx } from "./parse_idx.ts";
import { isPermissionError } from "./_fs.ts";
import { gunzipIfNeeded } from "./_gunzip.ts";

/**
 * Reads and decodes an IDX file (see {@linkcode parseIdx}), gzip-compressed or not: gzip is
 * recognised by its magic bytes, not the file name. Errors name the file and what is wrong
 * (missing, no read permission, corrupt or truncated gzip, bad IDX header or length).
 *
 * @param path The file, a path or a `file:` URL.
 * @returns The decoded array.
 *
 * @example
 * ```ts
 * import { readIdx } from "./read_idx.ts";
 * const labels = await readIdx(new URL("./sample/sample-labels-idx1-ubyte.gz", import.meta.url));
 * if (labels.dtype !== "uint8" || labels.shape[0] !== 1000) throw new Error("sample labels");
 * ```
 */
export async function readIdx(path: string | URL): Promise<IdxArray> {
  const name = path instanceof URL ? decodeURIComponent(path.pathname) : path;
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`Cannot read IDX file ${name}: file not found`, { cause: e });
    }
    if (isPermissionError(e)) {
      throw new Error(
        `Cannot read IDX file ${name}: read permission denied (run with --allow-read)`,
        {
          cause: e,
        },
      );
    }
    throw new Error(`Cannot read IDX file ${name}: ${(e as Error).message}`, { cause: e });
  }
  return parseIdx(gunzipIfNeeded(bytes, name), { name });
}
