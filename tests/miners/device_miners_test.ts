// The device forms of the miners choose exactly what their host forms choose (random batches,
// one class, singletons, ties, one row, no rows, grids with exact distance ties), read
// nothing back when a pair loss uses them, and can be differentiated through.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { cosine, euclidean, manhattan } from "../../lib/distances/mod.ts";
import { circle, multiSimilarity, tripletMargin } from "../../lib/losses/mod.ts";
import { minedMasks } from "../../lib/losses/_mined_masks.ts";
import {
  batchAll,
  batchHard,
  mined,
  type Miner,
  multiSimilarityMiner,
  pairMarginMiner,
  type PairMiner,
  tripletMarginMiner,
} from "../../lib/miners/mod.ts";
import { selectionIndices } from "../../lib/miners/mined.ts";
import type { Distance, Labelled } from "../../lib/types.ts";
import { type Batch, batches, labelled, rng } from "../losses/_oracle.ts";
import { BACKENDS, use } from "../train/_compiled.ts";

await tf.setBackend("cpu");

/** The oracle's batches, larger random ones, and grids whose distances tie exactly. */
function cases(): [string, Batch][] {
  const out = batches();
  for (const [seed, n, classes] of [[21, 24, 4], [22, 40, 3], [23, 33, 11], [24, 16, 1]]) {
    const next = rng(seed);
    const rows = Array.from({ length: n }, () => [0, 1, 2].map(() => Math.fround(next())));
    out.push([`random ${n} rows, ${classes} classes`, {
      rows,
      labels: rows.map(() => Math.floor(((next() + 1) / 2) * classes) % classes),
    }]);
  }
  // integer points: many exactly equal distances (and margins hit exactly)
  const next = rng(31);
  const grid = Array.from({ length: 20 }, () => [0, 1, 2].map(() => Math.round(next() * 2)));
  out.push(["integer grid (ties)", { rows: grid, labels: grid.map((_, i) => i % 3) }]);
  return out;
}

const key = (t: { anchor: Int32Array; positive: Int32Array; negative: Int32Array }) =>
  [...t.anchor].map((a, k) => `${a},${t.positive[k]},${t.negative[k]}`).join(" ");

function sameTriplets(name: string, miner: Miner, distance?: Distance) {
  let total = 0;
  for (const [what, b] of cases()) {
    const input = labelled(b);
    const host = miner(input, distance);
    const device = selectionIndices(miner.device!(input, distance));
    assert.equal(key(device), key(host), `${name}: ${what}`);
    total += host.anchor.length;
    tf.dispose([input.embeddings, input.labels]);
  }
  assert.ok(total > 50, `${name}: the cases exercise it (${total} triplets)`);
}

function samePairs(name: string, miner: PairMiner, distance?: Distance) {
  let total = 0;
  for (const [what, b] of cases()) {
    const input = labelled(b);
    const n = b.rows.length;
    const host = miner(input, distance);
    const want = minedMasks(n, host);
    const got = miner.device!(input, distance);
    assert.deepEqual(
      [Array.from(got.same.dataSync()), Array.from(got.other.dataSync())],
      [Array.from(want.same.dataSync()), Array.from(want.other.dataSync())],
      `${name}: ${what}`,
    );
    total += host.positive.length + host.negative.length;
    tf.dispose([input.embeddings, input.labels, got.same, got.other, want.same, want.other]);
  }
  assert.ok(total > 50, `${name}: the cases exercise it (${total} pairs)`);
}

Deno.test("batchHard's device form picks the host's triplets (ties to the lowest row), euclidean and cosine", () => {
  sameTriplets("batchHard", batchHard());
  sameTriplets("batchHard cosine", batchHard({ distance: cosine }));
  sameTriplets("batchHard, the loss's manhattan", batchHard(), manhattan);
});

Deno.test("batchAll's device form picks the host's triplets", () => {
  sameTriplets("batchAll", batchAll());
});

Deno.test("tripletMarginMiner's device form picks the host's triplets for every type", () => {
  for (const type of ["all", "hard", "semihard", "easy"] as const) {
    sameTriplets(`tripletMarginMiner ${type}`, tripletMarginMiner({ type, margin: 0.3 }));
    sameTriplets(`tripletMarginMiner ${type} margin 1`, tripletMarginMiner({ type, margin: 1 }));
  }
});

Deno.test("pairMarginMiner's device form picks the host's pairs, margins hit exactly included", () => {
  samePairs("pairMarginMiner", pairMarginMiner());
  // integer grid distances are 0, 1, √2, 2, …: margins 1 and 2 are hit exactly
  samePairs("pairMarginMiner 1/2", pairMarginMiner({ posMargin: 1, negMargin: 2 }));
  samePairs("pairMarginMiner cosine", pairMarginMiner({ posMargin: 0.3, negMargin: 0.9 }), cosine);
});

Deno.test("multiSimilarityMiner's device form picks the host's pairs", () => {
  samePairs("multiSimilarityMiner", multiSimilarityMiner());
  samePairs("multiSimilarityMiner ε 0", multiSimilarityMiner({ epsilon: 0 }));
  samePairs("multiSimilarityMiner euclidean", multiSimilarityMiner({ epsilon: 0.3 }), euclidean);
});

/** Counts dataSync / arraySync / data read-backs while `f` runs. */
function readBacks<T>(f: () => T): { value: T; count: number } {
  const proto = tf.Tensor.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const names = ["dataSync", "arraySync", "data", "array"];
  const saved = names.map((n) => proto[n]);
  let count = 0;
  names.forEach((n, i) => {
    proto[n] = function (this: unknown, ...a: unknown[]) {
      count++;
      return saved[i].apply(this, a);
    };
  });
  try {
    return { value: f(), count };
  } finally {
    names.forEach((n, i) => (proto[n] = saved[i]));
  }
}

Deno.test("a pair loss with a device miner reads nothing back per step; mined batch-hard reads the chosen indices once", () => {
  const [, b] = cases().find(([name]) => name.startsWith("random 24"))!;
  const input: Labelled = labelled(b);
  for (
    const loss of [
      multiSimilarity({ miner: multiSimilarityMiner() }),
      circle({ miner: pairMarginMiner({ posMargin: 0.1, negMargin: 0.9 }) }),
    ]
  ) {
    const { value, count } = readBacks(() => loss.reduce(loss.perItem(input)));
    assert.equal(count, 0, `${loss.name}: ${count} read-backs`);
    assert.ok(Number.isFinite(value.dataSync()[0]));
    value.dispose();
  }
  const hard = mined(batchHard(), tripletMargin());
  // one read-back of the selection, one of the costs (mined's check that none is NaN)
  const { value, count } = readBacks(() => hard.perItem(input));
  assert.equal(count, 2);
  value.dispose();
  tf.dispose([input.embeddings, input.labels]);
});

Deno.test("training through a device miner works (the selection is off the gradient tape) and leaks nothing", () => {
  const [, b] = cases().find(([name]) => name.startsWith("random 24"))!;
  const e = tf.variable(tf.tensor2d(b.rows));
  const labels = tf.tensor1d(b.labels, "int32");
  const before = tf.memory().numTensors;
  for (
    const loss of [
      multiSimilarity({ miner: multiSimilarityMiner() }),
      multiSimilarity({ miner: pairMarginMiner() }),
      mined(batchHard(), tripletMargin()),
      mined(tripletMarginMiner(), tripletMargin()),
    ]
  ) {
    const { value, grads } = tf.variableGrads(
      () =>
        loss.reduce(
          loss.perItem({ kind: "labelled", embeddings: e as tf.Tensor as tf.Tensor2D, labels }),
        ),
      [e],
    );
    const g = tf.tidy(() => tf.max(tf.abs(grads[e.name])).dataSync()[0]);
    assert.ok(Number.isFinite(g) && g > 0, `${loss.name}: gradient ${g}`);
    tf.dispose([value, ...Object.values(grads)]);
    assert.equal(tf.memory().numTensors - before, 0, loss.name);
  }
  tf.dispose([e, labels]);
});

Deno.test("mined with a device miner still names a non-finite row, also when no triplet includes it", () => {
  for (
    const [rows, labels] of [
      [[[NaN], [1]], [0, 1]], // no triplet at all
      [[[0], [1], [Infinity], [2]], [0, 0, 1, 1]],
    ] as const
  ) {
    const input: Labelled = {
      kind: "labelled",
      embeddings: tf.tensor2d(rows as unknown as number[][]),
      labels: tf.tensor1d([...labels], "int32"),
    };
    assert.throws(
      () => mined(batchHard(), tripletMargin()).perItem(input),
      /Cannot mine batch-hard triplets as embeddings must be finite: row \d holds (NaN|Infinity)/,
    );
    tf.dispose([input.embeddings, input.labels]);
  }
});

for (const backend of BACKENDS) {
  if (backend.name === "cpu") continue;
  Deno.test({
    name: `${backend.name}: the device forms pick the host forms' selections (ties included)`,
    ignore: backend.ignore,
    fn: async () => {
      await use(backend.name);
      try {
        sameTriplets("batchHard", batchHard());
        sameTriplets("batchAll", batchAll());
        sameTriplets("tripletMarginMiner hard", tripletMarginMiner({ type: "hard", margin: 0.3 }));
        samePairs("pairMarginMiner 1/2", pairMarginMiner({ posMargin: 1, negMargin: 2 }));
        samePairs("multiSimilarityMiner", multiSimilarityMiner());
      } finally {
        await use("cpu");
      }
    },
  });
}
