import { cosine } from "../distances/cosine.ts";
import { checkDistance } from "../distances/host.ts";
import type { Distance } from "../types.ts";
import * as tf from "@tensorflow/tfjs";
import type { DevicePairMiner, MinedPairs, PairMiner } from "./pair_miner.ts";
import { chooseOnDevice, deviceBatch, float, greaterThan, lessThan, unstack } from "./_device.ts";
import { checkShapes, distanceRows, labelsOf } from "./_util.ts";

/** Options of {@linkcode multiSimilarityMiner}. */
export interface MultiSimilarityMinerOptions {
  /** Slack ε of both conditions (default 0.1, as pytorch-metric-learning). */
  readonly epsilon?: number;
  /**
   * Distance whose similarity `s = 1 − d` is compared (default: the distance of the loss it
   * mines for, else `cosine`, so `s` is the cosine similarity as in pytorch-metric-learning).
   */
  readonly distance?: Distance;
}

/**
 * The multi-similarity miner (Wang et al. 2019, "Multi-Similarity Loss with General Pair
 * Weighting for Deep Metric Learning"), with pytorch-metric-learning's `MultiSimilarityMiner`
 * semantics: with similarity `s = 1 − d`, for each anchor `a` keep
 *
 * - the negatives `n` with `s(a, n) + ε > min over positives p of s(a, p)`, and
 * - the positives `p` with `s(a, p) − ε < max over negatives n of s(a, n)`.
 *
 * An anchor without positives keeps no negative, and one without negatives keeps no positive;
 * one class, or one item per class, gives no pair (and a loss over no pair is exactly 0).
 * Pairs are listed by anchor, then by row.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { multiSimilarityMiner } from "./multi_similarity_miner.ts";
 * await tf.setBackend("cpu");
 * // Angles 0°, 60° (class 0) and 45° (class 1): row 0's positive (cos 0.5) is less similar
 * // than its negative (cos 0.707), so both pairs are hard and kept.
 * const r = (deg: number) => [Math.cos(deg * Math.PI / 180), Math.sin(deg * Math.PI / 180)];
 * const input = { kind: "labelled" as const, embeddings: tf.tensor2d([r(0), r(60), r(45)]), labels: tf.tensor1d([0, 0, 1], "int32") };
 * const m = multiSimilarityMiner()(input);
 * if ([...m.posAnchor].join() !== "0,1" || [...m.negative].join() !== "2,2") throw new Error("miner");
 * // row 2 has no positive: it is the anchor of no pair
 * if (m.negAnchor.includes(2)) throw new Error("row 2");
 * ```
 */
export function multiSimilarityMiner(options: MultiSimilarityMinerOptions = {}): PairMiner {
  const what = "multi-similarity pairs";
  const epsilon = options.epsilon ?? 0.1;
  if (typeof epsilon !== "number" || !Number.isFinite(epsilon) || epsilon < 0) {
    throw new Error(
      `Cannot create multiSimilarityMiner as options.epsilon must be a finite number ≥ 0: current value is ${epsilon}`,
    );
  }
  const own = options.distance === undefined
    ? undefined
    : checkDistance("create multiSimilarityMiner", "options.distance", options.distance);
  const pick = (given?: Distance) =>
    own ??
      (given === undefined ? cosine : checkDistance(`mine ${what}`, "the loss's distance", given));
  // s_ap − ε < max s_an ⇔ d_ap − min d_an > −ε; s_an + ε > min s_ap ⇔ d_an − max d_ap < ε
  const device: DevicePairMiner = (input, given, reference) => {
    const distance = pick(given);
    checkShapes(what, input);
    const [same, other] = tf.tidy(() =>
      unstack(
        chooseOnDevice(distance, deviceBatch(input, reference), (d, s, o) => {
          const isSame = tf.greater(s, 0), isOther = tf.greater(o, 0);
          const closestNeg = tf.min(tf.where(isOther, d, tf.fill(d.shape, Infinity)), 1, true);
          const furthestPos = tf.max(tf.where(isSame, d, tf.fill(d.shape, -Infinity)), 1, true);
          return tf.stack([
            tf.mul(float(greaterThan(tf.sub(d, closestNeg), -epsilon)), s),
            tf.mul(float(lessThan(tf.sub(d, furthestPos), epsilon)), o),
          ]);
        }),
      )
    );
    return { same, other };
  };
  const host = (input: Parameters<PairMiner>[0], given?: Distance): MinedPairs => {
    const distance = pick(given);
    const labels = labelsOf(what, input);
    const d = distanceRows(what, distance, input.embeddings);
    const a1: number[] = [], p: number[] = [], a2: number[] = [], n: number[] = [];
    labels.forEach((label, i) => {
      let hardestPos = Infinity, hardestNeg = -Infinity; // least similar positive, most similar negative
      labels.forEach((other, j) => {
        if (j === i) return;
        const s = 1 - d[i][j];
        if (other === label) hardestPos = Math.min(hardestPos, s);
        else hardestNeg = Math.max(hardestNeg, s);
      });
      labels.forEach((other, j) => {
        if (j === i) return;
        const s = 1 - d[i][j];
        if (other === label) {
          if (s - epsilon < hardestNeg) a1.push(i), p.push(j);
        } else if (s + epsilon > hardestPos) a2.push(i), n.push(j);
      });
    });
    return {
      posAnchor: Int32Array.from(a1),
      positive: Int32Array.from(p),
      negAnchor: Int32Array.from(a2),
      negative: Int32Array.from(n),
    };
  };
  return Object.assign(host, { device });
}
