// The losses, miners and reducers added with issue #14 on arbitrary and hostile labelled
// batches — one class, one item per class, one row, no rows, duplicate rows, zero vectors,
// huge values — on cpu and wasm (and native where it runs): the result is finite and equals
// a float64 loop oracle, or the call throws an Error naming the argument; never NaN, no
// tensor left behind.
import assert from "node:assert/strict";
import fc from "fast-check";
import * as tf from "@tensorflow/tfjs";
import {
  angular,
  classWeighted,
  fastAP,
  lpRegularizer,
  marginLoss,
  multiSimilarity,
  nPairs,
  perAnchor,
  pmlTripletMarginLoss,
  thresholdReducer,
  tripletMargin,
} from "../../lib/losses/mod.ts";
import {
  batchAll,
  distanceWeighted,
  mined,
  pairMarginMiner,
  tripletMarginMiner,
} from "../../lib/miners/mod.ts";
import { cos, logSumExp, partners } from "../losses/_oracle.ts";
import {
  angularOracle,
  fastAPOracle,
  l2,
  marginOracle,
  nPairsOracle,
  triplets,
} from "../losses/_pml_oracles.ts";
import type { Labelled, Loss, Tensor2D } from "../../lib/types.ts";
import {
  activate,
  backends,
  type Batch,
  degenerateBatches,
  labelledOf as input,
} from "./_degenerate.ts";

const batchArb = degenerateBatches({ sameLabel: 2, unit: true });
const avg = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, c) => a + c, 0) / xs.length);
const magnitude = (b: Batch) => 1 + Math.max(0, ...b.rows.flat().map(Math.abs));

interface Case {
  name: string;
  loss: () => Loss<Labelled>;
  oracle: (b: Batch) => number;
  /** Absolute tolerance for a batch (default: float32 rounding of its distances). */
  tolerance?: (b: Batch, want: number) => number;
  /** Skip batches where float32 and float64 may choose differently (mined sets). */
  skip?: (b: Batch) => boolean;
}

/** Whether some two distance gaps are within float32 rounding of a bound (mining is a choice). */
const nearBound = (b: Batch, bounds: number[]) => {
  const d = b.rows.map((r) => b.rows.map((s) => l2(r, s)));
  return d.some((row) =>
    row.some((x) => bounds.some((m) => Math.abs(x - m) < 1e-5 * (1 + x))) ||
    row.some((x) => row.some((y) => bounds.some((m) => Math.abs(y - x - m) < 1e-5 * (1 + x + y))))
  );
};

const msRow = (b: Batch, i: number) => {
  const { pos, neg } = partners(b, i);
  return logSumExp(pos.map((j) => -2 * (cos(b.rows[i], b.rows[j]) - 0.5)), true) / 2 +
    logSumExp(neg.map((j) => 50 * (cos(b.rows[i], b.rows[j]) - 0.5)), true) / 50;
};

const cases: Case[] = [
  {
    name: "nPairs",
    loss: () => nPairs(),
    oracle: (b) => nPairsOracle(b),
    // logits are dot products (up to 1e25 for huge rows): float32 relative rounding
    tolerance: (b, want) => 1e-5 * (magnitude(b) ** 2 + Math.abs(want)),
  },
  {
    name: "marginLoss",
    loss: () => marginLoss(),
    oracle: (b) => marginOracle(b),
    skip: (b) => nearBound(b, [1.0, 1.4]),
  },
  {
    name: "marginLoss + tripletMarginMiner",
    loss: () => marginLoss({ miner: tripletMarginMiner({ margin: 0.3 }) }),
    oracle: (b) =>
      marginOracle(
        b,
        {},
        triplets(b).filter(([a, p, n]) =>
          l2(b.rows[a], b.rows[n]) - l2(b.rows[a], b.rows[p]) <= 0.3
        ),
      ),
    skip: (b) => nearBound(b, [0.3, 1.0, 1.4]),
  },
  {
    name: "angular",
    loss: () => angular(),
    oracle: (b) => angularOracle(b),
    tolerance: (b, want) => 1e-5 * (magnitude(b) * 4 + Math.abs(want)),
  },
  { name: "fastAP", loss: () => fastAP(), oracle: (b) => fastAPOracle(b) },
  {
    name: "lpRegularizer",
    loss: () => lpRegularizer(),
    oracle: (b) => avg(b.rows.map((r) => Math.hypot(...r))),
  },
  {
    name: "perAnchor(pmlTripletMarginLoss)",
    loss: () => perAnchor(pmlTripletMarginLoss({ margin: 0.2 })),
    oracle: (b) =>
      avg(b.rows.map((_, a) => {
        const costs = triplets(b).filter(([x]) => x === a).map(([, p, n]) =>
          Math.max(0, l2(b.rows[a], b.rows[p]) - l2(b.rows[a], b.rows[n]) + 0.2)
        ).filter((c) => c > 0);
        return avg(costs);
      })),
    skip: (b) => nearBound(b, [0.2]),
  },
  {
    name: "classWeighted(multiSimilarity)",
    loss: () => classWeighted(multiSimilarity(), [0.5, 1, 2, 3, 4, 5]),
    oracle: (b) => avg(b.rows.map((_, i) => msRow(b, i) * [0.5, 1, 2, 3, 4, 5][b.labels[i]])),
  },
  {
    name: "thresholdReducer on mined all triplets",
    loss: () =>
      mined(batchAll(), tripletMargin({ margin: 0.2 }), {
        reduce: thresholdReducer({ low: 0.1, high: 1 }),
      }),
    oracle: (b) =>
      avg(
        triplets(b)
          .map(([a, p, n]) =>
            Math.max(0, l2(b.rows[a], b.rows[p]) - l2(b.rows[a], b.rows[n]) + 0.2)
          )
          .filter((c) => c > 0.1 && c < 1),
      ),
    skip: (b) => nearBound(b, [0.2 - 0.1, 0.2 - 1, 0.2]),
  },
  {
    name: "multiSimilarity + pairMarginMiner",
    loss: () => multiSimilarity({ miner: pairMarginMiner({ posMargin: 0.1, negMargin: 1.2 }) }),
    oracle: (b) =>
      avg(b.rows.map((r, i) => {
        const { pos, neg } = partners(b, i);
        const d = (j: number) => 1 - cos(r, b.rows[j]);
        const sp = pos.filter((j) => d(j) > 0.1).map((j) => -2 * (cos(r, b.rows[j]) - 0.5));
        const sn = neg.filter((j) => d(j) < 1.2).map((j) => 50 * (cos(r, b.rows[j]) - 0.5));
        return logSumExp(sp, true) / 2 + logSumExp(sn, true) / 50;
      })),
    skip: (b) =>
      b.rows.some((r, i) =>
        b.rows.some((s, j) => i !== j && [0.1, 1.2].some((m) => Math.abs(1 - cos(r, s) - m) < 1e-5))
      ),
  },
];

for (const c of cases) {
  Deno.test(`fuzz: ${c.name} on degenerate batches equals its loop oracle (${backends})`, async () => {
    for (const backend of backends) {
      await activate(backend);
      await fc.assert(
        fc.asyncProperty(batchArb, async (b) => {
          if (c.skip) fc.pre(!c.skip(b));
          const before = tf.memory().numTensors;
          const loss = c.loss();
          const x = input(b);
          try {
            const value = tf.tidy(() => loss.reduce(loss.perItem(x)));
            const got = (await value.data())[0];
            value.dispose();
            const want = c.oracle(b);
            assert.ok(Number.isFinite(got), `${backend} ${c.name}: ${got} on ${JSON.stringify(b)}`);
            const tolerance = c.tolerance?.(b, want) ??
              1e-5 * (magnitude(b) * 2 * Math.sqrt(b.dim) + Math.abs(want)) + 1e-6;
            assert.ok(
              Math.abs(got - want) <= tolerance,
              `${backend} ${c.name}: ${got}, oracle ${want} on ${JSON.stringify(b)}`,
            );
          } finally {
            tf.dispose([x.embeddings, x.labels]);
          }
          assert.equal(tf.memory().numTensors, before, `${c.name} leaked on ${backend}`);
        }),
        { numRuns: 30, seed: 14 },
      );
    }
  });
}

Deno.test("fuzz: distanceWeighted gives valid triplets of finite cost, or throws naming rows", async () => {
  for (const backend of backends) {
    await activate(backend);
    await fc.assert(
      fc.asyncProperty(batchArb, fc.integer({ min: 0, max: 1000 }), async (b, seed) => {
        const x = input(b);
        const loss = marginLoss({ miner: distanceWeighted({ seed }) });
        try {
          const t = distanceWeighted({ seed })(x);
          t.anchor.forEach((a, k) => {
            assert.equal(b.labels[t.positive[k]], b.labels[a]);
            assert.notEqual(t.positive[k], a);
            assert.notEqual(b.labels[t.negative[k]], b.labels[a]);
            assert.ok(l2(b.rows[a], b.rows[t.negative[k]]) < 1.4 + 1e-5);
          });
          const value = tf.tidy(() => loss.reduce(loss.perItem(x)));
          const v = (await value.data())[0];
          value.dispose();
          assert.ok(Number.isFinite(v) && v >= 0, `${backend}: ${v}`);
          if (t.anchor.length === 0) assert.ok(Object.is(v, 0));
        } catch (e) {
          // only values too large for float32 distances may refuse, and they name the rows
          assert.match(
            String(e),
            /Cannot mine distance-weighted triplets as the distance between embeddings rows \d+ and \d+ is/,
          );
        } finally {
          tf.dispose([x.embeddings, x.labels]);
        }
      }),
      { numRuns: 30, seed: 15 },
    );
  }
});

Deno.test("fuzz: hostile options and inputs are errors naming the argument", () => {
  const bad: [() => unknown, RegExp][] = [
    [() => marginLoss({ margin: -0.1 }), /options\.margin must be ≥ 0/],
    [() => angular({ alpha: 120 }), /options\.alpha must be an angle in degrees/],
    [() => fastAP({ bins: -3 }), /options\.bins must be an integer/],
    [() => lpRegularizer({ p: NaN }), /options\.p must be a finite number ≥ 1/],
    [() => thresholdReducer({ low: 3, high: 3 }), /options\.low must be < options\.high/],
    [() => tripletMarginMiner({ margin: Infinity * 0 }), /options\.margin must be a finite number/],
    [
      () =>
        nPairs().perItem({
          kind: "labelled",
          embeddings: tf.zeros([3, 2]) as Tensor2D,
          labels: tf.tensor1d([1, 2], "int32"),
        }),
      /labels must have shape \[3\]: current shape is \[2\]/,
    ],
    [
      () =>
        fastAP().perItem({
          kind: "labelled",
          embeddings: tf.zeros([3]) as unknown as Tensor2D,
          labels: tf.tensor1d([1, 2, 3], "int32"),
        }),
      /embeddings must be rank 2: current rank is 1/,
    ],
    [
      () =>
        classWeighted(multiSimilarity(), [1, 1]).perItem({
          kind: "labelled",
          embeddings: tf.zeros([2, 2]) as Tensor2D,
          labels: tf.tensor1d([0, -1], "int32"),
        }),
      /label -1 at row 1/,
    ],
  ];
  for (const [f, message] of bad) assert.throws(f, message);
});
