import type { Rng } from "../../types.ts";

/**
 * One image: `shape[0] × shape[1] × shape[2]` floats in [0, 1], `[h, w, c]` row-major.
 *
 * @example
 * ```ts
 * import type { Image } from "./image.ts";
 * const img: Image = { data: Float32Array.from([0, 1]), shape: [1, 2, 1] };
 * if (img.data.length !== img.shape[0] * img.shape[1] * img.shape[2]) throw new Error("size");
 * ```
 */
export interface Image {
  /** The pixels. */
  readonly data: Float32Array;
  /** `[height, width, channels]`. */
  readonly shape: readonly [number, number, number];
}

/**
 * A seeded pure augmentation: a new image from an image and the random draws of `rng`
 * (same image, same rng state → same pixels). Augmentations keep the shape.
 *
 * @example
 * ```ts
 * import type { Augmentation } from "./image.ts";
 * import { rng } from "../../samplers/rng.ts";
 * const invert: Augmentation = (img) => ({ ...img, data: img.data.map((v) => 1 - v) });
 * if (invert({ data: Float32Array.from([0.25]), shape: [1, 1, 1] }, rng(0)).data[0] !== 0.75) throw new Error("invert");
 * ```
 */
export type Augmentation = (image: Image, rng: Rng) => Image;

/** Throws unless `image` is an Image whose data matches its shape. Private helper. */
export function checkImage(what: string, image: Image): void {
  const s = image?.shape;
  if (
    !Array.isArray(s) || s.length !== 3 || !s.every((n) => Number.isInteger(n) && n >= 1) ||
    !(image.data instanceof Float32Array) || image.data.length !== s[0] * s[1] * s[2]
  ) {
    throw new RangeError(
      `Cannot ${what} as image must be { data: Float32Array, shape: [h, w, c] } with h × w × c values: current shape is ${
        JSON.stringify(s)
      }, data length ${(image?.data as { length?: number })?.length}`,
    );
  }
}

/** Throws unless `value` is a finite number in [lo, hi]. Private helper. */
export function checkRange(
  what: string,
  name: string,
  value: number,
  lo: number,
  hi: number,
): void {
  if (!(typeof value === "number" && value >= lo && value <= hi)) {
    throw new RangeError(
      `Cannot ${what} as ${name} must be a number in [${lo}, ${hi}]: current ${name} is ${value}`,
    );
  }
}
