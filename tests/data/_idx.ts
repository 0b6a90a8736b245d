import type { IdxDtype } from "../../lib/data/mod.ts";

const CODES: Record<IdxDtype, [number, number]> = {
  uint8: [0x08, 1],
  int8: [0x09, 1],
  int16: [0x0b, 2],
  int32: [0x0c, 4],
  float32: [0x0d, 4],
  float64: [0x0e, 8],
};

/** Encodes an IDX file by hand (big-endian), independently of the reader under test. */
export function encodeIdx(dtype: IdxDtype, shape: readonly number[], values: readonly number[]) {
  const [code, width] = CODES[dtype];
  const header = 4 + 4 * shape.length;
  const out = new Uint8Array(header + values.length * width);
  const v = new DataView(out.buffer);
  out[2] = code;
  out[3] = shape.length;
  shape.forEach((n, i) => v.setUint32(4 + 4 * i, n));
  values.forEach((x, i) => {
    const o = header + i * width;
    if (dtype === "uint8") v.setUint8(o, x);
    else if (dtype === "int8") v.setInt8(o, x);
    else if (dtype === "int16") v.setInt16(o, x);
    else if (dtype === "int32") v.setInt32(o, x);
    else if (dtype === "float32") v.setFloat32(o, x);
    else v.setFloat64(o, x);
  });
  return out;
}
