/** RGBA bytes to grey or RGB floats. Private to lib/data. */
import type { Rgba } from "./_image_decode.ts";

/** RGBA bytes → `channels` floats in [0, 1] per pixel (alpha dropped). */
export function toChannels(rgba: Rgba, channels: 1 | 3): Float32Array {
  const n = rgba.width * rgba.height;
  const src = rgba.data;
  const out = new Float32Array(n * channels);
  if (channels === 3) {
    for (let p = 0; p < n; p++) {
      out[p * 3] = src[p * 4] / 255;
      out[p * 3 + 1] = src[p * 4 + 1] / 255;
      out[p * 3 + 2] = src[p * 4 + 2] / 255;
    }
  } else {
    for (let p = 0; p < n; p++) {
      const r = src[p * 4], g = src[p * 4 + 1], b = src[p * 4 + 2];
      out[p] = r === g && g === b ? r / 255 : (0.299 * r + 0.587 * g + 0.114 * b) / 255;
    }
  }
  return out;
}
