/**
 * Input checks shared by the metrics. Every error names the argument and the value seen.
 *
 * @module
 */
import type { EmbeddingSet } from "./embedding_set.ts";

/** Checks a list of distances: non-empty unless allowed, no NaN. Returns it as numbers. */
export function checkDistances(
  what: string,
  distances: ArrayLike<number>,
  name = "distances",
): ArrayLike<number> {
  if (distances === null || typeof distances !== "object" || typeof distances.length !== "number") {
    throw new TypeError(`Cannot ${what} as ${name} must be an array of numbers: got ${distances}`);
  }
  if (distances.length === 0) {
    throw new RangeError(`Cannot ${what} as ${name} is empty: length is 0`);
  }
  for (let i = 0; i < distances.length; i++) {
    const d = distances[i];
    if (typeof d !== "number" || Number.isNaN(d)) {
      throw new RangeError(
        `Cannot ${what} as ${name}[${i}] must be a number: current value is ${d}`,
      );
    }
  }
  return distances;
}

/** Checks same/different flags (booleans or 0/1) of the same length as the distances. */
export function checkSame(
  what: string,
  same: ArrayLike<boolean | number>,
  length: number,
): Uint8Array {
  if (same === null || typeof same !== "object" || typeof same.length !== "number") {
    throw new TypeError(`Cannot ${what} as same must be an array of booleans or 0/1: got ${same}`);
  }
  if (same.length !== length) {
    throw new RangeError(
      `Cannot ${what} as same must have one flag per distance: same has length ${same.length}, distances ${length}`,
    );
  }
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const s = same[i];
    if (s === true || s === 1) out[i] = 1;
    else if (s === false || s === 0) out[i] = 0;
    else {
      throw new RangeError(
        `Cannot ${what} as same[${i}] must be true, false, 1 or 0: current value is ${s}`,
      );
    }
  }
  return out;
}

/** Checks an embedding set: dim, lengths, integer labels, finite values. */
export function checkSet(what: string, set: EmbeddingSet, name: string, allowEmpty = false): void {
  if (set === null || typeof set !== "object") {
    throw new TypeError(
      `Cannot ${what} as ${name} must be { embeddings, labels, dim }: got ${set}`,
    );
  }
  const { embeddings, labels, dim } = set;
  if (!Number.isInteger(dim) || dim < 1) {
    throw new RangeError(
      `Cannot ${what} as ${name}.dim must be a positive integer: current value is ${dim}`,
    );
  }
  if (!(embeddings instanceof Float32Array) && !(embeddings instanceof Float64Array)) {
    throw new TypeError(
      `Cannot ${what} as ${name}.embeddings must be a Float32Array or Float64Array`,
    );
  }
  if (!(labels instanceof Int32Array)) {
    throw new TypeError(`Cannot ${what} as ${name}.labels must be an Int32Array`);
  }
  if (embeddings.length !== labels.length * dim) {
    throw new RangeError(
      `Cannot ${what} as ${name}.embeddings must hold labels.length × dim = ${labels.length} × ${dim} = ${
        labels.length * dim
      } values: current length is ${embeddings.length}`,
    );
  }
  if (!allowEmpty && labels.length === 0) {
    throw new RangeError(`Cannot ${what} as ${name} is empty: it has 0 rows`);
  }
  for (let i = 0; i < embeddings.length; i++) {
    if (!Number.isFinite(embeddings[i])) {
      throw new RangeError(
        `Cannot ${what} as ${name}.embeddings must be finite: row ${Math.floor(i / dim)} holds ${
          embeddings[i]
        }`,
      );
    }
  }
}

/** Checks a probability-like option in [0, 1]. */
export function checkRate(what: string, name: string, value: number): void {
  if (typeof value !== "number" || !(value >= 0 && value <= 1)) {
    throw new RangeError(`Cannot ${what} as ${name} must be in [0, 1]: current value is ${value}`);
  }
}

/** Checks a positive integer option. */
export function checkPositiveInt(what: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(
      `Cannot ${what} as ${name} must be a positive integer: current value is ${value}`,
    );
  }
}
