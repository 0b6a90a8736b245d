import type { Dataset } from "../types.ts";

/** A dataset's shape checked (images, one label per image), named in errors. */
export function checkDataset(d: Dataset, arg: string, what: string): Dataset {
  if (
    d === null || typeof d !== "object" || !(d.images instanceof Float32Array) ||
    d.labels === undefined || !Number.isInteger(d.size) || d.labels.length !== d.size
  ) {
    throw new TypeError(
      `Cannot ${what} as ${arg} must be a Dataset ({ images, labels, shape, size }) with one label per image: current value is ${
        d === null || typeof d !== "object" ? String(d) : `an object of size ${d.size}`
      }`,
    );
  }
  return d;
}
