import { checkDistance } from "../distances/host.ts";
import { euclidean } from "../distances/euclidean.ts";
import type { Embedding, Embeddings } from "./types.ts";

/** Throws unless `dim` is a positive integer. */
export function checkDim(dim: unknown, action: string): number {
  if (typeof dim !== "number" || !Number.isInteger(dim) || dim <= 0) {
    throw new RangeError(
      `Cannot ${action} as dim must be a positive integer: current value is ${show(dim)}`,
    );
  }
  return dim;
}

/** The name of a store's distance option (default euclidean); throws unless a record. */
export function checkStoreDistance(distance: unknown, action: string): string {
  return checkDistance(action, "options.distance", distance === undefined ? euclidean : distance)
    .name;
}

/** Throws unless `fingerprint` is a non-empty string. */
export function checkFingerprint(fingerprint: unknown, action: string): string {
  if (typeof fingerprint !== "string" || fingerprint.length === 0) {
    throw new TypeError(
      `Cannot ${action} as fingerprint must be a non-empty string: current value is ${
        show(fingerprint)
      }`,
    );
  }
  return fingerprint;
}

/** The longest identity, in UTF-16 code units (the same limit in every store). */
export const MAX_IDENTITY_LENGTH = 65_536;

/**
 * Throws unless `identity` is a non-empty string of at most {@linkcode MAX_IDENTITY_LENGTH}
 * code units. Any such string is an identity, exactly as given: NUL characters, lone
 * surrogates and quotes included.
 */
export function checkIdentity(identity: unknown, action: string): string {
  if (typeof identity !== "string" || identity.length === 0) {
    throw new TypeError(
      `Cannot ${action} as identity must be a non-empty string: current value is ${show(identity)}`,
    );
  }
  if (identity.length > MAX_IDENTITY_LENGTH) {
    throw new RangeError(
      `Cannot ${action} as identity must have at most ${MAX_IDENTITY_LENGTH} characters: current length is ${identity.length} (${
        show(identity.slice(0, 20))
      }…)`,
    );
  }
  return identity;
}

/**
 * Throws unless `k` is a positive integer or `Infinity` (everything); a `k` larger than the
 * gallery is clamped by the search, which never allocates more than it finds.
 */
export function checkK(k: unknown, action: string): number {
  if (typeof k !== "number" || !(Number.isInteger(k) || k === Infinity) || k <= 0) {
    throw new RangeError(
      `Cannot ${action} as k must be a positive integer or Infinity: current value is ${show(k)}`,
    );
  }
  return k;
}

/** Throws unless `value` is a positive integer (an option such as chunkSize). */
export function checkPositiveInteger(value: unknown, name: string, action: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
    throw new RangeError(
      `Cannot ${action} as ${name} must be a positive integer: current value is ${show(value)}`,
    );
  }
  return value;
}

/** One embedding of `dim` finite values, as a Float32Array (copied when converted). */
export function toRow(value: Embedding, dim: number, name: string, action: string): Float32Array {
  if (!(value instanceof Float32Array) && !Array.isArray(value)) {
    throw new TypeError(
      `Cannot ${action} as ${name} must be a Float32Array or a number array: current value is ${
        show(value)
      }`,
    );
  }
  if (value.length !== dim) {
    throw new RangeError(
      `Cannot ${action} as ${name} must have ${dim} values (the gallery's dim): current length is ${value.length}`,
    );
  }
  const row = value instanceof Float32Array ? value : Float32Array.from(value as number[]);
  checkFinite(row, dim, name, action);
  return row;
}

/** Several embeddings of `dim` finite values each, packed row-major (at least one row). */
export function toRows(
  value: Embeddings,
  dim: number,
  name: string,
  action: string,
): Float32Array {
  let rows: Float32Array;
  if (value instanceof Float32Array) {
    if (value.length === 0 || value.length % dim !== 0) {
      throw new RangeError(
        `Cannot ${action} as ${name} must hold a positive multiple of ${dim} values (rows of the gallery's dim): current length is ${value.length}`,
      );
    }
    rows = value;
  } else if (Array.isArray(value)) {
    if (value.length === 0) {
      throw new RangeError(`Cannot ${action} as ${name} must hold at least one row: it is empty`);
    }
    rows = new Float32Array(value.length * dim);
    value.forEach((row: Embedding, i: number) => {
      rows.set(toRow(row, dim, `${name}[${i}]`, action), i * dim);
    });
  } else {
    throw new TypeError(
      `Cannot ${action} as ${name} must be a Float32Array or an array of rows: current value is ${
        show(value)
      }`,
    );
  }
  checkFinite(rows, dim, name, action);
  return rows;
}

/**
 * The largest Euclidean norm of an embedding. Search scores rows in float32, where a larger
 * norm overflows (squared norms near 3.4e38 become Infinity, and the rows would silently
 * drop out of the ranking); embeddings are rarely far from norm 1.
 */
export const MAX_NORM = 1e18;

/** Throws unless every value is finite and every row's norm is at most {@linkcode MAX_NORM}. */
export function checkFinite(
  rows: Float32Array,
  dim: number,
  name: string,
  action: string,
): void {
  for (let r = 0; r < rows.length / dim; r++) {
    let sq = 0;
    for (let t = 0; t < dim; t++) {
      const v = rows[r * dim + t];
      if (!Number.isFinite(v)) {
        const where = rows.length === dim ? `index ${t}` : `row ${r}, column ${t}`;
        throw new RangeError(
          `Cannot ${action} as ${name} must be finite: value at ${where} is ${v}`,
        );
      }
      sq += v * v;
    }
    if (!(Math.sqrt(sq) <= MAX_NORM)) {
      const which = rows.length === dim ? "its norm" : `the norm of row ${r}`;
      throw new RangeError(
        `Cannot ${action} as ${name} must have a norm of at most ${MAX_NORM.toExponential()} (search is in float32): ${which} is ${
          Math.sqrt(sq).toPrecision(3)
        }`,
      );
    }
  }
}

/** A short description of any value for error messages. */
export function show(value: unknown): string {
  if (typeof value === "string") {
    // JSON escapes control characters (a NUL ends the message in some terminals) and lone
    // surrogates, so that the message shows exactly which string it was.
    const shown = value.length > 200 ? `${value.slice(0, 200)}…` : value;
    let plain = shown.isWellFormed();
    for (let i = 0; i < shown.length && plain; i++) {
      const c = shown.charCodeAt(i);
      plain = c >= 0x20 && c !== 0x7f;
    }
    return plain ? `'${shown}'` : JSON.stringify(shown);
  }
  if (value instanceof Float32Array) return `a Float32Array of length ${value.length}`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (value === null) return "null";
  if (typeof value === "object") return `an object (${value.constructor?.name ?? "Object"})`;
  return String(value);
}
