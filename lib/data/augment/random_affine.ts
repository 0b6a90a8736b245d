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
  /** Rotation drawn uniformly from [-degrees, degrees]; default 10. */
  readonly degrees?: number;
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
 * // no rotation, shift or zoom: the identity
 * const img = { data: Float32Array.from([0.1, 0.5, 0.9]), shape: [1, 3, 1] as const };
 * const same = randomAffine({ degrees: 0 })(img, rng(1));
 * if ([...same.data].map((v) => v.toFixed(3)).join() !== "0.100,0.500,0.900") throw new Error(`${same.data}`);
 * ```
 */
export function randomAffine(options: RandomAffineOptions = {}): Augmentation {
  const degrees = options.degrees ?? 10;
  const translate = options.translate ?? 0;
  const [zlo, zhi] = options.scale ?? [1, 1];
  checkRange("make randomAffine", "degrees", degrees, 0, 180);
  checkRange("make randomAffine", "translate", translate, 0, 1);
  checkRange("make randomAffine", "scale[0]", zlo, 0.01, 100);
  checkRange("make randomAffine", "scale[1]", zhi, zlo, 100);
  return (image, rng) => {
    checkImage("transform image", image);
    const angle = (rng.float() * 2 - 1) * degrees * Math.PI / 180;
    const [h, w, c] = image.shape;
    const dx = (rng.float() * 2 - 1) * translate * w;
    const dy = (rng.float() * 2 - 1) * translate * h;
    const zoom = zlo + (zhi - zlo) * rng.float();
    return { data: affine(image.data, h, w, c, angle, dx, dy, zoom), shape: image.shape };
  };
}

/**
 * Applies rotation by `angle` (radians, counter-clockwise on screen), zoom and shift about
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
