import fc from "fast-check";
import type { Dataset } from "../../lib/types.ts";

/** A dataset of the given labels with one dummy pixel per sample. */
export function labelsDataset(labels: readonly number[], classes?: number): Dataset {
  const n = classes ?? Math.max(1, ...labels.map((l) => l + 1));
  return {
    images: new Float32Array(labels.length),
    labels: Int32Array.from(labels),
    shape: [1],
    size: labels.length,
    classNames: Array.from({ length: n }, (_, i) => `c${i}`),
  };
}

/** Arbitrary label arrays: 0–40 samples over up to 6 classes (degenerate cases included). */
export const labelArrays: fc.Arbitrary<number[]> = fc.array(fc.integer({ min: 0, max: 5 }), {
  minLength: 0,
  maxLength: 40,
});

/** Class sizes of a label array. */
export function counts(labels: readonly number[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const l of labels) m.set(l, (m.get(l) ?? 0) + 1);
  return m;
}

/** Runs `f` and returns the thrown error's message, or undefined when it did not throw. */
export function errorOf(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
