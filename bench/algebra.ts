/**
 * What the fp-ts-shaped algebra costs beside the hand-written code it stands for:
 *
 * - ranking 10,000 candidates: `rankingOrd().compare` with `Array.prototype.sort`, and
 *   fp-ts's `ReadonlyArray.sort(rankingOrd())`, against the inline comparator the library's
 *   neighbour lists and gallery use (`a.distance - b.distance || a.index - b.index`);
 * - the 10 nearest of 100,000 candidates in 100 chunks: `nearestK(10)` folded over the chunks
 *   (fp-ts's `concatAll`) against sorting all of them and cutting;
 * - losses: `concatAll(lossMonoid())` of three losses against `plus(plus(a, b), c)` (the
 *   monoid's `concat` is `plus` itself), forward on a batch of 128 pairs;
 * - reducers: `reducerMonoid().concat(mean, sum)` against `tf.add(mean(x), sum(x))`.
 *
 * Run: `deno run -A bench/algebra.ts` (prints a markdown table; medians of 15 runs of each,
 * alternated, in CPU ms of this process, which a shared machine disturbs less than wall time).
 *
 * @module
 */
import process from "node:process";
import * as tf from "@tensorflow/tfjs";
import { concatAll } from "fp-ts/lib/Monoid.js";
import * as RA from "fp-ts/lib/ReadonlyArray.js";
import { useBackend } from "../lib/backend/mod.ts";
import { contrastive, lossMonoid, mean, plus, sum } from "../lib/losses/mod.ts";
import { reducerMonoid } from "../lib/losses/monoid.ts";
import { type Candidate, nearestK, rankingOrd } from "../lib/metrics/ranking_order.ts";
import type { Loss, Pair, Tensor1D } from "../lib/types.ts";

/** One call's CPU milliseconds. */
function cpuOnce(f: () => unknown): number {
  const start = process.cpuUsage();
  f();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/**
 * Median CPU milliseconds of `ours` and of `baseline`, measured alternately (`runs` each,
 * after a warm-up of both), so that a load change on a shared machine hits both alike.
 */
function compare(ours: () => unknown, baseline: () => unknown, runs = 15): [number, number] {
  for (let i = 0; i < 3; i++) ours(), baseline();
  const a: number[] = [], b: number[] = [];
  for (let r = 0; r < runs; r++) {
    if (r % 2 === 0) a.push(cpuOnce(ours)), b.push(cpuOnce(baseline));
    else b.push(cpuOnce(baseline)), a.push(cpuOnce(ours));
  }
  const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  return [median(a), median(b)];
}

let s = 7;
const uniform = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
const make = (n: number): Candidate[] =>
  Array.from({ length: n }, (_, index) => ({
    // float32-like distances with some exact ties
    distance: Math.round(uniform() * 5000) / 1000,
    index,
    match: uniform() < 0.1,
  }));

const rows: [string, number, number][] = [];
const pairOf = (name: string, ours: () => unknown, baseline: () => unknown) =>
  rows.push([name, ...compare(ours, baseline)]);

// ranking
const ten = make(10_000);
const inline = (a: Candidate, b: Candidate) => a.distance - b.distance || a.index - b.index;
const baseSort = () => [...ten].sort(inline);
pairOf(
  "sort 10,000: rankingOrd().compare",
  () => [...ten].sort(rankingOrd().compare),
  baseSort,
);
pairOf("sort 10,000: fp-ts sort(rankingOrd())", () => RA.sort(rankingOrd())(ten), baseSort);

// k nearest over chunks
const hundred = make(100_000);
const chunks = Array.from({ length: 100 }, (_, i) => hundred.slice(i * 1000, (i + 1) * 1000));
const M = nearestK<Candidate>(10);
pairOf(
  "10 nearest of 100,000 in 100 chunks: concatAll(nearestK(10))",
  () => concatAll(M)(chunks),
  () => [...hundred].sort(inline).slice(0, 10),
);

// losses and reducers (tfjs, cpu backend)
await useBackend("cpu");
const [a, b, c] = [contrastive(), contrastive({ squared: true }), contrastive({ margin: 2 })];
const byMonoid = concatAll(lossMonoid<Pair>())([a, b, c]);
const byPlus = plus(plus(a, b), c);
const pair = {
  kind: "pair" as const,
  left: tf.randomNormal([128, 32], 0, 1, "float32", 1) as tf.Tensor2D,
  right: tf.randomNormal([128, 32], 0, 1, "float32", 2) as tf.Tensor2D,
  same: tf.tensor1d(Array.from({ length: 128 }, (_, i) => i % 2)),
};
const forward = (loss: Loss<Pair>) => () => {
  for (let i = 0; i < 50; i++) tf.tidy(() => loss.reduce(loss.perItem(pair)).dataSync());
};
pairOf(
  "50 × loss of 3 over 128 pairs: concatAll(lossMonoid())",
  forward(byMonoid),
  forward(byPlus),
);
const perItem = tf.randomUniform([4096]) as Tensor1D;
const R = reducerMonoid().concat(mean, sum);
pairOf(
  "1,000 × reduce 4,096: reducerMonoid().concat(mean, sum)",
  () => {
    for (let i = 0; i < 1000; i++) tf.tidy(() => R(perItem).dataSync());
  },
  () => {
    for (let i = 0; i < 1000; i++) tf.tidy(() => tf.add(mean(perItem), sum(perItem)).dataSync());
  },
);

console.log("| what | algebra (CPU ms) | hand-written (CPU ms) | ratio |");
console.log("| --- | ---: | ---: | ---: |");
for (const [name, ours, base] of rows) {
  console.log(
    `| ${name} | ${ours.toFixed(1)} | ${base.toFixed(1)} | ${(ours / base).toFixed(2)} |`,
  );
}
