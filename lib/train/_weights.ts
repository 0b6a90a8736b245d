/**
 * Encoding named groups of tensors (model weights, optimizer slots) into one binary blob
 * with a manifest, and back. Names are made unique as `<group>/<index>`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Tensor } from "../types.ts";

/** One tensor's entry in a manifest. */
export interface WeightEntry {
  readonly name: string;
  readonly shape: number[];
  readonly dtype: "float32" | "int32" | "bool" | "string" | "complex64";
}

/** Encodes groups of tensors (in order) into one buffer and a manifest per group. */
export async function encodeGroups(
  groups: Readonly<Record<string, readonly Tensor[]>>,
): Promise<{ data: Uint8Array; manifest: Record<string, WeightEntry[]> }> {
  const named: { name: string; tensor: Tensor }[] = [];
  const manifest: Record<string, WeightEntry[]> = {};
  for (const [group, tensors] of Object.entries(groups)) {
    manifest[group] = tensors.map((tensor, i) => {
      const name = `${group}/${i}`;
      named.push({ name, tensor });
      return { name, shape: [...tensor.shape], dtype: tensor.dtype as WeightEntry["dtype"] };
    });
  }
  const { data, specs } = await tf.io.encodeWeights(named);
  // encodeWeights writes the tensors in the order given; check it did not reorder.
  specs.forEach((spec, i) => {
    if (spec.name !== named[i].name) {
      throw new Error(`Cannot encode weights as the encoder reordered ${spec.name}`);
    }
  });
  return { data: new Uint8Array(tf.io.CompositeArrayBuffer.join(data)), manifest };
}

/** Decodes `data` into the groups of the manifest (tensors in order). Caller disposes. */
export function decodeGroups(
  data: Uint8Array,
  manifest: Readonly<Record<string, readonly WeightEntry[]>>,
): Record<string, Tensor[]> {
  const specs = Object.values(manifest).flat().map((e) => ({
    name: e.name,
    shape: e.shape,
    dtype: e.dtype,
  }));
  const buffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
  const map = tf.io.decodeWeights(buffer as ArrayBuffer, specs);
  const out: Record<string, Tensor[]> = {};
  for (const [group, entries] of Object.entries(manifest)) {
    out[group] = entries.map((e) => map[e.name]);
  }
  return out;
}

/** Bytes the manifest's tensors occupy (to check a weights file's length). */
export function manifestBytes(manifest: Readonly<Record<string, readonly WeightEntry[]>>): number {
  const bytesPer = { float32: 4, int32: 4, bool: 1, complex64: 8 } as Record<string, number>;
  let total = 0;
  for (const entry of Object.values(manifest).flat()) {
    const size = entry.shape.reduce((a, b) => a * b, 1);
    const per = bytesPer[entry.dtype];
    if (per === undefined) throw new Error(`Cannot size weights of dtype ${entry.dtype}`);
    total += size * per;
  }
  return total;
}
