import { resizeImage } from "../resize_image.ts";
import type { Augmentation } from "./image.ts";
import { checkImage, checkRange } from "./image.ts";

/**
 * Options of {@linkcode randomResizedCrop}.
 *
 * @example
 * ```ts
 * import type { RandomResizedCropOptions } from "./random_resized_crop.ts";
 * const o: RandomResizedCropOptions = { scale: [0.5, 1], ratio: [0.75, 4 / 3] };
 * if (o.scale?.[0] !== 0.5) throw new Error("scale");
 * ```
 */
export interface RandomResizedCropOptions {
  /** Range of the crop's area as a fraction of the image's; default [0.08, 1]. */
  readonly scale?: readonly [number, number];
  /** Range of the crop's width / height, drawn log-uniformly; default [3/4, 4/3]. */
  readonly ratio?: readonly [number, number];
}

/**
 * Crops a random rectangle (area fraction drawn uniformly from `scale`, aspect ratio
 * log-uniformly from `ratio`, position uniformly; up to 10 tries, then the largest centred
 * crop of an allowed ratio) and resizes it back to the image's size with
 * {@linkcode resizeImage} (area when shrinking, bilinear when growing).
 *
 * @param options Scale and ratio ranges.
 * @returns The augmentation.
 *
 * @example
 * ```ts
 * import { randomResizedCrop } from "./random_resized_crop.ts";
 * import { rng } from "../../samplers/rng.ts";
 * // scale 1 and ratio 1 on a square image: the crop is the whole image, returned as it is
 * const img = { data: Float32Array.from([0, 0.25, 0.5, 1]), shape: [2, 2, 1] as const };
 * const out = randomResizedCrop({ scale: [1, 1], ratio: [1, 1] })(img, rng(3));
 * if (out.data.join() !== "0,0.25,0.5,1" || out.shape.join() !== "2,2,1") throw new Error(`${out.data}`);
 * ```
 */
export function randomResizedCrop(options: RandomResizedCropOptions = {}): Augmentation {
  const [slo, shi] = options.scale ?? [0.08, 1];
  const [rlo, rhi] = options.ratio ?? [3 / 4, 4 / 3];
  checkRange("make randomResizedCrop", "scale[0]", slo, 1e-6, 1);
  checkRange("make randomResizedCrop", "scale[1]", shi, slo, 1);
  checkRange("make randomResizedCrop", "ratio[0]", rlo, 1e-3, 1e3);
  checkRange("make randomResizedCrop", "ratio[1]", rhi, rlo, 1e3);
  return (image, rng) => {
    checkImage("crop image", image);
    const [h, w, c] = image.shape;
    let ch = h, cw = w, top = 0, left = 0, found = false;
    for (let t = 0; t < 10 && !found; t++) {
      const area = h * w * (slo + (shi - slo) * rng.float());
      const ratio = Math.exp(Math.log(rlo) + (Math.log(rhi) - Math.log(rlo)) * rng.float());
      const cwTry = Math.round(Math.sqrt(area * ratio));
      const chTry = Math.round(Math.sqrt(area / ratio));
      if (cwTry >= 1 && chTry >= 1 && cwTry <= w && chTry <= h) {
        cw = cwTry;
        ch = chTry;
        top = rng.int(h - ch + 1);
        left = rng.int(w - cw + 1);
        found = true;
      }
    }
    if (!found) {
      const r = Math.min(Math.max(w / h, rlo), rhi);
      if (w / h > r) {
        ch = h;
        cw = Math.max(1, Math.round(h * r));
      } else {
        cw = w;
        ch = Math.max(1, Math.round(w / r));
      }
      top = Math.floor((h - ch) / 2);
      left = Math.floor((w - cw) / 2);
    }
    const crop = new Float32Array(ch * cw * c);
    for (let y = 0; y < ch; y++) {
      crop.set(
        image.data.subarray(((top + y) * w + left) * c, ((top + y) * w + left + cw) * c),
        y * cw * c,
      );
    }
    return { data: resizeImage(crop, [ch, cw, c], [h, w]), shape: image.shape };
  };
}
