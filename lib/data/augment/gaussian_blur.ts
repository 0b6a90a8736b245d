import type { Augmentation } from "./image.ts";
import { checkImage, checkRange } from "./image.ts";

/**
 * Options of {@linkcode gaussianBlur}.
 *
 * @example
 * ```ts
 * import type { GaussianBlurOptions } from "./gaussian_blur.ts";
 * const o: GaussianBlurOptions = { sigma: [0.1, 2], p: 0.5 };
 * if (o.sigma?.[1] !== 2) throw new Error("sigma");
 * ```
 */
export interface GaussianBlurOptions {
  /** Range `[lo, hi]` the standard deviation (pixels) is drawn from uniformly; default [0.1, 2]. */
  readonly sigma?: readonly [number, number];
  /** Probability of blurring; default 0.5. */
  readonly p?: number;
}

/**
 * With probability `p`, blurs with a separable Gaussian of standard deviation drawn from
 * `sigma` (kernel radius `ceil(3σ)`, normalised, edges clamped): two `rng.float()` draws.
 *
 * @param options Sigma range and probability.
 * @returns The augmentation.
 *
 * @example
 * ```ts
 * import { gaussianBlur } from "./gaussian_blur.ts";
 * import { rng } from "../../samplers/rng.ts";
 * // an impulse in a 1 × 7 row spreads into the normalised Gaussian, symmetric about the centre
 * const img = { data: Float32Array.from([0, 0, 0, 1, 0, 0, 0]), shape: [1, 7, 1] as const };
 * const out = gaussianBlur({ sigma: [1, 1], p: 1 })(img, rng(0)).data;
 * const g = [0, 1, 2, 3].map((d) => Math.exp(-d * d / 2));
 * const z = g[0] + 2 * (g[1] + g[2] + g[3]);
 * if (Math.abs(out[3] - g[0] / z) > 1e-6 || Math.abs(out[2] - g[1] / z) > 1e-6 || out[2] !== out[4]) throw new Error(`${out}`);
 * ```
 */
export function gaussianBlur(options: GaussianBlurOptions = {}): Augmentation {
  const [lo, hi] = options.sigma ?? [0.1, 2];
  checkRange("make gaussianBlur", "sigma[0]", lo, 0.01, 50);
  checkRange("make gaussianBlur", "sigma[1]", hi, lo, 50);
  const p = options.p ?? 0.5;
  checkRange("make gaussianBlur", "p", p, 0, 1);
  return (image, rng) => {
    checkImage("blur image", image);
    const hit = rng.float() < p;
    const sigma = lo + (hi - lo) * rng.float();
    if (!hit) return { data: image.data.slice(), shape: image.shape };
    const r = Math.ceil(3 * sigma);
    const k = Array.from(
      { length: 2 * r + 1 },
      (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)),
    );
    const z = k.reduce((a, b) => a + b, 0);
    const kernel = k.map((v) => v / z);
    const [h, w, c] = image.shape;
    const pass = (src: Float32Array, horizontal: boolean): Float32Array => {
      const out = new Float32Array(src.length);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          for (let ch = 0; ch < c; ch++) {
            let s = 0;
            for (let t = -r; t <= r; t++) {
              const yy = horizontal ? y : Math.min(h - 1, Math.max(0, y + t));
              const xx = horizontal ? Math.min(w - 1, Math.max(0, x + t)) : x;
              s += kernel[t + r] * src[(yy * w + xx) * c + ch];
            }
            out[(y * w + x) * c + ch] = s;
          }
        }
      }
      return out;
    };
    return { data: pass(pass(image.data, true), false), shape: image.shape };
  };
}
