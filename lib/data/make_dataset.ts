import type { Dataset } from "../types.ts";
import { scaleToUnit } from "./scale_to_unit.ts";

/**
 * What {@linkcode makeDataset} builds a dataset from.
 *
 * @example
 * ```ts
 * import { type DatasetParts, makeDataset } from "./make_dataset.ts";
 * // bytes are scaled to [0, 1]; labels become an Int32Array; size is counted from the labels
 * const parts: DatasetParts = { images: Uint8Array.from([0, 51, 255]), labels: [0, 1, 1], shape: [1], classNames: ["off", "on"] };
 * const d = makeDataset(parts);
 * if (d.size !== 3 || !(d.labels instanceof Int32Array) || d.labels.join() !== "0,1,1") throw new Error("labels");
 * if (d.images[0] !== 0 || Math.abs(d.images[1] - 0.2) > 1e-7 || d.images[2] !== 1) throw new Error(`${d.images}`);
 * // floats already in [0, 1] are kept as they are
 * if (makeDataset({ ...parts, images: Float32Array.from([0, 0.5, 1]) }).images[1] !== 0.5) throw new Error("floats");
 * ```
 */
export interface DatasetParts {
  /**
   * `size × prod(shape)` values, row-major: floats already in [0, 1], or bytes 0–255 (scaled
   * to [0, 1] here).
   */
  readonly images: Float32Array | Uint8Array;
  /** One integer label per sample, in `[0, classNames.length)`. */
  readonly labels: Int32Array | Uint8Array | readonly number[];
  /** Shape of one sample, e.g. `[28, 28, 1]`. */
  readonly shape: readonly number[];
  /** Class names, indexed by label. */
  readonly classNames: readonly string[];
}

/**
 * Builds a validated in-memory {@linkcode Dataset}: checks that the image length matches
 * `labels.length × prod(shape)`, that labels are integers in `[0, classNames.length)` and that
 * float images are finite and in [0, 1]; byte images are scaled to [0, 1].
 *
 * @param parts Images, labels, sample shape and class names.
 * @returns The dataset (float images are used as is, not copied).
 *
 * @example
 * ```ts
 * import { makeDataset } from "./make_dataset.ts";
 * const d = makeDataset({
 *   images: Uint8Array.from([0, 255, 255, 0]),
 *   labels: [0, 1],
 *   shape: [2],
 *   classNames: ["off", "on"],
 * });
 * if (d.size !== 2 || d.images[1] !== 1 || d.labels[1] !== 1) throw new Error("dataset");
 * ```
 */
export function makeDataset(parts: DatasetParts): Dataset {
  if (parts === null || typeof parts !== "object") {
    throw new TypeError(
      `Cannot make dataset as parts must be an object: current value is ${parts}`,
    );
  }
  const { shape, classNames } = parts;
  if (!Array.isArray(shape) || shape.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new RangeError(
      `Cannot make dataset as shape must be positive integers: current shape is [${shape}]`,
    );
  }
  if (
    !Array.isArray(classNames) || classNames.length === 0 ||
    !classNames.every((n) => typeof n === "string")
  ) {
    throw new RangeError(
      `Cannot make dataset as classNames must be a non-empty array of strings: current value is ${
        describe(classNames)
      }`,
    );
  }
  if (!(parts.images instanceof Float32Array || parts.images instanceof Uint8Array)) {
    throw new TypeError(
      `Cannot make dataset as images must be a Float32Array or a Uint8Array: current value is ${
        describe(parts.images)
      }`,
    );
  }
  const raw = parts.labels as unknown;
  if (
    raw === null || typeof raw !== "object" || typeof (raw as ArrayLike<number>).length !== "number"
  ) {
    throw new TypeError(
      `Cannot make dataset as labels must be an array or a typed array of integers: current value is ${
        describe(raw)
      }`,
    );
  }
  const labels = parts.labels instanceof Int32Array
    ? parts.labels
    : Int32Array.from(parts.labels as ArrayLike<number>);
  const size = labels.length;
  for (let i = 0; i < size; i++) {
    const l = labels[i];
    if (l < 0 || l >= classNames.length || l !== (parts.labels as ArrayLike<number>)[i]) {
      throw new RangeError(
        `Cannot make dataset as labels must be integers in [0, ${classNames.length}): current labels[${i}] is ${
          (parts.labels as ArrayLike<number>)[i]
        }`,
      );
    }
  }
  const per = shape.reduce((a, b) => a * b, 1);
  if (parts.images.length !== size * per) {
    throw new RangeError(
      `Cannot make dataset as images must hold labels.length × prod(shape) = ${size} × ${per} = ${
        size * per
      } values: current length is ${parts.images.length}`,
    );
  }
  let images: Float32Array;
  if (parts.images instanceof Uint8Array) images = scaleToUnit(parts.images);
  else {
    images = parts.images;
    for (let i = 0; i < images.length; i++) {
      const v = images[i];
      if (!(v >= 0 && v <= 1)) {
        throw new RangeError(
          `Cannot make dataset as float images must be in [0, 1]: current images[${i}] is ${v}`,
        );
      }
    }
  }
  return { images, labels, shape: [...shape], size, classNames: [...classNames] };
}

/** A short description of a value for error messages. */
function describe(value: unknown): string {
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  if (Array.isArray(value)) {
    return JSON.stringify(value.slice(0, 5)) + (value.length > 5 ? "…" : "");
  }
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}
