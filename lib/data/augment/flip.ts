import type { Augmentation } from "./image.ts";
import { checkImage, checkRange } from "./image.ts";

/**
 * Mirrors the image left–right with probability `p` (default 0.5): one `rng.float()` draw.
 *
 * @param p Probability of flipping, in [0, 1].
 * @returns The augmentation.
 *
 * @example
 * ```ts
 * import { flip } from "./flip.ts";
 * import { rng } from "../../samplers/rng.ts";
 * // a 2 × 3 grey image, always flipped: each row reversed
 * const out = flip(1)({ data: Float32Array.from([1, 2, 3, 4, 5, 6].map((v) => v / 10)), shape: [2, 3, 1] }, rng(0));
 * if ([...out.data].map((v) => Math.round(v * 10)).join() !== "3,2,1,6,5,4") throw new Error(`${out.data}`);
 * ```
 */
export function flip(p: number = 0.5): Augmentation {
  checkRange("make flip", "p", p, 0, 1);
  return (image, rng) => {
    checkImage("flip image", image);
    if (!(rng.float() < p)) return { data: image.data.slice(), shape: image.shape };
    const [h, w, c] = image.shape;
    const out = new Float32Array(image.data.length);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const s = (y * w + x) * c, d = (y * w + (w - 1 - x)) * c;
        for (let k = 0; k < c; k++) out[d + k] = image.data[s + k];
      }
    }
    return { data: out, shape: image.shape };
  };
}
