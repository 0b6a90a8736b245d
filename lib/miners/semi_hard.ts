import { euclidean } from "../distances/euclidean.ts";
import { checkDistance } from "../distances/host.ts";
import type { Distance } from "../types.ts";
import type { Miner } from "./miner.ts";
import { distanceRows, labelsOf, pack } from "./_util.ts";

/** Options of {@linkcode semiHard}. */
export interface SemiHardOptions {
  /**
   * Distance used to rank candidates (default: the distance of the loss it is `mined` with,
   * else `euclidean`).
   */
  readonly distance?: Distance;
}

/**
 * Semi-hard mining (Schroff et al., FaceNet; as TF-Addons' `triplet_semihard_loss`): for
 * every positive pair `(a, p)`, the closest negative that is further than the positive
 * (`d(a, n) > d(a, p)`); when no negative is, the furthest negative. One triplet per positive
 * pair whose anchor has a negative. One class, or `K = 1`, gives no triplet (a mined loss of
 * exactly 0).
 *
 * Not pytorch-metric-learning's semi-hard: `tripletMarginMiner({ type: "semihard" })` keeps
 * every triplet with `d(a, p) < d(a, n) ≤ d(a, p) + margin` (none when that band is empty,
 * several per positive pair otherwise); this one keeps one per positive pair, with no margin.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { semiHard } from "./semi_hard.ts";
 * await tf.setBackend("cpu");
 * // Class 0 at 0 and 2; class 1 at 1, 3, 6.
 * const input = { kind: "labelled" as const, embeddings: tf.tensor2d([[0], [2], [1], [3], [6]]), labels: tf.tensor1d([0, 0, 1, 1, 1], "int32") };
 * const t = semiHard()(input);
 * // (0, 1): d_ap = 2; negatives at 1, 3, 6 → the closest beyond 2 is row 3 (at 3)
 * if (t.anchor[0] !== 0 || t.positive[0] !== 1 || t.negative[0] !== 3) throw new Error("semiHard");
 * ```
 */
export function semiHard(options: SemiHardOptions = {}): Miner {
  const own = options.distance === undefined
    ? undefined
    : checkDistance("mine semi-hard triplets", "options.distance", options.distance);
  return (input, given) => {
    // its own distance, else the one the mined loss trains with, else euclidean
    const distance = own ??
      (given === undefined
        ? euclidean
        : checkDistance("mine semi-hard triplets", "the loss's distance", given));
    const labels = labelsOf("semi-hard triplets", input);
    const d = distanceRows("semi-hard triplets", distance, input.embeddings);
    const a: number[] = [], p: number[] = [], n: number[] = [];
    for (let i = 0; i < labels.length; i++) {
      for (let j = 0; j < labels.length; j++) {
        if (j === i || labels[j] !== labels[i]) continue;
        let beyond = -1, furthest = -1;
        for (let k = 0; k < labels.length; k++) {
          if (labels[k] === labels[i]) continue;
          if (d[i][k] > d[i][j] && (beyond < 0 || d[i][k] < d[i][beyond])) beyond = k;
          if (furthest < 0 || d[i][k] > d[i][furthest]) furthest = k;
        }
        if (furthest >= 0) a.push(i), p.push(j), n.push(beyond >= 0 ? beyond : furthest);
      }
    }
    return pack(a, p, n);
  };
}
