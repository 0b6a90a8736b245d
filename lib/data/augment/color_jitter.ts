import type { Augmentation } from "./image.ts";
import { checkImage, checkRange } from "./image.ts";

/**
 * Options of {@linkcode colorJitter}: each factor is drawn uniformly from `[1 - x, 1 + x]`.
 *
 * @example
 * ```ts
 * import type { ColorJitterOptions } from "./color_jitter.ts";
 * const o: ColorJitterOptions = { brightness: 0.4, contrast: 0.4, saturation: 0.4, p: 0.8 };
 * if (o.p !== 0.8) throw new Error("p");
 * ```
 */
export interface ColorJitterOptions {
  /** Brightness: pixels × factor. Default 0.4. */
  readonly brightness?: number;
  /** Contrast: blend with the image's mean luma. Default 0.4. */
  readonly contrast?: number;
  /** Saturation: blend with each pixel's luma (RGB only). Default 0.4. */
  readonly saturation?: number;
  /** Probability of jittering at all. Default 0.8. */
  readonly p?: number;
}

/**
 * With probability `p`, scales brightness, then contrast, then saturation by random factors
 * (in that fixed order), clamping to [0, 1]: four `rng.float()` draws always.
 *
 * @param options Strengths and probability.
 * @returns The augmentation.
 *
 * @example
 * ```ts
 * import { colorJitter } from "./color_jitter.ts";
 * import { rng } from "../../samplers/rng.ts";
 * // brightness only, factor in [0.5, 1.5]: every pixel is scaled by the same factor
 * const img = { data: Float32Array.from([0.2, 0.4]), shape: [1, 2, 1] as const };
 * const out = colorJitter({ brightness: 0.5, contrast: 0, saturation: 0, p: 1 })(img, rng(7)).data;
 * const f = out[0] / 0.2;
 * if (!(f >= 0.5 && f <= 1.5) || Math.abs(out[1] - 0.4 * f) > 1e-6) throw new Error(`${out}`);
 * ```
 */
export function colorJitter(options: ColorJitterOptions = {}): Augmentation {
  const b = options.brightness ?? 0.4, ct = options.contrast ?? 0.4;
  const s = options.saturation ?? 0.4, p = options.p ?? 0.8;
  checkRange("make colorJitter", "brightness", b, 0, 1);
  checkRange("make colorJitter", "contrast", ct, 0, 1);
  checkRange("make colorJitter", "saturation", s, 0, 1);
  checkRange("make colorJitter", "p", p, 0, 1);
  return (image, rng) => {
    checkImage("jitter image", image);
    const hit = rng.float() < p;
    const fb = 1 - b + 2 * b * rng.float();
    const fc = 1 - ct + 2 * ct * rng.float();
    const fs = 1 - s + 2 * s * rng.float();
    const out = image.data.slice();
    if (!hit) return { data: out, shape: image.shape };
    const [h, w, c] = image.shape;
    const n = h * w;
    const luma = (i: number) =>
      c === 3 ? 0.299 * out[i * 3] + 0.587 * out[i * 3 + 1] + 0.114 * out[i * 3 + 2] : out[i * c];
    for (let i = 0; i < out.length; i++) out[i] = Math.min(1, out[i] * fb);
    let mean = 0;
    for (let i = 0; i < n; i++) mean += luma(i);
    mean /= n;
    for (let i = 0; i < out.length; i++) out[i] = clamp(mean + (out[i] - mean) * fc);
    if (c === 3) {
      for (let i = 0; i < n; i++) {
        const l = luma(i);
        for (let k = 0; k < 3; k++) out[i * 3 + k] = clamp(l + (out[i * 3 + k] - l) * fs);
      }
    }
    return { data: out, shape: image.shape };
  };
}

const clamp = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);
