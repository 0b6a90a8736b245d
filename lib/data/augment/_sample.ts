/** Bilinear sampling of an image at a real position (edges clamped). Private. */
export function sampleBilinear(
  data: Float32Array,
  h: number,
  w: number,
  c: number,
  y: number,
  x: number,
  out: Float32Array,
  at: number,
): void {
  const yc = Math.min(h - 1, Math.max(0, y)), xc = Math.min(w - 1, Math.max(0, x));
  const y0 = Math.floor(yc), x0 = Math.floor(xc);
  const y1 = Math.min(h - 1, y0 + 1), x1 = Math.min(w - 1, x0 + 1);
  const fy = yc - y0, fx = xc - x0;
  for (let k = 0; k < c; k++) {
    const a = data[(y0 * w + x0) * c + k], b = data[(y0 * w + x1) * c + k];
    const d = data[(y1 * w + x0) * c + k], e = data[(y1 * w + x1) * c + k];
    out[at + k] = (a * (1 - fx) + b * fx) * (1 - fy) + (d * (1 - fx) + e * fx) * fy;
  }
}
