/**
 * Streaming, bounded reading of IDX files, gzipped or not. Private.
 *
 * The header is decoded from the first bytes, checked (and checked against what the caller
 * expects) before anything else is read or decompressed; then exactly the declared size is
 * allocated and filled. Decompression runs in small input chunks (4 KiB, i.e. at most
 * ~4.2 MB of output each, deflate's ratio being at most ~1032), so a gzip bomb costs at most
 * the declared size plus one chunk: extra data is an error as soon as it appears.
 */
import { DataFileError, DataNotFoundError } from "./errors.ts";
import { checkExpected, corrupt, idxHeader } from "./_idx_header.ts";
import type { ReadIdxOptions } from "./parse_idx.ts";

/** Compressed bytes fed to the inflater per call. */
const GZIP_INPUT_CHUNK = 4 * 1024;
/** Bytes read from a file per call. */
const FILE_CHUNK = 64 * 1024;

/**
 * Reads a whole IDX file from `source` (gzip recognised by its magic bytes) and returns its
 * decompressed bytes, header included, with the header and the length validated. Errors are
 * {@linkcode DataFileError}s naming `name`.
 */
export async function collectIdx(
  source: AsyncIterable<Uint8Array>,
  name: string,
  options: ReadIdxOptions,
): Promise<Uint8Array> {
  const it = source[Symbol.asyncIterator]();
  try {
    // Sniff the first two bytes for the gzip magic.
    const head: Uint8Array[] = [];
    let length = 0;
    let ended = false;
    while (length < 2) {
      const r = await it.next();
      if (r.done) {
        ended = true;
        break;
      }
      head.push(r.value);
      length += r.value.length;
    }
    const first = concat(head, length);
    const rest = ended ? empty() : remaining(it);
    const bytes = prepend(first, rest);
    const gzip = first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b;
    const data = gzip ? gunzip(rechunk(bytes, GZIP_INPUT_CHUNK), name) : bytes;
    return await fill(data, name, options, gzip);
  } finally {
    await it.return?.();
  }
}

/** Reads an open file in chunks; read errors become data errors naming the file. */
export async function* fileChunks(file: Deno.FsFile, name: string): AsyncGenerator<Uint8Array> {
  for (;;) {
    const buffer = new Uint8Array(FILE_CHUNK);
    let n: number | null;
    try {
      n = await file.read(buffer);
    } catch (e) {
      throw readError(e, name);
    }
    if (n === null) return;
    if (n > 0) yield buffer.subarray(0, n);
  }
}

/** One chunk. */
export async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/**
 * The error for a failed open or read of `name`: not found, denied by Deno's permissions
 * (a missing --allow-read), denied by the operating system, a folder, or other.
 */
export function readError(e: unknown, name: string): Error {
  if (e instanceof DataFileError || e instanceof DataNotFoundError) return e;
  const message = (e as Error)?.message ?? String(e);
  if (e instanceof Deno.errors.NotFound) {
    return new DataNotFoundError(`Cannot read IDX file ${name}: file not found`, name, {
      cause: e,
    });
  }
  if (e instanceof Deno.errors.NotCapable) {
    return new DataFileError(
      `Cannot read IDX file ${name}: Deno's read permission is missing (run with --allow-read)`,
      name,
      "permission",
      { cause: e },
    );
  }
  if (e instanceof Deno.errors.PermissionDenied) {
    return new DataFileError(
      `Cannot read IDX file ${name}: the operating system denied reading it (${message}); check the permissions of the file and its folders`,
      name,
      "permission",
      { cause: e },
    );
  }
  if (e instanceof Deno.errors.IsADirectory) {
    return new DataFileError(
      `Cannot read IDX file ${name}: it is a directory, not a file`,
      name,
      "io",
      { cause: e },
    );
  }
  return new DataFileError(`Cannot read IDX file ${name}: ${message}`, name, "io", { cause: e });
}

/** Fills exactly the size the header declares; errors on short or long data. */
async function fill(
  data: AsyncIterable<Uint8Array>,
  name: string,
  options: ReadIdxOptions,
  gzip: boolean,
): Promise<Uint8Array> {
  let pending: Uint8Array = new Uint8Array(0);
  let out: Uint8Array | undefined;
  let at = 0;
  let described = "";
  const put = (chunk: Uint8Array) => {
    if (at + chunk.length > out!.length) {
      corrupt(
        name,
        gzip
          ? `gzip data decompresses to more than the ${
            out!.length
          } bytes that ${described} need (trailing bytes, corrupt data or a gzip bomb): stopped decompressing there`
          : `file has trailing bytes: it continues past the ${
            out!.length
          } bytes that ${described} need`,
      );
    }
    out!.set(chunk, at);
    at += chunk.length;
  };
  for await (const chunk of data) {
    if (out !== undefined) {
      put(chunk);
      continue;
    }
    pending = concat([pending, chunk], pending.length + chunk.length);
    const header = idxHeader(pending, name, false);
    if (header === undefined) continue;
    checkExpected(header, options, name);
    described = `dimensions [${header.shape}] of ${header.dtype}`;
    out = allocate(header.totalBytes, name, described);
    const held = pending;
    pending = new Uint8Array(0);
    put(held);
  }
  if (out === undefined) {
    idxHeader(pending, name, true); // throws: the header is incomplete
    throw new Error("unreachable");
  }
  if (at < out.length) {
    corrupt(
      name,
      `file is truncated: ${described} need ${out.length} bytes, current length is ${at}`,
    );
  }
  return out;
}

function allocate(size: number, name: string, described: string): Uint8Array {
  try {
    if (!Number.isSafeInteger(size)) throw new RangeError("too large");
    return new Uint8Array(size);
  } catch (e) {
    throw new DataFileError(
      `Cannot read IDX file ${name}: ${described} need ${size} bytes, more than can be allocated (${
        (e as Error).message
      })`,
      name,
      "corrupt",
      { cause: e },
    );
  }
}

/** Inflates gzip data chunk by chunk; decompression errors name the file. */
async function* gunzip(
  source: AsyncIterable<Uint8Array>,
  name: string,
): AsyncGenerator<Uint8Array> {
  const inflate = new DecompressionStream("gzip") as unknown as ReadableWritablePair<
    Uint8Array,
    Uint8Array
  >;
  const reader = ReadableStream.from(source).pipeThrough(inflate).getReader();
  try {
    for (;;) {
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await reader.read();
      } catch (e) {
        if (e instanceof DataFileError || e instanceof DataNotFoundError) throw e;
        const message = (e as Error)?.message ?? String(e);
        const why = /write whole buffer/.test(message)
          ? "bytes follow the end of the gzip stream (trailing garbage, or a second gzip member, which is not supported)"
          : message;
        throw new DataFileError(
          `Cannot read IDX file ${name}: gzip data is corrupt or truncated (${why})`,
          name,
          "corrupt",
          { cause: e },
        );
      }
      if (r.done) return;
      yield r.value;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** Cuts chunks longer than `size` into views of at most `size` bytes (no copy). */
async function* rechunk(
  source: AsyncIterable<Uint8Array>,
  size: number,
): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    for (let i = 0; i < chunk.length; i += size) yield chunk.subarray(i, i + size);
  }
}

async function* prepend(
  first: Uint8Array,
  rest: AsyncIterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  if (first.length > 0) yield first;
  yield* rest;
}

/** The rest of an iterator, without closing it when abandoned (the owner closes it). */
async function* remaining(it: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  for (;;) {
    const r = await it.next();
    if (r.done) return;
    yield r.value;
  }
}

async function* empty(): AsyncGenerator<Uint8Array> {}

function concat(parts: readonly Uint8Array[], length: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
