/** Decoding of JPEG and PNG bytes (wasm codecs from @jsquash). Private to lib/data. */
import { isMissingFlag, isOsDenied } from "./_fs.ts";
import { DataFileError } from "./errors.ts";

/** Decoded pixels: `height × width × 4` bytes, RGBA, row-major. */
export interface Rgba {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array | Uint8ClampedArray;
}

/** The format of `bytes` by its magic number, or undefined when neither JPEG nor PNG. */
export function sniffFormat(bytes: Uint8Array): "jpeg" | "png" | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return "jpeg";
  }
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= 8 && png.every((b, i) => bytes[i] === b)) return "png";
  return undefined;
}

/** The most pixels an image may declare (50 megapixels: 200 MB as RGBA). */
export const MAX_PIXELS = 50_000_000;

/**
 * The `[width, height]` a PNG (IHDR) or JPEG (first SOF marker) header declares, or undefined
 * when it cannot be found in the bytes.
 */
export function declaredSize(
  bytes: Uint8Array,
  format: "jpeg" | "png",
): [number, number] | undefined {
  const u16 = (i: number) => (bytes[i] << 8) | bytes[i + 1];
  const u32 = (i: number) => ((bytes[i] << 24) >>> 0) + (bytes[i + 1] << 16) + u16(i + 2);
  if (format === "png") return bytes.length >= 24 ? [u32(16), u32(20)] : undefined;
  let i = 2;
  while (i + 9 < bytes.length) {
    if (bytes[i] !== 0xff) return undefined;
    const marker = bytes[i + 1];
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return [u16(i + 7), u16(i + 5)];
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2;
      continue;
    }
    i += 2 + u16(i + 2);
  }
  return undefined;
}

/**
 * The format of `bytes` (the start of a file, at least its header), or a DataFileError naming
 * `file` when it is neither JPEG nor PNG or declares more than {@linkcode MAX_PIXELS} pixels.
 */
export function checkHeader(bytes: Uint8Array, file: string): "jpeg" | "png" {
  const format = sniffFormat(bytes);
  if (format === undefined) {
    throw new DataFileError(
      `Cannot decode image ${file} as it is neither a JPEG nor a PNG file: its first bytes are ${
        [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join(" ") ||
        "(empty file)"
      }`,
      file,
      "corrupt",
    );
  }
  const declared = declaredSize(bytes, format);
  if (declared && declared[0] * declared[1] > MAX_PIXELS) {
    throw new DataFileError(
      `Cannot decode image ${file} as its ${format.toUpperCase()} header declares ${
        declared[0]
      } × ${declared[1]} pixels, more than the ${
        MAX_PIXELS.toLocaleString("en")
      } allowed (a decompression bomb, or an image to shrink first)`,
      file,
      "corrupt",
    );
  }
  return format;
}

/**
 * Decodes JPEG or PNG bytes to RGBA (grey and RGB images come back with R = G = B or A = 255).
 * Anything else, or bytes the codec rejects, throws a DataFileError "corrupt" naming `file`.
 */
export async function decodeImage(bytes: Uint8Array, file: string): Promise<Rgba> {
  const format = checkHeader(bytes, file);
  let out: Rgba | undefined;
  try {
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    // loaded on first use, so importing likeness loads no codec
    out = (format === "jpeg"
      ? await (await import("@jsquash/jpeg")).decode(buffer as ArrayBuffer)
      : await (await import("@jsquash/png")).decode(buffer as ArrayBuffer)) as unknown as Rgba;
  } catch (e) {
    // the codec's wasm file is read on first use: without permission that fails, and the
    // image is not to blame
    if (isMissingFlag(e) || isOsDenied(e)) {
      throw new DataFileError(
        `Cannot decode image ${file} as the ${format.toUpperCase()} codec (wasm) could not be loaded: ${
          (e as Error)?.message ?? e
        } (run with --allow-read, or an --allow-read that includes the codec's folder)`,
        file,
        "permission",
        { cause: e },
      );
    }
    throw new DataFileError(
      `Cannot decode image ${file} as its ${format.toUpperCase()} data is corrupt: ${
        (e as Error)?.message ?? e
      }`,
      file,
      "corrupt",
      { cause: e },
    );
  }
  if (
    !out || !(out.width >= 1) || !(out.height >= 1) ||
    out.data.length !== out.width * out.height * 4
  ) {
    throw new DataFileError(
      `Cannot decode image ${file} as its ${format.toUpperCase()} data is corrupt: the decoder gave no pixels`,
      file,
      "corrupt",
    );
  }
  return out;
}
