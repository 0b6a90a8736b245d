// Losses on degenerate batches — one class, one item per class, one row, no rows, duplicate
// rows, zero vectors, huge values — on cpu and wasm (and native where it runs): the result
// is finite and equals a float64 loop oracle, or the call throws an Error naming the
// argument. Values too large for float32 distances make mined losses throw (never NaN).
import assert from "node:assert/strict";
import fc from "fast-check";
import * as tf from "@tensorflow/tfjs";
import {
  circle,
  contrastive,
  generalizedLiftedStructure,
  meanNonZero,
  multiSimilarity,
  ntXent,
  pmlContrastiveLoss,
  pmlTripletMarginLoss,
  softMarginTriplet,
  supCon,
  tripletMargin,
} from "../../lib/losses/mod.ts";
import { batchAll, batchHard, mined, semiHard } from "../../lib/miners/mod.ts";
import { cos, logSumExp, partners } from "../losses/_oracle.ts";
import type { Loss, LossInput, Tensor2D } from "../../lib/types.ts";
import {
  activate,
  backends,
  type Batch,
  degenerateBatches,
  labelledOf as labelled,
} from "./_degenerate.ts";

type Rows = number[][];

const batchArb = degenerateBatches({ sameLabel: 7 });

const dist = (a: number[], b: number[]) => Math.sqrt(a.reduce((s, v, k) => s + (v - b[k]) ** 2, 0));
const relu = (x: number) => Math.max(x, 0);
const softplus = (x: number) => x > 30 ? x : Math.log1p(Math.exp(x));
const mean = (xs: number[]) => xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
const meanOfPositive = (xs: number[]) => mean(xs.filter((x) => x > 0));
const shift = <T>(xs: T[], k: number) => xs.map((_, i) => xs[(i + k) % xs.length]);

/** The scale of the batch's distances, for a float32 tolerance. */
const scale = (b: Batch) => 1 + Math.max(0, ...b.rows.flat().map(Math.abs)) * 2 * Math.sqrt(b.dim);

interface Case<I extends LossInput> {
  name: string;
  loss: () => Loss<I>;
  input: (b: Batch) => I;
  oracle: (b: Batch) => number;
}

const matrix = (rows: Rows, n: number, dim: number) =>
  tf.tensor2d(rows.flat(), [n, dim]) as Tensor2D;

/** Pairs (row i, row i+1), same when labels agree; triplets (i, i+1, i+2). */
// Each case pairs its loss with inputs of its own kind; the list holds several kinds.
// deno-lint-ignore no-explicit-any
const cases: Case<any>[] = [
  {
    name: "contrastive",
    loss: () => contrastive({ margin: 1 }),
    input: (b) => ({
      kind: "pair",
      left: matrix(b.rows, b.rows.length, b.dim),
      right: matrix(shift(b.rows, 1), b.rows.length, b.dim),
      same: tf.tensor1d(b.labels.map((l, i) => +(l === shift(b.labels, 1)[i])), "int32"),
    }),
    oracle: (b) =>
      mean(b.rows.map((r, i) => {
        const d = dist(r, shift(b.rows, 1)[i]);
        return b.labels[i] === shift(b.labels, 1)[i] ? d : relu(1 - d);
      })),
  },
  ...[
    ["tripletMargin", () => tripletMargin({ margin: 1 }), (x: number) => relu(x + 1)],
    ["softMarginTriplet", () => softMarginTriplet(), softplus],
  ].map(([name, loss, f]) => ({
    name: name as string,
    // deno-lint-ignore no-explicit-any
    loss: loss as () => Loss<any>,
    input: (b: Batch) => ({
      kind: "triplet" as const,
      anchor: matrix(b.rows, b.rows.length, b.dim),
      positive: matrix(shift(b.rows, 1), b.rows.length, b.dim),
      negative: matrix(shift(b.rows, 2), b.rows.length, b.dim),
    }),
    oracle: (b: Batch) =>
      mean(
        b.rows.map((r, i) =>
          (f as (x: number) => number)(dist(r, shift(b.rows, 1)[i]) - dist(r, shift(b.rows, 2)[i]))
        ),
      ),
  })),
  {
    name: "pmlTripletMarginLoss",
    loss: () => pmlTripletMarginLoss({ margin: 0.05 }),
    input: labelled,
    oracle: (b) =>
      meanOfPositive(allTriplets(b).map(([a, p, n]) => relu(d(b, a, p) - d(b, a, n) + 0.05))),
  },
  {
    name: "pmlContrastiveLoss",
    loss: () => pmlContrastiveLoss(),
    input: labelled,
    oracle: (b) => {
      const pos: number[] = [], neg: number[] = [];
      b.rows.forEach((_, i) =>
        b.rows.forEach((_, j) => {
          if (i === j) return;
          if (b.labels[i] === b.labels[j]) pos.push(relu(d(b, i, j)));
          else neg.push(relu(1 - d(b, i, j)));
        })
      );
      return meanOfPositive(pos) + meanOfPositive(neg);
    },
  },
  {
    name: "mined batchAll tripletMargin (meanNonZero)",
    loss: () => mined(batchAll(), tripletMargin({ margin: 0.2 }), { reduce: meanNonZero }),
    input: labelled,
    oracle: (b) =>
      meanOfPositive(allTriplets(b).map(([a, p, n]) => relu(d(b, a, p) - d(b, a, n) + 0.2))),
  },
  {
    name: "mined batchHard tripletMargin",
    loss: () => mined(batchHard(), tripletMargin({ margin: 0.2 })),
    input: labelled,
    oracle: (b) => {
      // Hardest positive (furthest) and negative (closest) per anchor; ties: lowest row.
      const costs: number[] = [];
      b.labels.forEach((l, a) => {
        let p = -1, n = -1;
        b.labels.forEach((m, j) => {
          if (j === a) return;
          if (m === l) {
            if (p < 0 || d(b, a, j) > d(b, a, p)) p = j;
          } else if (n < 0 || d(b, a, j) < d(b, a, n)) n = j;
        });
        if (p >= 0 && n >= 0) costs.push(relu(d(b, a, p) - d(b, a, n) + 0.2));
      });
      return mean(costs);
    },
  },
  {
    name: "mined semiHard softMarginTriplet",
    loss: () => mined(semiHard(), softMarginTriplet()),
    input: labelled,
    oracle: (b) => {
      const costs: number[] = [];
      b.labels.forEach((l, a) =>
        b.labels.forEach((m, p) => {
          if (p === a || m !== l) return;
          let beyond = -1, furthest = -1;
          b.labels.forEach((o, n) => {
            if (o === l) return;
            if (d(b, a, n) > d(b, a, p) && (beyond < 0 || d(b, a, n) < d(b, a, beyond))) beyond = n;
            if (furthest < 0 || d(b, a, n) > d(b, a, furthest)) furthest = n;
          });
          if (furthest >= 0) {
            costs.push(softplus(d(b, a, p) - d(b, a, beyond >= 0 ? beyond : furthest)));
          }
        })
      );
      return mean(costs);
    },
  },
  // Similarity losses (cosine, s = 1 − d): oracles from the papers' formulas.
  {
    name: "multiSimilarity",
    loss: () => multiSimilarity(),
    input: labelled,
    oracle: (b) =>
      mean(b.rows.map((r, i) => {
        const { pos, neg } = partners(b, i);
        const sp = pos.map((j) => -2 * (cos(r, b.rows[j]) - 0.5));
        const sn = neg.map((j) => 50 * (cos(r, b.rows[j]) - 0.5));
        return logSumExp(sp, true) / 2 + logSumExp(sn, true) / 50;
      })),
  },
  {
    name: "ntXent",
    loss: () => ntXent({ temperature: 0.1 }),
    input: labelled,
    oracle: (b) => {
      const terms: number[] = [];
      let negatives = 0;
      b.rows.forEach((r, a) => {
        const { pos, neg } = partners(b, a);
        negatives += neg.length;
        const xs = neg.map((n) => cos(r, b.rows[n]) / 0.1);
        for (const p of pos) {
          const x = cos(r, b.rows[p]) / 0.1;
          terms.push(logSumExp([x, ...xs], false) - x);
        }
      });
      return negatives === 0 ? 0 : mean(terms);
    },
  },
  {
    name: "supCon",
    loss: () => supCon(),
    input: labelled,
    oracle: (b) => {
      const all = b.rows.map((_, i) => partners(b, i));
      if (!all.some((p) => p.pos.length) || !all.some((p) => p.neg.length)) return 0;
      return meanOfPositive(b.rows.map((r, i) => {
        const { pos, neg } = all[i];
        if (pos.length === 0) return 0;
        const lse = logSumExp([...pos, ...neg].map((k) => cos(r, b.rows[k]) / 0.1), false);
        return mean(pos.map((p) => lse - cos(r, b.rows[p]) / 0.1));
      }));
    },
  },
  {
    name: "circle",
    loss: () => circle({ m: 0.25, gamma: 32 }),
    input: labelled,
    oracle: (b) =>
      meanOfPositive(b.rows.map((r, i) => {
        const { pos, neg } = partners(b, i);
        if (pos.length === 0 || neg.length === 0) return 0;
        const lp = pos.map((j) => {
          const s = cos(r, b.rows[j]);
          return -32 * Math.max(1.25 - s, 0) * (s - 0.75);
        });
        const ln = neg.map((j) => {
          const s = cos(r, b.rows[j]);
          return 32 * Math.max(s + 0.25, 0) * (s - 0.25);
        });
        return softplus(logSumExp(lp, false) + logSumExp(ln, false));
      })),
  },
  {
    name: "generalizedLiftedStructure",
    loss: () => generalizedLiftedStructure(),
    input: labelled,
    oracle: (b) =>
      mean(b.rows.map((_, i) => {
        const { pos, neg } = partners(b, i);
        const p = logSumExp(pos.map((j) => d(b, i, j)), false);
        return relu(p + logSumExp(neg.map((j) => 1 - d(b, i, j)), false));
      })),
  },
];

function d(b: Batch, i: number, j: number): number {
  return dist(b.rows[i], b.rows[j]);
}

function allTriplets(b: Batch): [number, number, number][] {
  const out: [number, number, number][] = [];
  b.labels.forEach((l, a) =>
    b.labels.forEach((m, p) => {
      if (p === a || m !== l) return;
      b.labels.forEach((o, n) => {
        if (o !== l) out.push([a, p, n]);
      });
    })
  );
  return out;
}

/** Whether float32 could pick another hardest/semi-hard row than float64 (near-ties). */
function nearTie(b: Batch): boolean {
  const ds = b.rows.flatMap((_, i) => b.rows.map((_, j) => d(b, i, j))).filter((x) => x > 0);
  const eps = 1e-5 * scale(b);
  return ds.some((x, i) => ds.some((y, j) => i !== j && x !== y && Math.abs(x - y) < eps));
}

for (const c of cases) {
  Deno.test(`fuzz: ${c.name} on degenerate batches equals its loop oracle (${backends})`, async () => {
    for (const backend of backends) {
      await activate(backend);
      await fc.assert(
        fc.asyncProperty(batchArb, async (b) => {
          if (c.name.startsWith("mined batchHard") || c.name.startsWith("mined semiHard")) {
            fc.pre(!nearTie(b));
          }
          const before = tf.memory().numTensors;
          const loss = c.loss();
          const input = c.input(b);
          try {
            const value = tf.tidy(() => loss.reduce(loss.perItem(input)));
            const got = (await value.data())[0];
            value.dispose();
            const want = c.oracle(b);
            assert.ok(Number.isFinite(got), `${backend} ${c.name}: ${got} on ${JSON.stringify(b)}`);
            const tolerance = 1e-5 * scale(b) + 1e-6;
            assert.ok(
              Math.abs(got - want) <= tolerance,
              `${backend} ${c.name}: ${got}, oracle ${want} on ${JSON.stringify(b)}`,
            );
            if (want === 0) assert.ok(Object.is(got, 0), `${backend} ${c.name}: ${got}, want 0`);
          } finally {
            tf.dispose(Object.values(input).filter((v) => v instanceof tf.Tensor));
          }
          assert.equal(tf.memory().numTensors, before, `${c.name} leaked on ${backend}`);
        }),
        { numRuns: 40, seed: 12 },
      );
    }
  });
}

Deno.test("fuzz: mined losses throw, naming rows, on values too large for float32 distances", async () => {
  for (const backend of backends) {
    await activate(backend);
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: 6 }),
        fc.double({ min: 1e20, max: 1e30, noNaN: true }),
        fc.constantFrom(batchAll(), batchHard(), semiHard()),
        (n, big, miner) => {
          const b: Batch = {
            // Both classes at +big and at −big: positive and negative distances overflow.
            rows: Array.from({ length: n }, (_, i) => [i % 4 < 2 ? big : -big, i]),
            labels: Array.from({ length: n }, (_, i) => i % 2),
            dim: 2,
          };
          const input = labelled(b);
          const loss = mined(miner, tripletMargin());
          try {
            assert.throws(
              () => tf.tidy(() => loss.reduce(loss.perItem(input))),
              /Cannot (mine .* as the distance between embeddings rows \d+ and \d+ is (NaN|Infinity)|compute mined triplet-margin loss as triplet \d+ \(rows \d+, \d+, \d+\) costs (NaN|Infinity))/,
            );
          } finally {
            tf.dispose([input.embeddings, input.labels]);
          }
        },
      ),
      { numRuns: 15, seed: 3 },
    );
  }
});

Deno.test("fuzz: structurally bad batches are errors naming the argument", () => {
  const bad: [() => unknown, RegExp][] = [
    [
      () =>
        pmlTripletMarginLoss().perItem({
          kind: "labelled",
          embeddings: tf.zeros([3, 2]) as Tensor2D,
          labels: tf.tensor1d([1, 2], "int32"),
        }),
      /labels must have shape \[3\]: current shape is \[2\]/,
    ],
    [
      () =>
        tripletMargin().perItem({
          kind: "triplet",
          anchor: tf.zeros([2, 2]) as Tensor2D,
          positive: tf.zeros([3, 2]) as Tensor2D,
          negative: tf.zeros([2, 2]) as Tensor2D,
        }),
      /positive must have 2 rows: current shape is \[3,2\]/,
    ],
    [
      () =>
        contrastive().perItem({
          kind: "pair",
          left: tf.zeros([2]) as unknown as Tensor2D,
          right: tf.zeros([2, 2]) as Tensor2D,
          same: tf.tensor1d([1, 0], "int32"),
        }),
      /left must be rank 2: current rank is 1/,
    ],
    [
      () =>
        mined(batchHard(), tripletMargin()).perItem({
          kind: "labelled",
          embeddings: tf.tensor2d([[NaN], [1]]),
          labels: tf.tensor1d([0, 1], "int32"),
        }),
      /Cannot mine batch-hard triplets as embeddings must be finite: row 0 holds NaN/,
    ],
  ];
  for (const [f, message] of bad) assert.throws(f, message);
});
