import * as tf from "@tensorflow/tfjs";
import type { MinedPairs, PairMiner } from "../miners/pair_miner.ts";
import type { Distance, Labelled, LossContext, Tensor } from "../types.ts";

/** `[n, n]` 0/1 masks of the mined positive and negative pairs. */
export function minedMasks(n: number, pairs: MinedPairs): { same: Tensor; other: Tensor } {
  const same = new Float32Array(n * n), other = new Float32Array(n * n);
  pairs.posAnchor.forEach((a, k) => (same[a * n + pairs.positive[k]] = 1));
  pairs.negAnchor.forEach((a, k) => (other[a * n + pairs.negative[k]] = 1));
  return { same: tf.tensor2d(same, [n, n]), other: tf.tensor2d(other, [n, n]) };
}

/**
 * The masks of the pairs `miner` chooses (undefined without a miner): its device form when
 * it has one (no read-back; against `context.reference` when given), else its host form.
 * A host-only miner cannot mine against a reference: that throws, naming the loss.
 */
export function minedPairs(
  what: string,
  miner: PairMiner | undefined,
  input: Labelled,
  distance: Distance,
  context?: LossContext,
): { same: Tensor; other: Tensor } | undefined {
  if (miner === undefined) return undefined;
  const reference = context?.reference;
  if (miner.device !== undefined) return miner.device(input, distance, reference);
  if (reference !== undefined) {
    throw new Error(
      `Cannot compute ${what} with context.reference (a cross-batch memory) as its miner has no device form: current miner is a host-only function`,
    );
  }
  return minedMasks(input.embeddings.shape[0], miner(input, distance));
}
