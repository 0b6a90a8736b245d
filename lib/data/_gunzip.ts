import { gunzipSync } from "node:zlib";

/** Decompresses gzip data (by magic bytes); other data is returned as is. Private helper. */
export function gunzipIfNeeded(bytes: Uint8Array, name: string): Uint8Array {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    const out = gunzipSync(bytes);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    throw new Error(
      `Cannot read IDX file ${name}: gzip data is corrupt or truncated (${(e as Error).message})`,
      { cause: e },
    );
  }
}
