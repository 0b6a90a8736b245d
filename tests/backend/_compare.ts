// Test helpers: run one kernel on a backend from plain arrays and compare with cpu.
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../../lib/backend/mod.ts";
import type { NamedAttrMap } from "@tensorflow/tfjs-core";

/** A tiny seeded generator (mulberry32) for test data: values in [-1, 1). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

/** Input spec: shape, dtype and the values (plain array, so any backend can build it). */
export interface Spec {
  shape: number[];
  values: number[];
  dtype?: "float32" | "int32";
}

export function randomSpec(
  shape: number[],
  seed: number,
  dtype: "float32" | "int32" = "float32",
): Spec {
  const next = seeded(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const values = Array.from(
    { length: size },
    () => dtype === "int32" ? Math.floor(next() * 50) : next(),
  );
  return { shape, values, dtype };
}

/** Runs `kernel` on `backend` and returns its first output's values and shape. */
export async function runOn(
  backend: "wasm" | "cpu" | "webgpu",
  kernel: string,
  inputs: Record<string, Spec>,
  attrs: NamedAttrMap,
): Promise<{ values: Float32Array | Int32Array; shape: number[] }> {
  await useBackend(backend);
  const before = tf.memory().numTensors;
  const tensors = Object.fromEntries(
    Object.entries(inputs).map(([k, s]) => [k, tf.tensor(s.values, s.shape, s.dtype ?? "float32")]),
  );
  const out = tf.engine().runKernel(kernel, tensors, attrs) as tf.Tensor;
  const values = (await out.data()) as Float32Array | Int32Array;
  const shape = out.shape;
  out.dispose();
  Object.values(tensors).forEach((t) => t.dispose());
  if (tf.memory().numTensors !== before) {
    throw new Error(`${kernel} on ${backend} leaked ${tf.memory().numTensors - before} tensors`);
  }
  return { values, shape };
}

/** Max abs difference between `backend` and cpu for one kernel call (shapes must match). */
export async function diffVsCpu(
  backend: "wasm" | "webgpu",
  kernel: string,
  inputs: Record<string, Spec>,
  attrs: NamedAttrMap,
): Promise<{ maxAbsDiff: number; maxAbs: number }> {
  const got = await runOn(backend, kernel, inputs, attrs);
  const want = await runOn("cpu", kernel, inputs, attrs);
  if (got.shape.join() !== want.shape.join()) {
    throw new Error(`${kernel}: shape [${got.shape}] on ${backend}, [${want.shape}] on cpu`);
  }
  let maxAbsDiff = 0;
  let maxAbs = 0;
  for (let i = 0; i < want.values.length; i++) {
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs(got.values[i] - want.values[i]));
    maxAbs = Math.max(maxAbs, Math.abs(want.values[i]));
  }
  if (Number.isNaN(maxAbsDiff) || got.values.some((v) => Number.isNaN(v))) maxAbsDiff = Infinity;
  return { maxAbsDiff, maxAbs };
}
