// Writes small JPEG/PNG test images with the library's own codecs (nothing is downloaded).
import { encode as encodeJpeg } from "@jsquash/jpeg";
import { encode as encodePng } from "@jsquash/png";

/** RGBA bytes of a `w × h` image whose pixels are `f(x, y) → [r, g, b, a]`. */
export function rgba(
  w: number,
  h: number,
  f: (x: number, y: number) => readonly number[],
): Uint8ClampedArray {
  const d = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) d.set(f(x, y), (y * w + x) * 4);
  }
  return d;
}

/** Encodes RGBA bytes as PNG or JPEG (quality 95). */
export async function encode(
  format: "png" | "jpeg",
  w: number,
  h: number,
  data: Uint8ClampedArray,
): Promise<Uint8Array> {
  const img = { data, width: w, height: h } as unknown as ImageData;
  return new Uint8Array(
    format === "png" ? await encodePng(img) : await encodeJpeg(img, { quality: 95 }),
  );
}
