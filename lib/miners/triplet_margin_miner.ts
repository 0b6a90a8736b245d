import { euclidean } from "../distances/euclidean.ts";
import { checkDistance } from "../distances/host.ts";
import type { Distance } from "../types.ts";
import * as tf from "@tensorflow/tfjs";
import type { DeviceMiner, Miner } from "./miner.ts";
import {
  atMost,
  chooseOnDevice,
  cubicSelections,
  deviceBatch,
  float,
  greaterThan,
} from "./_device.ts";
import { checkShapes, distanceRows, labelsOf, pack } from "./_util.ts";

/** Which triplets {@linkcode tripletMarginMiner} keeps. */
export type TripletMarginType = "all" | "hard" | "semihard" | "easy";

/** Options of {@linkcode tripletMarginMiner}. */
export interface TripletMarginMinerOptions {
  /** The margin the gap `d(a, n) − d(a, p)` is compared with (default 0.2, as pml). */
  readonly margin?: number;
  /** Which triplets to keep (default `"all"`, as pml); see {@linkcode tripletMarginMiner}. */
  readonly type?: TripletMarginType;
  /**
   * Distance used to measure the gap (default: the distance of the loss it is `mined` with,
   * else `euclidean`).
   */
  readonly distance?: Distance;
}

const TYPES: readonly string[] = ["all", "hard", "semihard", "easy"];

/**
 * pytorch-metric-learning's `TripletMarginMiner`: of every valid triplet `(a, p, n)` of the
 * batch (`p ≠ a` of the anchor's class, `n` of another), with gap `g = d(a, n) − d(a, p)`,
 * keep
 *
 * - `"all"`: the triplets that violate the margin, `g ≤ margin`;
 * - `"hard"`: those of them whose negative is at most as far as the positive, `g ≤ 0`;
 * - `"semihard"`: those whose negative is further than the positive, `0 < g ≤ margin`;
 * - `"easy"`: the others, `g > margin`.
 *
 * Triplets are listed by anchor, then positive, then negative (pml's order). One class, or
 * one item per class, gives no triplet (a `mined` loss of exactly 0).
 *
 * Not the same as {@linkcode semiHard}, which is FaceNet's (TF-Addons') rule: one triplet per
 * positive pair, its closest negative beyond the positive whatever the margin (else the
 * furthest negative). `tripletMarginMiner({ type: "semihard" })` keeps every negative in the
 * band `d(a, p) < d(a, n) ≤ d(a, p) + margin` and none when the band is empty.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { tripletMarginMiner } from "./triplet_margin_miner.ts";
 * await tf.setBackend("cpu");
 * // Class 0 at 0 and 1; class 1 at 0.5, 1.1 and 3. For anchor 0 and positive 1 (d = 1) the
 * // gaps are −0.5, 0.1, 2: hard keeps row 2, semihard row 3, easy row 4.
 * const input = { kind: "labelled" as const, embeddings: tf.tensor2d([[0], [1], [0.5], [1.1], [3]]), labels: tf.tensor1d([0, 0, 1, 1, 1], "int32") };
 * const negatives = (type: "hard" | "semihard" | "easy") => {
 *   const t = tripletMarginMiner({ type })(input);
 *   return [...t.negative].filter((_, k) => t.anchor[k] === 0 && t.positive[k] === 1).join();
 * };
 * if (negatives("hard") !== "2" || negatives("semihard") !== "3" || negatives("easy") !== "4") throw new Error("miner");
 * ```
 */
export function tripletMarginMiner(options: TripletMarginMinerOptions = {}): Miner {
  const what = "create tripletMarginMiner";
  const margin = options.margin ?? 0.2;
  if (typeof margin !== "number" || !Number.isFinite(margin)) {
    throw new Error(
      `Cannot ${what} as options.margin must be a finite number: current value is ${margin}`,
    );
  }
  const type = options.type ?? "all";
  if (!TYPES.includes(type)) {
    throw new Error(
      `Cannot ${what} as options.type must be one of ${TYPES.join(", ")}: current value is ${
        String(type)
      }`,
    );
  }
  const keep = (g: number) =>
    type === "easy"
      ? g > margin
      : g <= margin && (type === "hard" ? g <= 0 : type === "semihard" ? g > 0 : true);
  const own = options.distance === undefined
    ? undefined
    : checkDistance(what, "options.distance", options.distance);
  const pick = (given?: Distance) =>
    own ??
      (given === undefined
        ? euclidean
        : checkDistance("mine margin triplets", "the loss's distance", given));
  // On the device the gap d(a, n) − d(a, p) is a float32 difference (the host's is exact in
  // float64): a gap within a float32 rounding of the margin may be kept by one and not the
  // other. Its sign is exact (a float difference is 0 only for equal values), so "hard"'s
  // g ≤ 0 and "semihard"'s g > 0 agree with the host exactly. Scalar comparisons only.
  const keepOnDevice = (g: tf.Tensor): tf.Tensor => {
    if (type === "easy") return float(greaterThan(g, margin));
    const within = float(atMost(g, margin));
    if (type === "hard") return tf.mul(within, float(tf.lessEqual(g, 0)));
    if (type === "semihard") return tf.mul(within, float(tf.greater(g, 0)));
    return within;
  };
  const device: DeviceMiner = (input, given, reference) => {
    const distance = pick(given);
    checkShapes("margin triplets", input);
    const mask = tf.tidy(() =>
      chooseOnDevice(distance, deviceBatch(input, reference), (d, same, other) => {
        const g = tf.sub(tf.expandDims(d, 1), tf.expandDims(d, 2)); // g[a, p, n] = d_an − d_ap
        const valid = tf.mul(tf.expandDims(same, 2), tf.expandDims(other, 1));
        return tf.mul(keepOnDevice(g), valid);
      })
    );
    return { kind: "mask", mask };
  };
  const host = (input: Parameters<Miner>[0], given?: Distance) => {
    const distance = pick(given);
    const labels = labelsOf("margin triplets", input);
    const d = distanceRows("margin triplets", distance, input.embeddings);
    const a: number[] = [], p: number[] = [], n: number[] = [];
    labels.forEach((label, i) => {
      labels.forEach((l, j) => {
        if (j === i || l !== label) return;
        labels.forEach((m, k) => {
          if (m !== label && keep(d[i][k] - d[i][j])) a.push(i), p.push(j), n.push(k);
        });
      });
    });
    return pack(a, p, n);
  };
  cubicSelections.add(device);
  return Object.assign(host, { device });
}
