import { euclidean } from "../distances/euclidean.ts";
import { checkDistance } from "../distances/host.ts";
import type { Distance } from "../types.ts";
import * as tf from "@tensorflow/tfjs";
import type { DevicePairMiner, MinedPairs, PairMiner } from "./pair_miner.ts";
import { chooseOnDevice, deviceBatch, float, greaterThan, lessThan, unstack } from "./_device.ts";
import { checkShapes, distanceRows, labelsOf } from "./_util.ts";

/** Options of {@linkcode pairMarginMiner}. */
export interface PairMarginMinerOptions {
  /** Keep same-class pairs further apart than this (default 0.2, as pml). */
  readonly posMargin?: number;
  /** Keep other-class pairs closer than this (default 0.8, as pml). */
  readonly negMargin?: number;
  /**
   * Distance the margins are on (default: the distance of the loss it mines for, else
   * `euclidean`).
   */
  readonly distance?: Distance;
}

/**
 * pytorch-metric-learning's `PairMarginMiner`: the same-class pairs `(a, p)`, `a ≠ p`, with
 * `d(a, p) > posMargin` and the other-class pairs `(a, n)` with `d(a, n) < negMargin` — the
 * pairs a contrastive loss with those margins would charge. Pairs are listed by anchor, then
 * by row (both orders of each pair, as pml).
 *
 * Margins are on the distance. pml's similarity form (its `CosineSimilarity`, keeping
 * positives with `s < posMargin` and negatives with `s > negMargin`) is this miner on
 * `cosine` (`d = 1 − s`) with margins `1 − posMargin` and `1 − negMargin`. Mining for
 * `multiSimilarity` or `circle`, whose distance is `cosine`, the margins are cosine distances.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { pairMarginMiner } from "./pair_margin_miner.ts";
 * await tf.setBackend("cpu");
 * // Class 0 at 0, 0.1 and 1; class 1 at 1.5. Positives further than 0.2: (0, 2), (1, 2) both
 * // ways; negatives closer than 0.8: only (2, 3) both ways.
 * const input = { kind: "labelled" as const, embeddings: tf.tensor2d([[0], [0.1], [1], [1.5]]), labels: tf.tensor1d([0, 0, 0, 1], "int32") };
 * const m = pairMarginMiner()(input);
 * const pairs = (a: Int32Array, b: Int32Array) => [...a].map((x, k) => `${x}${b[k]}`).join();
 * if (pairs(m.posAnchor, m.positive) !== "02,12,20,21") throw new Error(pairs(m.posAnchor, m.positive));
 * if (pairs(m.negAnchor, m.negative) !== "23,32") throw new Error(pairs(m.negAnchor, m.negative));
 * ```
 */
export function pairMarginMiner(options: PairMarginMinerOptions = {}): PairMiner {
  const what = "create pairMarginMiner";
  const finite = (name: string, value: number) => {
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new Error(
        `Cannot ${what} as options.${name} must be a finite number: current value is ${value}`,
      );
    }
    return value;
  };
  const posMargin = finite("posMargin", options.posMargin ?? 0.2);
  const negMargin = finite("negMargin", options.negMargin ?? 0.8);
  const own = options.distance === undefined
    ? undefined
    : checkDistance(what, "options.distance", options.distance);
  const pick = (given?: Distance) =>
    own ??
      (given === undefined
        ? euclidean
        : checkDistance("mine margin pairs", "the loss's distance", given));
  const device: DevicePairMiner = (input, given, reference) => {
    const distance = pick(given);
    checkShapes("margin pairs", input);
    const [same, other] = tf.tidy(() =>
      unstack(
        chooseOnDevice(distance, deviceBatch(input, reference), (d, s, o) =>
          tf.stack([
            tf.mul(float(greaterThan(d, posMargin)), s),
            tf.mul(float(lessThan(d, negMargin)), o),
          ])),
      )
    );
    return { same, other };
  };
  const host = (input: Parameters<PairMiner>[0], given?: Distance): MinedPairs => {
    const distance = pick(given);
    const labels = labelsOf("margin pairs", input);
    const d = distanceRows("margin pairs", distance, input.embeddings);
    const a1: number[] = [], p: number[] = [], a2: number[] = [], n: number[] = [];
    labels.forEach((label, i) =>
      labels.forEach((l, j) => {
        if (j === i) return;
        if (l === label) {
          if (d[i][j] > posMargin) a1.push(i), p.push(j);
        } else if (d[i][j] < negMargin) a2.push(i), n.push(j);
      })
    );
    return {
      posAnchor: Int32Array.from(a1),
      positive: Int32Array.from(p),
      negAnchor: Int32Array.from(a2),
      negative: Int32Array.from(n),
    };
  };
  return Object.assign(host, { device });
}
