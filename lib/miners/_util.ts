import * as tf from "@tensorflow/tfjs";
import type { Distance, Labelled, Tensor2D } from "../types.ts";
import type { MinedTriplets } from "./miner.ts";

/** Validates a labelled batch's shapes (no read-back). */
export function checkShapes(what: string, input: Labelled): void {
  const e = input.embeddings;
  if (e.rank !== 2) {
    throw new Error(`Cannot mine ${what} as embeddings must be rank 2: current rank is ${e.rank}`);
  }
  if (input.labels.rank !== 1 || input.labels.shape[0] !== e.shape[0]) {
    throw new Error(
      `Cannot mine ${what} as labels must have shape [${
        e.shape[0]
      }]: current shape is [${input.labels.shape}]`,
    );
  }
}

/** Validates a labelled batch; returns its labels as plain integers. */
export function labelsOf(what: string, input: Labelled): Int32Array {
  checkShapes(what, input);
  return Int32Array.from(input.labels.dataSync(), (v) => Math.round(v));
}

/**
 * The all-pairs distances of the embeddings' current values, as plain rows (no gradient).
 * Throws, naming the row, when an embedding or a distance is not finite (NaN, ±Infinity, or
 * values too large for float32 distances).
 */
export function distanceRows(what: string, distance: Distance, embeddings: Tensor2D): number[][] {
  const values = embeddings.dataSync();
  const dim = embeddings.shape[1];
  for (let k = 0; k < values.length; k++) {
    if (!Number.isFinite(values[k])) {
      throw new Error(
        `Cannot mine ${what} as embeddings must be finite: row ${Math.floor(k / dim)} holds ${
          values[k]
        }`,
      );
    }
  }
  const rows = tf.tidy(() => {
    const detached = tf.tensor2d(values, embeddings.shape);
    return distance.matrix(detached, detached).arraySync();
  });
  rows.forEach((row, i) =>
    row.forEach((d, j) => {
      if (!Number.isFinite(d)) {
        throw new Error(
          `Cannot mine ${what} as the distance between embeddings rows ${i} and ${j} is ${d}: ` +
            "values are too large for float32 distances",
        );
      }
    })
  );
  return rows;
}

/** Packs index lists. */
export const pack = (a: number[], p: number[], n: number[]): MinedTriplets => ({
  anchor: Int32Array.from(a),
  positive: Int32Array.from(p),
  negative: Int32Array.from(n),
});
