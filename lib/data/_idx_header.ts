/** IDX header decoding and the checks shared by parseIdx and readIdx. Private. */
import { DataFileError } from "./errors.ts";
import type { IdxDtype, ReadIdxOptions } from "./parse_idx.ts";

/** Element type and byte width by the IDX type byte. */
const DTYPES: Readonly<Record<number, readonly [IdxDtype, number]>> = {
  0x08: ["uint8", 1],
  0x09: ["int8", 1],
  0x0b: ["int16", 2],
  0x0c: ["int32", 4],
  0x0d: ["float32", 4],
  0x0e: ["float64", 8],
};
const NAMES: readonly IdxDtype[] = Object.values(DTYPES).map(([d]) => d);

/** A decoded IDX header. */
export interface IdxHeader {
  readonly dtype: IdxDtype;
  /** Bytes per element. */
  readonly width: number;
  readonly shape: readonly number[];
  /** Number of elements (may exceed 2^53 for a hostile header: then not exact). */
  readonly count: number;
  /** Bytes of the header: 4 + 4 × rank. */
  readonly headerBytes: number;
  /** Bytes of the whole file the header declares: headerBytes + count × width. */
  readonly totalBytes: number;
}

/** Throws a "corrupt" DataFileError naming the source. */
export function corrupt(name: string, what: string): never {
  throw new DataFileError(`Cannot read IDX file ${name}: ${what}`, name, "corrupt");
}

/**
 * Decodes the header at the start of `bytes`. Returns undefined while `bytes` is too short to
 * hold it and `complete` is false (more may come); throws for every defect, and for a short
 * header when `complete` (the bytes are the whole file).
 */
export function idxHeader(
  bytes: Uint8Array,
  name: string,
  complete: boolean,
): IdxHeader | undefined {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    corrupt(name, "data is gzip-compressed: decompress it first (readIdx does)");
  }
  if (bytes.length < 4) {
    if (!complete) return undefined;
    corrupt(name, `file is truncated: ${bytes.length} bytes, less than the 4-byte magic`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    corrupt(
      name,
      `bad magic number: first two bytes must be 0x00 0x00, current are 0x${hex(bytes[0])} 0x${
        hex(bytes[1])
      }`,
    );
  }
  const type = DTYPES[bytes[2]];
  if (type === undefined) corrupt(name, `unknown data type byte 0x${hex(bytes[2])}`);
  const [dtype, width] = type;
  const rank = bytes[3];
  if (rank === 0) corrupt(name, "rank is 0: an IDX file has at least one dimension");
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    if (!complete) return undefined;
    corrupt(
      name,
      `file is truncated: ${bytes.length} bytes, less than the ${headerBytes}-byte header`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, headerBytes);
  const shape: number[] = [];
  let count = 1;
  for (let d = 0; d < rank; d++) {
    const n = view.getUint32(4 + 4 * d);
    if (n === 0) corrupt(name, `dimension ${d} is 0`);
    shape.push(n);
    count *= n;
  }
  return { dtype, width, shape, count, headerBytes, totalBytes: headerBytes + count * width };
}

/** Checks the header against what the caller expects (options validated before). */
export function checkExpected(header: IdxHeader, options: ReadIdxOptions, name: string): void {
  const { dtype, shape } = options;
  if (dtype !== undefined && header.dtype !== dtype) {
    corrupt(name, `data type is ${header.dtype}, expected ${dtype}`);
  }
  if (
    shape !== undefined &&
    (shape.length !== header.shape.length ||
      shape.some((n, i) => n !== null && n !== header.shape[i]))
  ) {
    corrupt(
      name,
      `dimensions are [${header.shape}], expected [${shape.map((n) => n ?? "any")}]`,
    );
  }
  const max = options.maxBytes ?? Infinity;
  if (header.totalBytes > max) {
    corrupt(
      name,
      `the header declares dimensions [${header.shape}] of ${header.dtype}, ${
        bytesText(header.totalBytes)
      }, more than the ${bytesText(max)} allowed (maxBytes)`,
    );
  }
}

/** Validates the options themselves; `what` names the caller. */
export function checkOptions(options: ReadIdxOptions, what: string): void {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`Cannot ${what} as options must be an object: current value is ${options}`);
  }
  const { dtype, shape, maxBytes } = options;
  if (dtype !== undefined && !NAMES.includes(dtype)) {
    throw new RangeError(
      `Cannot ${what} as options.dtype must be one of ${NAMES.join(", ")}: current value is ${
        JSON.stringify(dtype)
      }`,
    );
  }
  if (
    shape !== undefined &&
    (!Array.isArray(shape) || shape.length === 0 || shape.length > 255 ||
      !shape.every((n) => n === null || (Number.isInteger(n) && n >= 1 && n < 2 ** 32)))
  ) {
    throw new RangeError(
      `Cannot ${what} as options.shape must be 1 to 255 dimensions, each an integer in [1, 2^32) or null: current value is ${
        JSON.stringify(shape)
      }`,
    );
  }
  if (maxBytes !== undefined && !(typeof maxBytes === "number" && maxBytes > 0)) {
    throw new RangeError(
      `Cannot ${what} as options.maxBytes must be a positive number: current value is ${maxBytes}`,
    );
  }
}

function bytesText(n: number): string {
  return Number.isSafeInteger(n) ? `${n} bytes` : `${n.toExponential(3)} bytes`;
}

function hex(b: number): string {
  return b.toString(16).padStart(2, "0");
}
