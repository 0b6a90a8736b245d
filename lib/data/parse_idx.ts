/**
 * Element type of an IDX file, from its third magic byte.
 *
 * @example
 * ```ts
 * import { parseIdx, type IdxDtype } from "./parse_idx.ts";
 * const dtype: IdxDtype = parseIdx(Uint8Array.from([0, 0, 0x08, 1, 0, 0, 0, 1, 9])).dtype;
 * if (dtype !== "uint8") throw new Error(dtype);
 * ```
 */
export type IdxDtype = "uint8" | "int8" | "int16" | "int32" | "float32" | "float64";

/**
 * A decoded IDX array: its element type, its dimensions and its values, row-major.
 *
 * @example
 * ```ts
 * import { parseIdx, type IdxArray } from "./parse_idx.ts";
 * const idx: IdxArray = parseIdx(Uint8Array.from([0, 0, 0x08, 1, 0, 0, 0, 2, 4, 5]));
 * if (idx.shape[0] !== 2 || idx.data[1] !== 5) throw new Error("idx");
 * ```
 */
export interface IdxArray {
  /** Element type. */
  readonly dtype: IdxDtype;
  /** Dimensions, outermost first (e.g. `[60000, 28, 28]`). */
  readonly shape: readonly number[];
  /** The values, row-major (`uint8` data is a view into the input bytes, not a copy). */
  readonly data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

/**
 * Options of {@linkcode parseIdx}.
 *
 * @example
 * ```ts
 * import { parseIdx, type ParseIdxOptions } from "./parse_idx.ts";
 * const options: ParseIdxOptions = { name: "labels.idx" };
 * let message = "";
 * try { parseIdx(new Uint8Array(2), options); } catch (e) { message = String(e); }
 * if (!message.includes("labels.idx")) throw new Error(message);
 * ```
 */
export interface ParseIdxOptions {
  /** Name of the source, used in error messages (default "IDX data"). */
  readonly name?: string;
}

const DTYPES: Readonly<Record<number, readonly [IdxDtype, number]>> = {
  0x08: ["uint8", 1],
  0x09: ["int8", 1],
  0x0b: ["int16", 2],
  0x0c: ["int32", 4],
  0x0d: ["float32", 4],
  0x0e: ["float64", 8],
};

/**
 * Decodes the bytes of an (uncompressed) IDX file, the format of MNIST and Fashion-MNIST:
 * two zero bytes, a type byte, a rank byte, one big-endian uint32 per dimension, then the
 * values, big-endian. Validates all of it: a wrong magic number, an unknown type, a rank of
 * 0, a zero dimension, or a data length that does not match the dimensions (truncated file or
 * trailing bytes) throws an error naming the source and what is wrong.
 *
 * @param bytes The whole file, decompressed.
 * @param options The source's name for error messages.
 * @returns The decoded array.
 *
 * @example
 * ```ts
 * import { parseIdx } from "./parse_idx.ts";
 * // A 2 × 3 ubyte matrix.
 * const bytes = Uint8Array.from([0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6]);
 * const idx = parseIdx(bytes);
 * if (idx.shape.join() !== "2,3" || idx.data[5] !== 6) throw new Error("decode");
 * let message = "";
 * try { parseIdx(bytes.subarray(0, 15), { name: "m.idx" }); } catch (e) { message = String(e); }
 * if (!message.includes("m.idx") || !message.includes("truncated")) throw new Error(message);
 * ```
 */
export function parseIdx(bytes: Uint8Array, options: ParseIdxOptions = {}): IdxArray {
  const name = options.name ?? "IDX data";
  const fail = (what: string): never => {
    throw new Error(`Cannot read IDX file ${name}: ${what}`);
  };
  if (!(bytes instanceof Uint8Array)) fail("bytes must be a Uint8Array");
  if (bytes.length < 4) {
    fail(`file is truncated: ${bytes.length} bytes, less than the 4-byte magic`);
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    fail("data is gzip-compressed: decompress it first (readIdx does)");
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    fail(
      `bad magic number: first two bytes must be 0x00 0x00, current are 0x${hex(bytes[0])} 0x${
        hex(bytes[1])
      }`,
    );
  }
  const type = DTYPES[bytes[2]];
  if (type === undefined) fail(`unknown data type byte 0x${hex(bytes[2])}`);
  const [dtype, width] = type!;
  const rank = bytes[3];
  if (rank === 0) fail("rank is 0: an IDX file has at least one dimension");
  const header = 4 + 4 * rank;
  if (bytes.length < header) {
    fail(`file is truncated: ${bytes.length} bytes, less than the ${header}-byte header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let count = 1;
  for (let d = 0; d < rank; d++) {
    const n = view.getUint32(4 + 4 * d);
    if (n === 0) fail(`dimension ${d} is 0`);
    shape.push(n);
    count *= n;
  }
  const expected = header + count * width;
  if (bytes.length < expected) {
    fail(
      `file is truncated: dimensions [${shape}] of ${dtype} need ${expected} bytes, current length is ${bytes.length}`,
    );
  }
  if (bytes.length > expected) {
    fail(
      `file has ${
        bytes.length - expected
      } trailing bytes: dimensions [${shape}] of ${dtype} need ${expected} bytes, current length is ${bytes.length}`,
    );
  }
  if (dtype === "uint8") return { dtype, shape, data: bytes.subarray(header, expected) };
  if (dtype === "int8") {
    return {
      dtype,
      shape,
      data: new Int8Array(bytes.buffer, bytes.byteOffset + header, count).slice(),
    };
  }
  const read = {
    int16: (o: number) => view.getInt16(o),
    int32: (o: number) => view.getInt32(o),
    float32: (o: number) => view.getFloat32(o),
    float64: (o: number) => view.getFloat64(o),
  }[dtype];
  const data = {
    int16: () => new Int16Array(count),
    int32: () => new Int32Array(count),
    float32: () => new Float32Array(count),
    float64: () => new Float64Array(count),
  }[dtype]();
  for (let i = 0; i < count; i++) data[i] = read(header + i * width);
  return { dtype, shape, data };
}

function hex(b: number): string {
  return b.toString(16).padStart(2, "0");
}
