import { type IdxArray, parseIdx, type ReadIdxOptions } from "./parse_idx.ts";
import { checkOptions } from "./_idx_header.ts";
import { collectIdx, fileChunks, readError } from "./_idx_stream.ts";
import { DataFileError } from "./errors.ts";

/** Default largest IDX file readIdx accepts (decompressed): 1 GiB. */
const DEFAULT_MAX_BYTES = 2 ** 30;

/**
 * Reads and decodes an IDX file (see {@linkcode parseIdx}), gzip-compressed or not: gzip is
 * recognised by its magic bytes, not the file name.
 *
 * The file is streamed: its header is decoded from the first bytes and checked (and checked
 * against `options`: `dtype`, `shape`, `maxBytes`, by default at most 1 GiB) before any data
 * is read or decompressed, then exactly the declared size is filled. Data past the declared
 * size (trailing bytes, or a gzip bomb that inflates beyond it) is an error as soon as it
 * appears, so memory stays bounded by the declared size plus one 4 MB chunk.
 *
 * Errors name the file: a missing file throws {@linkcode DataNotFoundError}; a file that
 * exists but cannot be used throws {@linkcode DataFileError} with a `reason`: `"permission"`
 * (Deno's `--allow-read` missing, or the operating system denied the read — the message says
 * which), `"corrupt"` (corrupt or truncated gzip, bad IDX header, wrong length, unexpected
 * type or dimensions, too large) or `"io"` (e.g. a folder where the file is expected).
 *
 * @param path The file, a path or a `file:` URL.
 * @param options What the file must hold (element type, dimensions, largest size).
 * @returns The decoded array.
 *
 * @example
 * ```ts
 * import { readIdx } from "./read_idx.ts";
 * const url = new URL("./sample/sample-labels-idx1-ubyte.gz", import.meta.url);
 * const labels = await readIdx(url, { dtype: "uint8", shape: [null] });
 * if (labels.shape[0] !== 1000) throw new Error("sample labels");
 * let message = "";
 * try { await readIdx(url, { shape: [null, 28, 28] }); } catch (e) { message = String(e); }
 * if (!message.includes("dimensions are [1000], expected [any,28,28]")) throw new Error(message);
 * ```
 */
export async function readIdx(path: string | URL, options: ReadIdxOptions = {}): Promise<IdxArray> {
  if (typeof path !== "string" && !(path instanceof URL)) {
    throw new TypeError(
      `Cannot read IDX file as path must be a string or a URL: current value is ${path}`,
    );
  }
  const name = path instanceof URL ? decodeURIComponent(path.pathname) : path;
  checkOptions(options, `read IDX file ${name}`);
  const limits = { ...options, maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES };
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (e) {
    throw readError(e, name);
  }
  try {
    let directory = false;
    try {
      directory = (await file.stat()).isDirectory;
    } catch {
      // No stat: the read below reports what is wrong.
    }
    if (directory) {
      throw new DataFileError(
        `Cannot read IDX file ${name}: it is a directory, not a file`,
        name,
        "io",
      );
    }
    return parseIdx(await collectIdx(fileChunks(file, name), name, limits), { name });
  } finally {
    file.close();
  }
}
