import type { Augmentation } from "./image.ts";

/**
 * Applies augmentations left to right, sharing the rng (so the draws of each follow those of
 * the one before, and the same seed gives the same pixels).
 *
 * @param augmentations The steps.
 * @returns One augmentation.
 *
 * @example
 * ```ts
 * import { compose } from "./compose.ts";
 * import { flip } from "./flip.ts";
 * import { rng } from "../../samplers/rng.ts";
 * const twice = compose(flip(1), flip(1));
 * const img = { data: Float32Array.from([0, 1]), shape: [1, 2, 1] as const };
 * if (twice(img, rng(0)).data.join() !== "0,1") throw new Error("two flips undo each other");
 * ```
 */
export function compose(...augmentations: Augmentation[]): Augmentation {
  augmentations.forEach((a, i) => {
    if (typeof a !== "function") {
      throw new TypeError(
        `Cannot compose augmentations as each must be a function: current augmentations[${i}] is ${a}`,
      );
    }
  });
  return (image, rng) => augmentations.reduce((img, a) => a(img, rng), image);
}
