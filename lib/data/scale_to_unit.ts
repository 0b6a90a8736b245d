const TABLE = Float32Array.from({ length: 256 }, (_, i) => i / 255);

/**
 * Scales bytes (pixel intensities 0–255) to float32 values in [0, 1]: `v / 255`.
 *
 * @param bytes The raw values.
 * @returns A new Float32Array of the same length.
 *
 * @example
 * ```ts
 * import { scaleToUnit } from "./scale_to_unit.ts";
 * const out = scaleToUnit(Uint8Array.from([0, 51, 255]));
 * if (out[0] !== 0 || Math.abs(out[1] - 0.2) > 1e-7 || out[2] !== 1) throw new Error("scale");
 * ```
 */
export function scaleToUnit(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = TABLE[bytes[i]];
  return out;
}
