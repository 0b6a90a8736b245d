import { createHash } from "node:crypto";
import { CHECKSUMS } from "./_checksums.ts";
import { gunzipIfNeeded } from "./_gunzip.ts";
import { isPermissionError, join, writeFileAtomic } from "./_fs.ts";

/**
 * Progress of one file's download.
 *
 * @example
 * ```ts
 * import type { DownloadProgress } from "./mod.ts";
 * const log: DownloadProgress[] = [];
 * const onProgress = (p: DownloadProgress) => log.push(p);
 * onProgress({ file: "t10k-labels-idx1-ubyte.gz", received: 5148, total: 5148, done: true });
 * if (!log[0].done) throw new Error("progress");
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

/** Thrown when the network cannot be reached (so the caller can list alternatives). */
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
      const why = isPermissionError(e)
        ? "network permission denied (run with --allow-net)"
        : (e as Error).message;
      throw new Unreachable(`could not fetch ${url}: ${why}`, { cause: e });
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new Unreachable(`could not fetch ${url}: HTTP ${response.status}`);
    }
    const bytes = await receive(response, file, settings.onProgress);
    verify(base, url, bytes);
    try {
      await Deno.mkdir(dir, { recursive: true });
      const path = join(dir, file);
      await writeFileAtomic(path, bytes);
      paths.push(path);
    } catch (e) {
      const why = isPermissionError(e)
        ? "write permission denied (run with --allow-write, or pass cacheDir)"
        : (e as Error).message;
      throw new Error(`Cannot save Fashion-MNIST file ${file} into ${dir}: ${why}`, { cause: e });
    }
  }
  return paths;
}

async function receive(
  response: Response,
  file: string,
  onProgress: (p: DownloadProgress) => void,
): Promise<Uint8Array> {
  const header = response.headers.get("content-length");
  const total = header === null ? undefined : Number(header);
  const chunks: Uint8Array[] = [];
  let received = 0;
  onProgress({ file, received, total, done: false });
  if (response.body !== null) {
    for await (const chunk of response.body) {
      chunks.push(chunk);
      received += chunk.length;
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

function verify(base: string, url: string, bytes: Uint8Array): void {
  const known = CHECKSUMS[base];
  const md5 = createHash("md5").update(bytes).digest("hex");
  if (md5 === known.gzMd5) return;
  let raw: Uint8Array;
  try {
    raw = gunzipIfNeeded(bytes, url);
  } catch (e) {
    throw new Error(`Cannot verify Fashion-MNIST download ${url}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  const sha = createHash("sha256").update(raw).digest("hex");
  if (sha === known.rawSha256) return;
  throw new Error(
    `Cannot use Fashion-MNIST download ${url}: checksum mismatch (MD5 ${md5}, expected ${known.gzMd5}; SHA-256 of the decompressed data ${sha}, expected ${known.rawSha256}); nothing was saved`,
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
