import type { Dataset } from "../types.ts";
import { subset } from "./subset.ts";

/**
 * The samples whose label is one of `classes`, in their original order. Labels and class
 * names are kept as they are (a label still indexes `classNames`).
 *
 * @param dataset The source.
 * @param classes Labels to keep, each in `[0, classNames.length)`.
 * @returns A new dataset.
 *
 * @example
 * ```ts
 * import { filterClasses } from "./filter_classes.ts";
 * const d = { images: new Float32Array(4), labels: Int32Array.from([0, 1, 2, 1]), shape: [1], size: 4, classNames: ["a", "b", "c"] };
 * const only = filterClasses(d, [1]);
 * if (only.size !== 2 || only.labels.some((l) => l !== 1)) throw new Error("filter");
 * ```
 */
export function filterClasses(dataset: Dataset, classes: readonly number[]): Dataset {
  for (const c of classes) {
    if (!Number.isInteger(c) || c < 0 || c >= dataset.classNames.length) {
      throw new RangeError(
        `Cannot filter classes as each class must be a label in [0, ${dataset.classNames.length}): current class is ${c}`,
      );
    }
  }
  const keep = new Set(classes);
  const indices: number[] = [];
  for (let i = 0; i < dataset.size; i++) if (keep.has(dataset.labels[i])) indices.push(i);
  return subset(dataset, indices);
}
