import type { Augmentation } from "./image.ts";
import { checkImage, checkRange } from "./image.ts";
import { sampleBilinear } from "./_sample.ts";

/**
 * Options of {@linkcode randomAffine}.
 *
 * @example
 * ```ts
 * import type { RandomAffineOptions } from "./random_affine.ts";
 * const o: RandomAffineOptions = { degrees: 10, translate: 0.1, scale: [0.9, 1.1] };
 * if (o.degrees !== 10) throw new Error("degrees");
 * ```
 */
export interface RandomAffineOptions {
  /**
   * Rotation in degrees (positive turns the picture counter-clockwise as displayed, rows top to bottom), drawn uniformly from
   * `[-degrees, degrees]`, or from `[lo, hi]` when a pair is given; default 10.
   */
  readonly degrees?: number | readonly [number, number];
  /** Shift drawn uniformly from ±translate × (width, height); default 0. */
  readonly translate?: number;
  /** Zoom drawn uniformly from this range; default [1, 1]. */
  readonly scale?: readonly [number, number];
}

/**
 * A small random rotation / shift / zoom about the image centre, resampled bilinearly;
 * pixels from outside the image take the value of the nearest edge pixel. Four
 * `rng.float()` draws (angle, dx, dy, zoom).
 *
 * @param options Ranges of rotation, shift and zoom.
 * @returns The augmentation.
 *
 * @example
 * ```ts
 * import { randomAffine } from "./random_affine.ts";
 * import { rng } from "../../samplers/rng.ts";
 * // a quarter turn counter-clockwise of a 2 × 2 image: [[a, b], [c, d]] becomes [[b, d], [a, c]]
 * const img = { data: Float32Array.from([0.1, 0.2, 0.3, 0.4]), shape: [2, 2, 1] as const };
 * const turned = randomAffine({ degrees: [90, 90] })(img, rng(1));
 * if ([...turned.data].map((v) => v.toFixed(3)).join() !== "0.200,0.400,0.100,0.300") throw new Error(`${turned.data}`);
 * ```
 */
export function randomAffine(options: RandomAffineOptions = {}): Augmentation {
  const d = options.degrees ?? 10;
  const [dlo, dhi] = typeof d === "number" ? [-d, d] : Array.isArray(d) ? d : [NaN, NaN];
  const translate = options.translate ?? 0;
  const [zlo, zhi] = options.scale ?? [1, 1];
  if (typeof d === "number") checkRange("make randomAffine", "degrees", d, 0, 180);
  checkRange("make randomAffine", "degrees[0]", dlo, -180, 180);
  checkRange("make randomAffine", "degrees[1]", dhi, dlo, 180);
  checkRange("make randomAffine", "translate", translate, 0, 1);
  checkRange("make randomAffine", "scale[0]", zlo, 0.01, 100);
  checkRange("make randomAffine", "scale[1]", zhi, zlo, 100);
  return (image, rng) => {
    checkImage("transform image", image);
    const angle = (dlo + (dhi - dlo) * rng.float()) * Math.PI / 180;
    const [h, w, c] = image.shape;
    const dx = (rng.float() * 2 - 1) * translate * w;
    const dy = (rng.float() * 2 - 1) * translate * h;
    const zoom = zlo + (zhi - zlo) * rng.float();
    return { data: affine(image.data, h, w, c, angle, dx, dy, zoom), shape: image.shape };
  };
}

/**
 * Applies rotation by `angle` (radians, counter-clockwise as displayed), zoom and shift about
 * the centre: each output pixel samples the input at the inverse-transformed position.
 */
function affine(
  data: Float32Array,
  h: number,
  w: number,
  c: number,
  angle: number,
  dx: number,
  dy: number,
  zoom: number,
): Float32Array {
  const out = new Float32Array(data.length);
  const cy = (h - 1) / 2, cx = (w - 1) / 2;
  const cos = Math.cos(angle), sin = Math.sin(angle);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const u = (x - cx - dx) / zoom, v = (y - cy - dy) / zoom;
      const sx = cos * u - sin * v + cx;
      const sy = sin * u + cos * v + cy;
      sampleBilinear(data, h, w, c, sy, sx, out, (y * w + x) * c);
    }
  }
  return out;
}
