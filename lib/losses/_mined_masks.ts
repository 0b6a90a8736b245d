import * as tf from "@tensorflow/tfjs";
import type { MinedPairs } from "../miners/pair_miner.ts";
import type { Tensor } from "../types.ts";

/** `[n, n]` 0/1 masks of the mined positive and negative pairs. */
export function minedMasks(n: number, pairs: MinedPairs): { same: Tensor; other: Tensor } {
  const same = new Float32Array(n * n), other = new Float32Array(n * n);
  pairs.posAnchor.forEach((a, k) => (same[a * n + pairs.positive[k]] = 1));
  pairs.negAnchor.forEach((a, k) => (other[a * n + pairs.negative[k]] = 1));
  return { same: tf.tensor2d(same, [n, n]), other: tf.tensor2d(other, [n, n]) };
}
