/**
 * Resizes an image of shape `[h, w, c]` (row-major float32, channels last) to `[height, width,
 * c]`, separably along each axis: where an axis shrinks, each output pixel is the area-weighted
 * mean of the input pixels its footprint covers ("area" interpolation, which anti-aliases);
 * where an axis grows (or keeps its size), bilinear interpolation between pixel centres
 * (half-pixel convention, edges clamped). Same size gives the input back unchanged (copied).
 *
 * @param pixels `h × w × c` values.
 * @param shape `[h, w, c]`, positive integers.
 * @param size `[height, width]` of the result, positive integers.
 * @returns A new Float32Array of `height × width × c` values.
 *
 * @example
 * ```ts
 * import { resizeImage } from "./resize_image.ts";
 * // a 2 × 2 grey image shrinks to its mean; a 1 × 2 row grows by bilinear interpolation
 * const mean = resizeImage(Float32Array.from([0, 1, 1, 0]), [2, 2, 1], [1, 1]);
 * if (mean[0] !== 0.5) throw new Error(`${mean}`);
 * const row = resizeImage(Float32Array.from([0, 1]), [1, 2, 1], [1, 4]);
 * if (row.join() !== "0,0.25,0.75,1") throw new Error(`${row}`);
 * ```
 */
export function resizeImage(
  pixels: Float32Array,
  shape: readonly [number, number, number] | readonly number[],
  size: readonly [number, number] | readonly number[],
): Float32Array {
  const [h, w, c] = shape;
  const [H, W] = size;
  for (const [name, v] of [["shape", shape], ["size", size]] as const) {
    if (
      !Array.isArray(v) || v.length !== (name === "shape" ? 3 : 2) ||
      !v.every((n) => Number.isInteger(n) && n >= 1 && n <= 65536)
    ) {
      throw new RangeError(
        `Cannot resize image as ${name} must be ${
          name === "shape" ? "[h, w, c]" : "[height, width]"
        } of integers in [1, 65536]: current ${name} is ${JSON.stringify(v)}`,
      );
    }
  }
  if (!(pixels instanceof Float32Array) || pixels.length !== h * w * c) {
    throw new RangeError(
      `Cannot resize image as pixels must be a Float32Array of h × w × c = ${
        h * w * c
      } values: current length is ${(pixels as { length?: number })?.length}`,
    );
  }
  const ys = axisWeights(h, H);
  const xs = axisWeights(w, W);
  // rows first: [h, w, c] → [H, w, c]
  const mid = new Float32Array(H * w * c);
  const rowLen = w * c;
  for (let o = 0; o < H; o++) {
    const dst = o * rowLen;
    for (const [i, wt] of ys[o]) {
      const src = i * rowLen;
      for (let k = 0; k < rowLen; k++) mid[dst + k] += wt * pixels[src + k];
    }
  }
  const out = new Float32Array(H * W * c);
  for (let y = 0; y < H; y++) {
    for (let o = 0; o < W; o++) {
      const dst = (y * W + o) * c;
      for (const [i, wt] of xs[o]) {
        const src = (y * w + i) * c;
        for (let k = 0; k < c; k++) out[dst + k] += wt * mid[src + k];
      }
    }
  }
  return out;
}

/** For each output position, the input positions and weights (summing to 1) that make it. */
function axisWeights(n: number, m: number): [number, number][][] {
  const out: [number, number][][] = [];
  if (m < n) {
    const s = n / m;
    for (let o = 0; o < m; o++) {
      const a = o * s, b = (o + 1) * s;
      const taps: [number, number][] = [];
      for (let i = Math.floor(a); i < Math.min(n, Math.ceil(b)); i++) {
        const cover = Math.min(b, i + 1) - Math.max(a, i);
        if (cover > 1e-9) taps.push([i, cover / s]);
      }
      out.push(taps);
    }
    return out;
  }
  for (let o = 0; o < m; o++) {
    const x = Math.min(n - 1, Math.max(0, (o + 0.5) * n / m - 0.5));
    const i0 = Math.floor(x), f = x - i0;
    out.push(f === 0 || i0 + 1 >= n ? [[i0, 1]] : [[i0, 1 - f], [i0 + 1, f]]);
  }
  return out;
}
