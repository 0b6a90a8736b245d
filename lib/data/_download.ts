import { builtin } from "../_runtime.ts";
import { CHECKSUMS } from "./_checksums.ts";
import { isMissingFlag, isOsDenied, join, writeFileAtomic } from "./_fs.ts";
import { collectIdx, once } from "./_idx_stream.ts";
import { DataFileError } from "./errors.ts";

/**
 * Progress of one file's download.
 *
 * @example
 * ```ts
 * import type { DownloadProgress } from "./mod.ts";
 * import { download } from "./_download.ts";
 * // A server that sends 10 bytes in two chunks (not the real file: its checksum is refused).
 * const body = () => new Response(ReadableStream.from([new Uint8Array(6), new Uint8Array(4)]), { headers: { "content-length": "10" } });
 * const log: DownloadProgress[] = [];
 * const dir = await Deno.makeTempDir();
 * const settings = { baseUrl: "https://example.invalid/", fetch: () => Promise.resolve(body()), onProgress: (p: DownloadProgress) => log.push(p) };
 * const refused = await download(["t10k-labels-idx1-ubyte"], dir, settings).then(() => false, () => true);
 * const seen = log.map((p) => `${p.received}/${p.total}${p.done ? " done" : ""}`);
 * if (seen.join() !== "0/10,6/10,10/10,10/10 done" || log[0].file !== "t10k-labels-idx1-ubyte.gz") throw new Error(seen.join());
 * if (!refused || [...Deno.readDirSync(dir)].length !== 0) throw new Error("a refused download saves nothing");
 * await Deno.remove(dir);
 * ```
 */
export interface DownloadProgress {
  /** File name, e.g. "train-images-idx3-ubyte.gz". */
  readonly file: string;
  /** Bytes received so far. */
  readonly received: number;
  /** Total bytes, when the server says (Content-Length). */
  readonly total: number | undefined;
  /** True on the last call for this file. */
  readonly done: boolean;
}

/** How to download. */
export interface DownloadSettings {
  readonly baseUrl: string;
  readonly fetch: (url: string) => Promise<Response>;
  readonly onProgress: (p: DownloadProgress) => void;
}

/**
 * Thrown when the data cannot be obtained for reasons of the environment: the network
 * cannot be reached, a permission flag is missing, the cache folder is not writable (so the
 * caller can list alternatives: it is "not found", not "corrupt").
 */
export class Unreachable extends Error {}

/**
 * Downloads `base + ".gz"` for each base name into `dir`, verifying checksums before an
 * atomic write. Returns the written paths.
 */
export async function download(
  bases: readonly string[],
  dir: string,
  settings: DownloadSettings,
): Promise<string[]> {
  const paths: string[] = [];
  for (const base of bases) {
    const file = `${base}.gz`;
    const url =
      new URL(file, settings.baseUrl.endsWith("/") ? settings.baseUrl : settings.baseUrl + "/")
        .href;
    let response: Response;
    try {
      response = await settings.fetch(url);
    } catch (e) {
      const why = isMissingFlag(e)
        ? "network permission denied (run with --allow-net)"
        : (e as Error).message;
      throw new Unreachable(`could not fetch ${url}: ${why}`, { cause: e });
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new Unreachable(`could not fetch ${url}: HTTP ${response.status}`);
    }
    const bytes = await receive(response, file, settings.onProgress, maxDownload(base));
    await verify(base, url, bytes);
    try {
      await Deno.mkdir(dir, { recursive: true });
      const path = join(dir, file);
      await writeFileAtomic(path, bytes);
      paths.push(path);
    } catch (e) {
      if (isMissingFlag(e)) {
        throw new Unreachable(
          `could not save ${file} into ${dir}: write permission denied (run with --allow-write, or pass cacheDir)`,
          { cause: e },
        );
      }
      if (isOsDenied(e)) {
        throw new Unreachable(
          `could not save ${file} into ${dir}: the operating system denied writing there (${
            (e as Error).message
          }); pass another cacheDir`,
          { cause: e },
        );
      }
      throw new Error(
        `Cannot save Fashion-MNIST file ${file} into ${dir}: ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
  }
  return paths;
}

/** The most bytes a download of `base` may be: its decompressed size plus 1 MiB. */
function maxDownload(base: string): number {
  return CHECKSUMS[base].rawBytes + 2 ** 20;
}

async function receive(
  response: Response,
  file: string,
  onProgress: (p: DownloadProgress) => void,
  max: number,
): Promise<Uint8Array> {
  const header = response.headers.get("content-length");
  const total = header === null ? undefined : Number(header);
  const chunks: Uint8Array[] = [];
  let received = 0;
  onProgress({ file, received, total, done: false });
  if (total !== undefined && total > max) {
    await response.body?.cancel();
    throw new DataFileError(
      `Cannot download Fashion-MNIST file ${file}: Content-Length is ${total} bytes, more than the ${max} it can be`,
      file,
      "corrupt",
    );
  }
  if (response.body !== null) {
    for await (const chunk of response.body) {
      chunks.push(chunk);
      received += chunk.length;
      if (received > max) {
        // Leaving the loop cancels the body.
        throw new DataFileError(
          `Cannot download Fashion-MNIST file ${file}: more than the ${max} bytes it can be; stopped`,
          file,
          "corrupt",
        );
      }
      onProgress({ file, received, total, done: false });
    }
  }
  const bytes = new Uint8Array(received);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  onProgress({ file, received, total, done: true });
  if (total !== undefined && received !== total) {
    throw new Error(
      `Cannot download Fashion-MNIST file ${file}: received ${received} bytes, Content-Length said ${total}`,
    );
  }
  return bytes;
}

async function verify(base: string, url: string, bytes: Uint8Array): Promise<void> {
  const known = CHECKSUMS[base];
  const md5 = builtin("node:crypto", "check a download").createHash("md5").update(bytes).digest(
    "hex",
  );
  if (md5 === known.gzMd5) return;
  let raw: Uint8Array;
  try {
    // Bounded: a (recompressed) mirror's data inflates to the known size, or is refused.
    raw = await collectIdx(once(bytes), url, { maxBytes: known.rawBytes });
  } catch (e) {
    throw new DataFileError(
      `Cannot verify Fashion-MNIST download ${url}: ${(e as Error).message}; nothing was saved`,
      url,
      "corrupt",
      { cause: e },
    );
  }
  const sha = builtin("node:crypto", "check a download").createHash("sha256").update(raw).digest(
    "hex",
  );
  if (sha === known.rawSha256) return;
  throw new DataFileError(
    `Cannot use Fashion-MNIST download ${url}: checksum mismatch (MD5 ${md5}, expected ${known.gzMd5}; SHA-256 of the decompressed data ${sha}, expected ${known.rawSha256}); nothing was saved`,
    url,
    "corrupt",
  );
}

/** Default progress: one updating line on a terminal, else a line per finished file. */
export function stderrProgress(p: DownloadProgress): void {
  const mb = (n: number) => (n / 1e6).toFixed(1);
  const text = `fashion-mnist: ${p.file} ${mb(p.received)}${
    p.total === undefined ? "" : ` / ${mb(p.total)}`
  } MB`;
  const encoder = new TextEncoder();
  try {
    if (Deno.stderr.isTerminal()) {
      Deno.stderr.writeSync(encoder.encode(`\r${text}${p.done ? "\n" : ""}`));
    } else if (p.done) Deno.stderr.writeSync(encoder.encode(`${text} done\n`));
  } catch {
    // Progress is best effort.
  }
}
