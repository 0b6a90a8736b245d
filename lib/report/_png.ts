import { builtin } from "../_runtime.ts";

const table = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = table[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** Encodes 8-bit grayscale pixels (row-major, `width × height`) as PNG file bytes. */
export function encodeGrayPng(pixels: Uint8Array, width: number, height: number): Uint8Array {
  return encodePng(pixels, width, height, 1);
}

/**
 * Encodes 8-bit pixels (row-major, `width × height × channels`, channels interleaved) as PNG
 * file bytes: 1 channel is grayscale, 3 are RGB.
 */
export function encodePng(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: 1 | 3,
): Uint8Array {
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header[8] = 8; // bit depth
  header[9] = channels === 3 ? 2 : 0; // colour type: truecolour or grayscale
  const row = width * channels;
  const raw = new Uint8Array(height * (row + 1)); // filter byte 0 (none) per scanline
  for (let y = 0; y < height; y++) {
    raw.set(pixels.subarray(y * row, (y + 1) * row), y * (row + 1) + 1);
  }
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", new Uint8Array(builtin("node:zlib", "encode a PNG").deflateSync(raw))),
    chunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * A thumbnail of image `index` of `images` (row-major `[h, w]` or `[h, w, c]` images, values
 * in [0, 1]) as PNG file bytes, shrunk by whole blocks (averaged) so that its longer side is
 * at most `maxSide`: in colour when the images have 3 or more channels (channels 0, 1, 2 as
 * red, green, blue; alpha ignored), else grey (channels averaged). Non-finite values draw 0.
 */
export function thumbnailPng(
  images: Float32Array,
  shape: readonly number[],
  index: number,
  maxSide: number,
): Uint8Array {
  const [h, w] = shape;
  const c = shape[2] ?? 1;
  const colour = c >= 3;
  const out = colour ? 3 : 1;
  const stride = h * w * c;
  const f = Math.max(1, Math.ceil(Math.max(h, w) / maxSide));
  const th = Math.floor(h / f), tw = Math.floor(w / f);
  const pixels = new Uint8Array(th * tw * out);
  const base = index * stride;
  const sums = new Float64Array(out);
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      sums.fill(0);
      for (let dy = 0; dy < f; dy++) {
        for (let dx = 0; dx < f; dx++) {
          const p = base + ((y * f + dy) * w + (x * f + dx)) * c;
          for (let ch = 0; ch < (colour ? 3 : c); ch++) {
            const v = images[p + ch];
            sums[colour ? ch : 0] += Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0;
          }
        }
      }
      const n = f * f * (colour ? 1 : c);
      for (let k = 0; k < out; k++) {
        pixels[(y * tw + x) * out + k] = Math.round((255 * sums[k]) / n);
      }
    }
  }
  return encodePng(pixels, tw, th, out);
}
