import type { Rng } from "../../types.ts";
import type { Augmentation, Image } from "./image.ts";

/**
 * The two-view form used by SimCLR-style self-supervised training (with NT-Xent): two
 * independent augmentations of one image, the first view drawn before the second from the
 * same rng.
 *
 * @param augmentation The augmentation applied twice.
 * @returns A function from an image and an rng to its two views.
 *
 * @example
 * ```ts
 * import { twoViews } from "./two_views.ts";
 * import { flip } from "./flip.ts";
 * import { rng } from "../../samplers/rng.ts";
 * const img = { data: Float32Array.from([0, 1]), shape: [1, 2, 1] as const };
 * const [a, b] = twoViews(flip(0.5))(img, rng(5));
 * const [c, d] = twoViews(flip(0.5))(img, rng(5));
 * if (a.data.join() !== c.data.join() || b.data.join() !== d.data.join()) throw new Error("seeded");
 * ```
 */
export function twoViews(
  augmentation: Augmentation,
): (image: Image, rng: Rng) => readonly [Image, Image] {
  if (typeof augmentation !== "function") {
    throw new TypeError(
      `Cannot make two views as augmentation must be a function: current value is ${augmentation}`,
    );
  }
  return (image, rng) => {
    const first = augmentation(image, rng);
    return [first, augmentation(image, rng)];
  };
}
