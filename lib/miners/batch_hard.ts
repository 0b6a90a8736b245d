import { euclidean } from "../distances/euclidean.ts";
import { checkDistance } from "../distances/host.ts";
import type { Distance } from "../types.ts";
import * as tf from "@tensorflow/tfjs";
import type { DeviceMiner, Miner } from "./miner.ts";
import { chooseOnDevice, deviceBatch, unstack } from "./_device.ts";
import { checkShapes, distanceRows, labelsOf, pack } from "./_util.ts";

/** Options of {@linkcode batchHard}. */
export interface BatchHardOptions {
  /**
   * Distance used to rank candidates (default: the distance of the loss it is `mined` with,
   * else `euclidean`).
   */
  readonly distance?: Distance;
}

/**
 * Batch-hard mining (Hermans et al., "In defense of the triplet loss"): for each anchor, the
 * furthest positive and the closest negative of the batch — one triplet per anchor that has
 * both. Ties go to the lowest row. One class, or `K = 1`, gives no triplet (a mined loss of
 * exactly 0).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { batchHard } from "./batch_hard.ts";
 * await tf.setBackend("cpu");
 * // Rows on a line: 0, 1, 5 (class 0) and 3, 9 (class 1).
 * const input = { kind: "labelled" as const, embeddings: tf.tensor2d([[0], [1], [5], [3], [9]]), labels: tf.tensor1d([0, 0, 0, 1, 1], "int32") };
 * const t = batchHard()(input);
 * // anchor 0: furthest positive 2 (at 5), closest negative 3 (at 3)
 * if (t.positive[0] !== 2 || t.negative[0] !== 3) throw new Error("batchHard");
 * ```
 */
export function batchHard(options: BatchHardOptions = {}): Miner {
  const own = options.distance === undefined
    ? undefined
    : checkDistance("mine batch-hard triplets", "options.distance", options.distance);
  const pick = (given?: Distance) =>
    // its own distance, else the one the mined loss trains with, else euclidean
    own ??
      (given === undefined
        ? euclidean
        : checkDistance("mine batch-hard triplets", "the loss's distance", given));
  const device: DeviceMiner = (input, given, reference) => {
    const distance = pick(given);
    checkShapes("batch-hard triplets", input);
    const [positive, negative, valid] = tf.tidy(() => {
      const chosen = chooseOnDevice(distance, deviceBatch(input, reference), (d, s, o) => {
        const same = tf.greater(s, 0), other = tf.greater(o, 0);
        // first index of the largest (smallest) value: ties go to the lowest column, as the host
        const positive = tf.argMax(tf.where(same, d, tf.fill(d.shape, -Infinity)), 1);
        const negative = tf.argMin(tf.where(other, d, tf.fill(d.shape, Infinity)), 1);
        const valid = tf.logicalAnd(tf.any(same, 1), tf.any(other, 1));
        return tf.stack([positive, negative, valid].map((t) => tf.cast(t, "float32")));
      });
      const [p, n, v] = unstack(chosen);
      return [tf.cast(p, "int32"), tf.cast(n, "int32"), v];
    });
    return { kind: "perAnchor", positive, negative, valid };
  };
  const host = (input: Parameters<Miner>[0], given?: Distance) => {
    const distance = pick(given);
    const labels = labelsOf("batch-hard triplets", input);
    const d = distanceRows("batch-hard triplets", distance, input.embeddings);
    const a: number[] = [], p: number[] = [], n: number[] = [];
    labels.forEach((label, i) => {
      let pos = -1, neg = -1;
      for (let j = 0; j < labels.length; j++) {
        if (j === i) continue;
        if (labels[j] === label) {
          if (pos < 0 || d[i][j] > d[i][pos]) pos = j;
        } else if (neg < 0 || d[i][j] < d[i][neg]) neg = j;
      }
      if (pos >= 0 && neg >= 0) a.push(i), p.push(pos), n.push(neg);
    });
    return pack(a, p, n);
  };
  return Object.assign(host, { device });
}
