import type { ImageSource } from "./types.ts";
import { encodePng } from "./_png.ts";

/** Escapes text for XML and HTML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  )
    .replace(/'/g, "&#39;");
}

/** Base64 of bytes (chunked, so large PNGs do not overflow the argument list). */
export function base64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

/** Checks an image source and returns height and width of one image. */
export function imageSize(
  what: string,
  source: ImageSource,
): { h: number; w: number; stride: number } {
  const { images, shape, size } = source;
  if (!(images instanceof Float32Array)) {
    throw new TypeError(
      `Cannot draw ${what} as images must be a Float32Array: current value is ${
        Object.prototype.toString.call(images)
      }`,
    );
  }
  if (shape.length < 2 || shape.length > 3 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new RangeError(
      `Cannot draw ${what} as shape must be [h, w] or [h, w, c] of positive integers: current shape is [${
        shape.join(", ")
      }]`,
    );
  }
  const stride = shape.reduce((a, b) => a * b, 1);
  if (!Number.isInteger(size) || size < 0 || images.length !== size * stride) {
    throw new RangeError(
      `Cannot draw ${what} as images must hold size × ${stride} values (size ${size}): current length is ${images.length}`,
    );
  }
  return { h: shape[0], w: shape[1], stride };
}

/**
 * Image `index` of the source as a PNG data URI, enlarged `scale` times by pixel repetition so
 * that viewers which smooth scaled images still show crisp pixels. Images with 3 or more
 * channels are drawn in colour (channels 0, 1, 2 as red, green, blue; a fourth, alpha, is
 * ignored); others in grey from channel 0.
 */
export function imageDataUri(what: string, source: ImageSource, index: number, scale = 1): string {
  const { h, w, stride } = imageSize(what, source);
  if (!Number.isInteger(index) || index < 0 || index >= source.size) {
    throw new RangeError(
      `Cannot draw ${what} as image index must be in [0, ${source.size}): current index is ${index}`,
    );
  }
  const channels = source.shape[2] ?? 1;
  const drawn = channels >= 3 ? 3 : 1;
  const pixels = new Uint8Array(h * w * scale * scale * drawn);
  for (let y = 0; y < h * scale; y++) {
    for (let x = 0; x < w * scale; x++) {
      const from = index * stride + (Math.floor(y / scale) * w + Math.floor(x / scale)) * channels;
      const to = (y * w * scale + x) * drawn;
      for (let c = 0; c < drawn; c++) {
        const v = source.images[from + c];
        pixels[to + c] = Math.round(255 * Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)));
      }
    }
  }
  return `data:image/png;base64,${base64(encodePng(pixels, w * scale, h * scale, drawn))}`;
}

/** The class name of image `index`, when the source has labels. */
export function classOf(source: ImageSource, index: number): string | undefined {
  if (source.labels === undefined) return undefined;
  const label = source.labels[index];
  return source.classNames?.[label] ?? String(label);
}

/** An `<image>` element showing one image, scaled with hard pixel edges. */
export function imageElement(uri: string, x: number, y: number, w: number, h: number): string {
  return `<image x="${x}" y="${y}" width="${w}" height="${h}" preserveAspectRatio="none" image-rendering="optimizeSpeed" style="image-rendering:pixelated" href="${uri}" xlink:href="${uri}"/>`;
}

/** An SVG text element. */
export function textElement(text: string, x: number, y: number, attrs = ""): string {
  return `<text x="${x}" y="${y}" ${attrs}>${escapeXml(text)}</text>`;
}

/** Formats a distance or score compactly. */
export function formatNumber(v: number): string {
  return Math.abs(v) >= 100 || v === 0 ? v.toFixed(0) : v.toPrecision(3);
}

export const svgOpen = (width: number, height: number) =>
  `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Verdana, sans-serif" font-size="11">` +
  `<rect width="${width}" height="${height}" fill="white"/>`;

export const good = "#2e7d32";
export const bad = "#c62828";
