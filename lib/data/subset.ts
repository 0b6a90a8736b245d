import type { Dataset } from "../types.ts";
import { isImageDataset } from "./image_dataset.ts";

/**
 * The samples of `dataset` at `indices`, in that order (copied), with the same class names
 * and labels. For an image dataset (`imageFolder`, `imageManifest`) nothing is copied or
 * decoded: the result is an image dataset of those files, sharing the cache.
 *
 * @param dataset The source.
 * @param indices Sample indices, each in `[0, dataset.size)`; repeats are allowed.
 * @returns A new dataset of `indices.length` samples.
 *
 * @example
 * ```ts
 * import { subset } from "./subset.ts";
 * const d = { images: Float32Array.from([0, 0.5, 1]), labels: Int32Array.from([0, 1, 2]), shape: [1], size: 3, classNames: ["a", "b", "c"] };
 * const s = subset(d, [2, 0]);
 * if (s.size !== 2 || s.labels[0] !== 2 || s.images[0] !== 1) throw new Error("subset");
 * ```
 */
export function subset(dataset: Dataset, indices: ArrayLike<number>): Dataset {
  if (isImageDataset(dataset)) return dataset.select(indices);
  const per = dataset.shape.reduce((a, b) => a * b, 1);
  const images = new Float32Array(indices.length * per);
  const labels = new Int32Array(indices.length);
  for (let j = 0; j < indices.length; j++) {
    const i = indices[j];
    if (!Number.isInteger(i) || i < 0 || i >= dataset.size) {
      throw new RangeError(
        `Cannot take subset as indices must be integers in [0, ${dataset.size}): current indices[${j}] is ${i}`,
      );
    }
    images.set(dataset.images.subarray(i * per, (i + 1) * per), j * per);
    labels[j] = dataset.labels[i];
  }
  return {
    images,
    labels,
    shape: dataset.shape,
    size: indices.length,
    classNames: dataset.classNames,
  };
}
