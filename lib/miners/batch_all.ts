import * as tf from "@tensorflow/tfjs";
import type { DeviceMiner, Miner } from "./miner.ts";
import { cubicSelections, deviceBatch } from "./_device.ts";
import { checkShapes, labelsOf, pack } from "./_util.ts";

/**
 * Batch-all mining: every valid triplet of the batch — anchor `a`, positive `p ≠ a` of its
 * class, negative `n` of another class. Depends on the labels only (`n·(K−1)·(n−K)` triplets
 * for `P` classes of `K` items), so pair it with a reducer such as `meanNonZero`. One class,
 * or `K = 1`, gives no triplet (a mined loss of exactly 0).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { batchAll } from "./batch_all.ts";
 * await tf.setBackend("cpu");
 * const input = { kind: "labelled" as const, embeddings: tf.zeros([4, 2]) as tf.Tensor2D, labels: tf.tensor1d([0, 0, 1, 1], "int32") };
 * const t = batchAll()(input);
 * // 4 anchors × 1 positive × 2 negatives, as (anchor, positive, negative) rows
 * const rows = [...t.anchor].map((a, i) => `${a}${t.positive[i]}${t.negative[i]}`);
 * if (rows.join() !== "012,013,102,103,230,231,320,321") throw new Error(rows.join());
 * ```
 */
export function batchAll(): Miner {
  const device: DeviceMiner = (input, _distance, reference) => {
    checkShapes("batch-all triplets", input);
    return {
      kind: "mask",
      mask: tf.tidy(() => {
        const { same, other } = deviceBatch(input, reference);
        return tf.mul(tf.expandDims(same, 2), tf.expandDims(other, 1));
      }),
    };
  };
  const host = (input: Parameters<Miner>[0]) => {
    const labels = labelsOf("batch-all triplets", input);
    const a: number[] = [], p: number[] = [], n: number[] = [];
    for (let i = 0; i < labels.length; i++) {
      for (let j = 0; j < labels.length; j++) {
        if (j === i || labels[j] !== labels[i]) continue;
        for (let k = 0; k < labels.length; k++) {
          if (labels[k] === labels[i]) continue;
          a.push(i), p.push(j), n.push(k);
        }
      }
    }
    return pack(a, p, n);
  };
  cubicSelections.add(device);
  return Object.assign(host, { device });
}
