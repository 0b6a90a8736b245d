import type { Augmentation } from "./image.ts";
import { checkImage, checkRange } from "./image.ts";

/**
 * With probability `p` (default 0.2), replaces each RGB pixel by its luma `0.299 R + 0.587 G +
 * 0.114 B` in all three channels (one-channel images are returned as they are): one
 * `rng.float()` draw.
 *
 * @param p Probability, in [0, 1].
 * @returns The augmentation.
 *
 * @example
 * ```ts
 * import { grayscale } from "./grayscale.ts";
 * import { rng } from "../../samplers/rng.ts";
 * const out = grayscale(1)({ data: Float32Array.from([1, 0, 0]), shape: [1, 1, 3] }, rng(0));
 * if ([...out.data].some((v) => Math.abs(v - 0.299) > 1e-6)) throw new Error(`${out.data}`);
 * ```
 */
export function grayscale(p: number = 0.2): Augmentation {
  checkRange("make grayscale", "p", p, 0, 1);
  return (image, rng) => {
    checkImage("grey-scale image", image);
    const hit = rng.float() < p;
    const [h, w, c] = image.shape;
    const out = image.data.slice();
    if (!hit || c !== 3) return { data: out, shape: image.shape };
    for (let i = 0; i < h * w; i++) {
      const v = 0.299 * out[i * 3] + 0.587 * out[i * 3 + 1] + 0.114 * out[i * 3 + 2];
      out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = v;
    }
    return { data: out, shape: image.shape };
  };
}
