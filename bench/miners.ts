/**
 * Per-step cost of each miner, host form (reads the distance matrix back and loops in JS)
 * against device form (masks by tensor ops; triplet miners then read back only the chosen
 * indices, as `mined` does), on P×K batches of l2-normalised 64-d embeddings (K = 4), and the
 * read-backs (`dataSync`/`arraySync`/`data`/`array` calls) per step. Also the whole loss
 * value with a miner: the old path (host miner, masks uploaded) against the device path.
 *
 * Run: `deno run -A bench/miners.ts [native|cpu|wasm] [batch sizes, comma-separated]`
 * (default: native, 128,384).
 *
 * The cpu-side backends run kernels eagerly, so a device form's time includes its work.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../lib/backend/mod.ts";
import { multiSimilarity, tripletMargin } from "../lib/losses/mod.ts";
import { minedMasks } from "../lib/losses/_mined_masks.ts";
import {
  batchAll,
  batchHard,
  mined,
  type Miner,
  multiSimilarityMiner,
  pairMarginMiner,
  type PairMiner,
  tripletMarginMiner,
} from "../lib/miners/mod.ts";
import { selectionIndices } from "../lib/miners/mined.ts";
import type { Labelled, Tensor } from "../lib/types.ts";

const backend = (Deno.args[0] ?? "native") as "native" | "cpu" | "wasm";
const sizes = (Deno.args[1] ?? "128,384").split(",").map(Number);
await useBackend(backend);

/** Counts read-backs while `f` runs. */
function counted<T>(f: () => T): { value: T; reads: number } {
  const proto = tf.Tensor.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const names = ["dataSync", "arraySync", "data", "array"];
  const saved = names.map((n) => proto[n]);
  let reads = 0, depth = 0;
  names.forEach((n, i) => {
    proto[n] = function (this: unknown, ...a: unknown[]) {
      if (depth === 0) reads++; // arraySync reads through dataSync: one read-back
      depth++;
      try {
        return saved[i].apply(this, a);
      } finally {
        depth--;
      }
    };
  });
  try {
    return { value: f(), reads };
  } finally {
    names.forEach((n, i) => (proto[n] = saved[i]));
  }
}

/** Median ms of `f` over `reps` runs after three warm-up runs, and its read-backs per run. */
function time(reps: number, f: () => void): { ms: number; reads: number } {
  for (let i = 0; i < 3; i++) f();
  const { reads } = counted(f);
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], reads };
}

const triplets: [string, Miner][] = [
  ["batchHard", batchHard()],
  ["batchAll", batchAll()],
  ["tripletMarginMiner all", tripletMarginMiner()],
  ["tripletMarginMiner semihard", tripletMarginMiner({ type: "semihard" })],
];
const pairs: [string, PairMiner][] = [
  ["pairMarginMiner", pairMarginMiner()],
  ["multiSimilarityMiner", multiSimilarityMiner()],
];

console.log(`backend ${tf.getBackend()}; median ms per step; reads = read-backs per step`);
console.log("| miner | batch | host ms | host reads | device ms | device reads | chosen |");
console.log("|---|---|---|---|---|---|---|");
const rows: string[] = [];
for (const n of sizes) {
  const reps = n >= 300 ? 5 : 15;
  const input: Labelled = {
    kind: "labelled",
    embeddings: tf.tidy(() => {
      const r = tf.randomNormal([n, 64], 0, 1, "float32", n);
      return tf.div(r, tf.norm(r, 2, 1, true)) as tf.Tensor2D;
    }),
    labels: tf.tensor1d(Array.from({ length: n }, (_, i) => Math.floor(i / 4)), "int32"),
  };
  for (const [name, miner] of triplets) {
    let chosen = 0;
    const host = time(reps, () => void (chosen = miner(input).anchor.length));
    const device = time(reps, () => void selectionIndices(miner.device!(input)));
    rows.push(
      `| ${name} | ${n} | ${host.ms.toFixed(1)} | ${host.reads} | ${
        device.ms.toFixed(1)
      } | ${device.reads} | ${chosen} triplets |`,
    );
    console.log(rows[rows.length - 1]);
  }
  for (const [name, miner] of pairs) {
    let chosen = 0;
    const host = time(reps, () => {
      const m = miner(input);
      chosen = m.positive.length + m.negative.length;
      const masks = minedMasks(n, m); // what a pair loss then uploads
      tf.dispose([masks.same, masks.other]);
    });
    const device = time(reps, () => {
      const masks = miner.device!(input);
      tf.dispose([masks.same, masks.other]);
    });
    rows.push(
      `| ${name} | ${n} | ${host.ms.toFixed(1)} | ${host.reads} | ${
        device.ms.toFixed(1)
      } | ${device.reads} | ${chosen} pairs |`,
    );
    console.log(rows[rows.length - 1]);
  }
  // the whole loss value with a miner: old path (host form) against the device path
  const hostOnly = <M extends (...a: never[]) => unknown>(m: M) =>
    ((...a: Parameters<M>) => m(...a)) as M;
  const losses: [
    string,
    (hostPath: boolean) => { perItem: (i: Labelled) => Tensor; reduce: (t: tf.Tensor1D) => Tensor },
  ][] = [
    [
      "multiSimilarity + its miner",
      (h) =>
        multiSimilarity({ miner: h ? hostOnly(multiSimilarityMiner()) : multiSimilarityMiner() }),
    ],
    [
      "mined(batchHard, tripletMargin)",
      (h) => mined(h ? hostOnly(batchHard()) : batchHard(), tripletMargin()),
    ],
  ];
  for (const [name, make] of losses) {
    const run = (h: boolean) => {
      const loss = make(h);
      return time(reps, () => {
        const v = tf.tidy(() => loss.reduce(loss.perItem(input) as tf.Tensor1D));
        v.dispose();
      });
    };
    const host = run(true), device = run(false);
    rows.push(
      `| loss: ${name} | ${n} | ${host.ms.toFixed(1)} | ${host.reads} | ${
        device.ms.toFixed(1)
      } | ${device.reads} | |`,
    );
    console.log(rows[rows.length - 1]);
  }
  tf.dispose([input.embeddings, input.labels]);
}
