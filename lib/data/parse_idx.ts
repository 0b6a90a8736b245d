import { checkExpected, checkOptions, corrupt, idxHeader } from "./_idx_header.ts";

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
 * What the caller expects of an IDX file, checked on its header before any data is read or
 * decompressed (see {@linkcode readIdx}): a mismatch throws a {@linkcode DataFileError}
 * naming the file, what it declares and what was expected.
 *
 * @example
 * ```ts
 * import { parseIdx, type ReadIdxOptions } from "./parse_idx.ts";
 * // Grey 28 × 28 images, any number of them, at most 100 MB.
 * const images: ReadIdxOptions = { dtype: "uint8", shape: [null, 28, 28], maxBytes: 100e6 };
 * let message = "";
 * try { parseIdx(Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 1, 9]), { name: "x.idx", ...images }); } catch (e) { message = String(e); }
 * if (!message.includes("x.idx: dimensions are [1], expected [any,28,28]")) throw new Error(message);
 * ```
 */
export interface ReadIdxOptions {
  /** The element type the file must have. */
  readonly dtype?: IdxDtype;
  /**
   * The dimensions the file must have, outermost first: a number requires that size, `null`
   * accepts any (e.g. `[null, 28, 28]`). Its length is the required rank.
   */
  readonly shape?: readonly (number | null)[];
  /**
   * The largest file (header and data, decompressed) accepted, in bytes: a header declaring
   * more is refused before anything is allocated or decompressed. Default: 2^30 (1 GiB) for
   * {@linkcode readIdx}, no limit for {@linkcode parseIdx} (its bytes are already in memory).
   */
  readonly maxBytes?: number;
}

/**
 * Options of {@linkcode parseIdx}: the source's name for messages, and what it must hold.
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
export interface ParseIdxOptions extends ReadIdxOptions {
  /** Name of the source, used in error messages (default "IDX data"). */
  readonly name?: string;
}

/**
 * Decodes the bytes of an (uncompressed) IDX file, the format of MNIST and Fashion-MNIST:
 * two zero bytes, a type byte, a rank byte, one big-endian uint32 per dimension, then the
 * values, big-endian. Validates all of it: a wrong magic number, an unknown type, a rank of
 * 0, a zero dimension, a data length that does not match the dimensions (truncated file or
 * trailing bytes), or a header unlike the expected `dtype` / `shape` / `maxBytes` throws a
 * {@linkcode DataFileError} naming the source and what is wrong. Values are returned as
 * stored: float data may hold NaN or ±Infinity (`makeDataset` refuses them).
 *
 * @param bytes The whole file, decompressed.
 * @param options The source's name for error messages, and what it must hold.
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
  checkOptions(options, "parse IDX data");
  const name = options.name ?? "IDX data";
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(
      `Cannot read IDX file ${name} as bytes must be a Uint8Array: current value is ${
        Object.prototype.toString.call(bytes)
      }`,
    );
  }
  const header = idxHeader(bytes, name, true)!;
  checkExpected(header, options, name);
  const { dtype, width, shape, count, headerBytes: start, totalBytes: expected } = header;
  if (bytes.length < expected) {
    corrupt(
      name,
      `file is truncated: dimensions [${shape}] of ${dtype} need ${expected} bytes, current length is ${bytes.length}`,
    );
  }
  if (bytes.length > expected) {
    corrupt(
      name,
      `file has ${
        bytes.length - expected
      } trailing bytes: dimensions [${shape}] of ${dtype} need ${expected} bytes, current length is ${bytes.length}`,
    );
  }
  if (dtype === "uint8") return { dtype, shape: [...shape], data: bytes.subarray(start, expected) };
  if (dtype === "int8") {
    return {
      dtype,
      shape: [...shape],
      data: new Int8Array(bytes.buffer, bytes.byteOffset + start, count).slice(),
    };
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
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
  for (let i = 0; i < count; i++) data[i] = read(start + i * width);
  return { dtype, shape: [...shape], data };
}
