/**
 * Image augmentations as seeded pure functions `(image, rng) => image`: same image and rng
 * state, same pixels. Compose them with {@linkcode compose}, apply them per sample with
 * `data.imageBatches(dataset, { augment, seed })`, or make SimCLR-style pairs of views with
 * {@linkcode twoViews}.
 *
 * @example
 * ```ts
 * import { colorJitter, compose, flip, randomResizedCrop } from "./mod.ts";
 * import { rng } from "../../samplers/rng.ts";
 * const aug = compose(randomResizedCrop({ scale: [0.5, 1] }), flip(), colorJitter());
 * const img = { data: Float32Array.from({ length: 48 }, (_, i) => i / 48), shape: [4, 4, 3] as const };
 * if (aug(img, rng(1)).data.join() !== aug(img, rng(1)).data.join()) throw new Error("same seed, same pixels");
 * ```
 *
 * @module
 */
export type { Augmentation, Image } from "./image.ts";
export { flip } from "./flip.ts";
export { grayscale } from "./grayscale.ts";
export { gaussianBlur, type GaussianBlurOptions } from "./gaussian_blur.ts";
export { randomResizedCrop, type RandomResizedCropOptions } from "./random_resized_crop.ts";
export { randomAffine, type RandomAffineOptions } from "./random_affine.ts";
export { colorJitter, type ColorJitterOptions } from "./color_jitter.ts";
export { compose } from "./compose.ts";
export { twoViews } from "./two_views.ts";
