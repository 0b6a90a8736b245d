/**
 * Writes a gzip bomb: a valid gzip file of `prefix` followed by `zeroMiB` MiB of zero bytes,
 * built without ever holding more than 1 MiB: each MiB of zeros is the same deflate block
 * (compressed after a full flush, so it refers to nothing before it), repeated, then an empty
 * final block and the gzip trailer (CRC-32 and size of the whole content, as gzip requires).
 * 2048 MiB of zeros take 2.1 MB.
 */
import { constants, crc32, deflateRawSync } from "node:zlib";

const FULL_FLUSH = { finishFlush: constants.Z_FULL_FLUSH };

export async function writeGzipBomb(
  path: string,
  prefix: Uint8Array,
  zeroMiB: number,
): Promise<number> {
  const zeros = new Uint8Array(2 ** 20);
  const block = deflateRawSync(zeros, FULL_FLUSH);
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  let written = 0;
  const write = async (bytes: Uint8Array) => {
    for (let at = 0; at < bytes.length;) at += await file.write(bytes.subarray(at));
    written += bytes.length;
  };
  try {
    // Gzip header: magic, deflate, no flags, no mtime, no extra flags, OS unknown.
    await write(Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]));
    await write(deflateRawSync(prefix, FULL_FLUSH));
    let crc = crc32(prefix);
    for (let i = 0; i < zeroMiB; i++) {
      await write(block);
      crc = crc32(zeros, crc);
    }
    await write(deflateRawSync(new Uint8Array(0))); // the final, empty block
    const trailer = new DataView(new ArrayBuffer(8));
    trailer.setUint32(0, crc >>> 0, true);
    trailer.setUint32(4, (prefix.length + zeroMiB * 2 ** 20) % 2 ** 32, true);
    await write(new Uint8Array(trailer.buffer));
  } finally {
    file.close();
  }
  return written;
}
