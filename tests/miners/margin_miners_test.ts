// tripletMarginMiner and pairMarginMiner against loop oracles of pml's TripletMarginMiner and
// PairMarginMiner, the partition of the triplet types, use with losses, and errors.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { cosine } from "../../lib/distances/mod.ts";
import { multiSimilarity, tripletMargin } from "../../lib/losses/mod.ts";
import { mined, pairMarginMiner, semiHard, tripletMarginMiner } from "../../lib/miners/mod.ts";
import type { MinedTriplets } from "../../lib/miners/mod.ts";
import { type Batch, batches, cos, labelled } from "../losses/_oracle.ts";

await tf.setBackend("cpu");

const l2 = (a: number[], b: number[]) => Math.hypot(...a.map((v, k) => v - b[k]));
const rowsOf = (t: MinedTriplets) =>
  [...t.anchor].map((a, k) => `${a}.${t.positive[k]}.${t.negative[k]}`);

function tripletOracle(b: Batch, margin: number, type: string, dist = l2): string[] {
  const out: string[] = [];
  b.labels.forEach((l, a) =>
    b.labels.forEach((m, p) => {
      if (p === a || m !== l) return;
      b.labels.forEach((o, n) => {
        if (o === l) return;
        const g = dist(b.rows[a], b.rows[n]) - dist(b.rows[a], b.rows[p]);
        const keep = type === "easy"
          ? g > margin
          : g <= margin && (type === "hard" ? g <= 0 : type === "semihard" ? g > 0 : true);
        if (keep) out.push(`${a}.${p}.${n}`);
      });
    })
  );
  return out;
}

/** Whether float32 distances could fall on the other side of a bound than float64 ones. */
function nearBound(b: Batch, bounds: number[], dist = l2): boolean {
  const d = b.rows.map((r) => b.rows.map((s) => dist(r, s)));
  return d.some((row, a) =>
    row.some((dp, p) =>
      row.some((dn) => bounds.some((m) => Math.abs(dn - dp - m) < 1e-5)) ||
      bounds.some((m) => a !== p && Math.abs(dp - m) < 1e-5)
    )
  );
}

for (const [name, b] of batches()) {
  Deno.test(`tripletMarginMiner keeps pml's triplets: ${name}`, () => {
    const input = labelled(b);
    for (const margin of [0.2, 0.5, -0.1]) {
      if (nearBound(b, [0, margin])) continue;
      const all = new Set<string>();
      for (const type of ["all", "hard", "semihard", "easy"] as const) {
        const got = rowsOf(tripletMarginMiner({ margin, type })(input));
        assert.deepEqual(got, tripletOracle(b, margin, type), `${type} ${margin}`);
        if (type === "all" || type === "easy") got.forEach((t) => all.add(t));
      }
      // all = hard ∪ semihard (disjoint), and all ∪ easy = every valid triplet
      const hard = rowsOf(tripletMarginMiner({ margin, type: "hard" })(input));
      const semi = rowsOf(tripletMarginMiner({ margin, type: "semihard" })(input));
      assert.deepEqual([...hard, ...semi].sort(), tripletOracle(b, margin, "all").sort());
      assert.equal(all.size, tripletOracle(b, Infinity, "all").length);
    }
    if (!nearBound(b, [0, 0.3], (x, y) => 1 - cos(x, y))) {
      const got = rowsOf(tripletMarginMiner({ margin: 0.3, distance: cosine })(input));
      assert.deepEqual(got, tripletOracle(b, 0.3, "all", (x, y) => 1 - cos(x, y)));
    }
    tf.dispose([input.embeddings, input.labels]);
  });

  Deno.test(`pairMarginMiner keeps pml's pairs: ${name}`, () => {
    const input = labelled(b);
    for (const [pm, nm] of [[0.2, 0.8], [1, 1.5]]) {
      if (nearBound(b, [pm, nm])) continue;
      const m = pairMarginMiner({ posMargin: pm, negMargin: nm })(input);
      const pos: string[] = [], neg: string[] = [];
      b.labels.forEach((l, i) =>
        b.labels.forEach((o, j) => {
          if (i === j) return;
          const d = l2(b.rows[i], b.rows[j]);
          if (o === l && d > pm) pos.push(`${i}.${j}`);
          if (o !== l && d < nm) neg.push(`${i}.${j}`);
        })
      );
      assert.deepEqual([...m.posAnchor].map((a, k) => `${a}.${m.positive[k]}`), pos);
      assert.deepEqual([...m.negAnchor].map((a, k) => `${a}.${m.negative[k]}`), neg);
    }
    tf.dispose([input.embeddings, input.labels]);
  });
}

Deno.test("margin miners with losses: mined tripletMargin over pml's triplets; multiSimilarity over margin pairs", () => {
  const b = batches().find(([n]) => n === "random 4")![1];
  const input = labelled(b);
  const loss = mined(tripletMarginMiner({ margin: 0.5 }), tripletMargin({ margin: 0.5 }));
  const v = tf.tidy(() => loss.reduce(loss.perItem(input)).dataSync()[0]);
  const costs = tripletOracle(b, 0.5, "all").map((t) => {
    const [a, p, n] = t.split(".").map(Number);
    return Math.max(0, l2(b.rows[a], b.rows[p]) - l2(b.rows[a], b.rows[n]) + 0.5);
  });
  const want = costs.length === 0 ? 0 : costs.reduce((s, c) => s + c, 0) / costs.length;
  assert.ok(Math.abs(v - want) < 1e-5, `${v} vs ${want}`);
  // the pair miner is given the loss's distance (cosine) when it has none of its own
  const ms = multiSimilarity({ miner: pairMarginMiner({ posMargin: 0.1, negMargin: 1.2 }) });
  const m = tf.tidy(() => ms.reduce(ms.perItem(input)).dataSync()[0]);
  assert.ok(Number.isFinite(m) && m > 0, `${m}`);
  tf.dispose([input.embeddings, input.labels]);
});

Deno.test("margin miners name bad options", () => {
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => tripletMarginMiner({ type: "medium" as any }),
    /options\.type must be one of all, hard, semihard, easy: current value is medium/,
  );
  assert.throws(
    () => tripletMarginMiner({ margin: NaN }),
    /options\.margin must be a finite number: current value is NaN/,
  );
  assert.throws(
    () => pairMarginMiner({ negMargin: Infinity }),
    /options\.negMargin must be a finite number: current value is Infinity/,
  );
  const input = {
    kind: "labelled" as const,
    embeddings: tf.tensor2d([[NaN], [1]]),
    labels: tf.tensor1d([0, 1], "int32"),
  };
  assert.throws(() => tripletMarginMiner()(input), /embeddings must be finite: row 0 holds NaN/);
  assert.throws(() => pairMarginMiner()(input), /embeddings must be finite: row 0 holds NaN/);
  tf.dispose([input.embeddings, input.labels]);
});

Deno.test("semiHard (FaceNet) and tripletMarginMiner semihard (pml) differ as their JSDocs say", () => {
  // Class 0 at 0 and 1; class 1 at 1.1, 1.15 and 5. For (0, 1), d_ap = 1: pml's band (1, 1.2]
  // holds rows 2 and 3; FaceNet takes only the closest beyond the positive, row 2. For (1, 0),
  // d_ap = 1 and the negatives are at 0.1, 0.15, 4: pml's band is empty, FaceNet takes row 4.
  const input = {
    kind: "labelled" as const,
    embeddings: tf.tensor2d([[0], [1], [1.1], [1.15], [5]]),
    labels: tf.tensor1d([0, 0, 1, 1, 1], "int32"),
  };
  const pml = rowsOf(tripletMarginMiner({ type: "semihard", margin: 0.2 })(input));
  const facenet = rowsOf(semiHard()(input));
  assert.deepEqual(pml.filter((t) => t.startsWith("0.1.") || t.startsWith("1.0.")), [
    "0.1.2",
    "0.1.3",
  ]);
  assert.deepEqual(facenet.filter((t) => t.startsWith("0.1.") || t.startsWith("1.0.")), [
    "0.1.2",
    "1.0.4",
  ]);
  tf.dispose([input.embeddings, input.labels]);
});
