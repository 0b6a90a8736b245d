/**
 * Thrown when data is not where it was looked for: a missing file, or no copy of a dataset
 * anywhere it is searched (and none could be downloaded). This is the only data error after
 * which falling back to other data (e.g. the bundled sample) is right; a file that exists but
 * cannot be read or decoded throws {@linkcode DataFileError} instead.
 *
 * @example
 * ```ts
 * import { DataNotFoundError } from "./errors.ts";
 * import { readIdx } from "./read_idx.ts";
 * let error: unknown;
 * try { await readIdx("/no/such/file.idx"); } catch (e) { error = e; }
 * if (!(error instanceof DataNotFoundError) || error.file !== "/no/such/file.idx") throw error;
 * ```
 */
export class DataNotFoundError extends Error {
  /** The missing file, when one file was looked for (undefined after a search). */
  readonly file: string | undefined;

  /**
   * Creates the error.
   *
   * @param message What was looked for and where.
   * @param file The missing file, if one.
   * @param options The cause.
   */
  constructor(message: string, file?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "DataNotFoundError";
    this.file = file;
  }
}

/**
 * Why a found data file cannot be used: `"permission"` (reading it was denied, by the
 * operating system or for lack of a Deno `--allow-read` flag), `"corrupt"` (its bytes are not
 * what they must be: bad gzip, bad IDX header, wrong length, trailing data, unexpected
 * shape, out-of-range values) or `"io"` (another error while reading, e.g. a folder where a
 * file is expected).
 *
 * @example
 * ```ts
 * import { DataFileError, type DataFileErrorReason } from "./errors.ts";
 * import { parseIdx } from "./parse_idx.ts";
 * import { readIdx } from "./read_idx.ts";
 * const reasonOf = async (f: () => unknown): Promise<DataFileErrorReason | undefined> => {
 *   try { await f(); } catch (e) { if (e instanceof DataFileError) return e.reason; }
 * };
 * // bytes that are not a whole IDX file are "corrupt"; a folder where a file should be is "io"
 * const corrupt = await reasonOf(() => parseIdx(Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 2, 7]), { name: "short.idx" }));
 * const dir = await Deno.makeTempDir();
 * const io = await reasonOf(() => readIdx(dir));
 * await Deno.remove(dir);
 * if (corrupt !== "corrupt" || io !== "io") throw new Error(`${corrupt} ${io}`);
 * ```
 */
export type DataFileErrorReason = "permission" | "corrupt" | "io";

/**
 * Thrown when a data file exists but cannot be used; the message and {@linkcode file} name
 * the file, {@linkcode reason} says why. Unlike {@linkcode DataNotFoundError}, this is never
 * a reason to fall back to other data silently: the data the user pointed at is broken.
 *
 * @example
 * ```ts
 * import { DataFileError } from "./errors.ts";
 * import { parseIdx } from "./parse_idx.ts";
 * let error: unknown;
 * try { parseIdx(Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 2, 7]), { name: "short.idx" }); } catch (e) { error = e; }
 * if (!(error instanceof DataFileError) || error.reason !== "corrupt" || error.file !== "short.idx") throw error;
 * ```
 */
export class DataFileError extends Error {
  /** The file (or the name of the data) that cannot be used. */
  readonly file: string;
  /** Why. */
  readonly reason: DataFileErrorReason;

  /**
   * Creates the error.
   *
   * @param message What is wrong, naming the file.
   * @param file The file.
   * @param reason Why it cannot be used.
   * @param options The cause.
   */
  constructor(message: string, file: string, reason: DataFileErrorReason, options?: ErrorOptions) {
    super(message, options);
    this.name = "DataFileError";
    this.file = file;
    this.reason = reason;
  }
}
