// likeness's combinators are fp-ts's shapes: fp-ts's own pipe/flow build the same models and
// samplers; lossMonoid and reducerMonoid are fp-ts Monoids (assignable, and concatAll folds
// with them as plus does); rankingOrd is an fp-ts Ord whose sort gives the library's rankings
// (retrieval metrics with either tie rule, evaluate's neighbour lists); nearest and nearestK
// are the Semigroup / Monoid that merge nearest neighbours across chunks.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../lib/backend/mod.ts";
import { flow as fpFlow, pipe as fpPipe } from "fp-ts/lib/function.js";
import { concatAll, type Monoid } from "fp-ts/lib/Monoid.js";
import * as N from "fp-ts/lib/number.js";
import * as fpOrd from "fp-ts/lib/Ord.js";
import * as RA from "fp-ts/lib/ReadonlyArray.js";
import * as fpSemigroup from "fp-ts/lib/Semigroup.js";
import { flow, pipe } from "../lib/pipe.ts";
import { dense, embedding, empty } from "../lib/branches/mod.ts";
import { contrastive, lossMonoid, mean, meanNonZero, plus, sum } from "../lib/losses/mod.ts";
import { reducerMonoid } from "../lib/losses/monoid.ts";
import { manhattan } from "../lib/distances/mod.ts";
import { evaluateWithCurves, retrievalMetrics, type TieRule } from "../lib/metrics/mod.ts";
import { type Candidate, nearest, nearestK, rankingOrd } from "../lib/metrics/ranking_order.ts";
import { batch, seeded, take, triplets } from "../lib/samplers/mod.ts";
import type { Loss, Pair, Reducer } from "../lib/types.ts";

Deno.test("fp-ts's pipe and flow build the same model and sampler values as likeness's", () => {
  const ours = pipe(empty, dense(8, { activation: "relu" }), embedding(4));
  const theirs = fpPipe(empty, dense(8, { activation: "relu" }), embedding(4));
  assert.equal(JSON.stringify(theirs), JSON.stringify(ours));
  const labels = Int32Array.from([0, 0, 1, 1, 2, 2]);
  const data = {
    images: new Float32Array(6),
    labels,
    shape: [1],
    size: 6,
    classNames: ["a", "b", "c"],
  };
  const a = [...pipe(triplets(data), batch(2), take(3), seeded(9))];
  const b = [...fpPipe(triplets(data), batch(2), take(3), seeded(9))];
  assert.deepEqual(b, a);
  const f = flow((n: number) => n + 1, (n) => n * 2),
    g = fpFlow((n: number) => n + 1, (n) => n * 2);
  assert.equal(f(3), g(3));
});

Deno.test("lossMonoid is an fp-ts Monoid: concatAll folds losses as plus does", async () => {
  await useBackend("cpu");
  const M: Monoid<Loss<Pair>> = lossMonoid<Pair>(); // assignable: the same shape
  const total = concatAll(M)([contrastive(), contrastive({ squared: true })]);
  assert.equal(total.name, "contrastive + contrastive-squared");
  const pair = {
    kind: "pair" as const,
    left: tf.tensor2d([[0, 0]]),
    right: tf.tensor2d([[0, 2]]),
    same: tf.tensor1d([1]),
  };
  // a same-class pair 2 apart: 2 + 4
  const value = tf.tidy(() => total.reduce(total.perItem(pair)).dataSync()[0]);
  assert.equal(value, 6);
  assert.equal(concatAll(M)([]).name, M.empty.name);
  tf.dispose([pair.left, pair.right, pair.same]);
});

// ——— Monoid laws, Ord and Semigroup: the library's algebra used through fp-ts itself ———

/** A seeded generator (mulberry32), so the random cases repeat. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("lossMonoid through fp-ts: concatAll equals plus chains in either grouping, and empty is an identity", async () => {
  await useBackend("cpu");
  const M: Monoid<Loss<Pair>> = lossMonoid<Pair>();
  const [a, b, c] = [contrastive(), contrastive({ squared: true }), contrastive({ margin: 3 })];
  const pair = {
    kind: "pair" as const,
    left: tf.tensor2d([[0, 0], [1, 1], [0, 3]]),
    right: tf.tensor2d([[0, 2], [1, 1.5], [0, 0]]),
    same: tf.tensor1d([1, 0, 0]),
  };
  const value = (l: Loss<Pair>) => tf.tidy(() => l.reduce(l.perItem(pair)).dataSync()[0]);
  const all = concatAll(M)([a, b, c]);
  const left = plus(plus(a, b), c), right = plus(a, plus(b, c));
  assert.equal(all.name, "contrastive + contrastive-squared + contrastive");
  assert.equal(left.name, all.name);
  assert.equal(right.name, all.name);
  // contrastive: d for a same-class pair, max(0, margin − d) otherwise; squared: their squares.
  // Pair 1 (same, 2 apart): 2 + 4 + 2; pair 2 (different, 0.5 apart): 0.5 + 0.25 + 2.5; pair 3
  // (different, 3 apart): 0 + 0 + 0. The mean of the sums: 11.25 / 3 = 3.75, in every grouping.
  const separately = value(a) + value(b) + value(c);
  assert.ok(Math.abs(separately - 3.75) < 1e-6, `${separately}`);
  for (const l of [all, left, right]) assert.ok(Math.abs(value(l) - 3.75) < 1e-6, l.name);
  // the identity, exactly: concat with empty is the loss itself
  assert.equal(M.concat(a, M.empty), a);
  assert.equal(M.concat(M.empty, a), a);
  tf.dispose([pair.left, pair.right, pair.same]);
});

Deno.test("reducerMonoid through fp-ts: concatAll adds reducers pointwise; empty is exact", async () => {
  await useBackend("cpu");
  const M: Monoid<Reducer> = reducerMonoid(); // assignable to fp-ts's Monoid
  const both = concatAll(M)([mean, meanNonZero, sum]);
  const perItem = tf.tensor1d([0, 1, 5]);
  assert.equal(tf.tidy(() => both(perItem).dataSync()[0]), 2 + 3 + 6);
  assert.equal(concatAll(M)([]), M.empty);
  assert.equal(tf.tidy(() => M.empty(perItem).dataSync()[0]), 0);
  assert.equal(M.concat(mean, M.empty), mean);
  const before = tf.memory().numTensors;
  both(perItem).dispose();
  assert.equal(tf.memory().numTensors, before, "no tensor left behind");
  perItem.dispose();
});

/** fp-ts's own construction of the ranking order: distance, then the tie rule, then index. */
function fpRanking(ties: TieRule): fpOrd.Ord<Candidate> {
  const byDistance = fpOrd.contramap((c: Candidate) => c.distance)(N.Ord);
  // pessimistic: false (a non-match), then unknown, then true; optimistic: true first
  const tieRank = (c: Candidate) =>
    c.match === undefined ? 1 : c.match === (ties === "optimistic") ? 0 : 2;
  const tieRule = fpOrd.contramap(tieRank)(N.Ord);
  const byIndex = fpOrd.contramap((c: Candidate) => c.index)(N.Ord);
  return concatAll(fpOrd.getMonoid<Candidate>())([byDistance, tieRule, byIndex]);
}

/** Random candidates with many exact distance ties (small integers), some with `match`. */
function candidates(next: () => number, n: number, withMatch: boolean): Candidate[] {
  return Array.from({ length: n }, () => ({
    distance: Math.floor(next() * 4) - 1,
    index: Math.floor(next() * n), // repeated indices too: equal candidates
    ...(withMatch ? { match: next() < 0.5 } : {}),
  }));
}

Deno.test("rankingOrd is an fp-ts Ord: it compares as fp-ts's getMonoid of distance, tie rule and index, and fp-ts's sort ranks with it", () => {
  const next = random(13);
  for (const ties of ["pessimistic", "optimistic"] as const) {
    const ours: fpOrd.Ord<Candidate> = rankingOrd(ties); // assignable: the same shape
    const theirs = fpRanking(ties);
    for (let round = 0; round < 50; round++) {
      const cs = candidates(next, 12, round % 3 !== 0);
      for (const x of cs) {
        for (const y of cs) {
          assert.equal(ours.compare(x, y), theirs.compare(x, y), `${JSON.stringify([x, y])}`);
          assert.equal(ours.equals(x, y), theirs.equals(x, y));
        }
      }
      assert.deepEqual(RA.sort(ours)(cs), RA.sort(theirs)(cs));
      assert.deepEqual(RA.sort(ours)(cs), [...cs].sort(ours.compare));
    }
  }
  // the default is the metrics' default, pessimistic
  const tie = [{ distance: 1, index: 0, match: true }, { distance: 1, index: 1, match: false }];
  assert.deepEqual(RA.sort(rankingOrd())(tie).map((c) => c.index), [1, 0]);
  assert.throws(
    () => RA.sort(rankingOrd())([{ distance: 1, index: 0 }, { distance: NaN, index: 4 }]),
    /distance must be a number: current value is NaN \(index 4\)/,
  );
  assert.throws(() => rankingOrd("random" as TieRule), /ties must be .* current value is "random"/);
});

/** Small integer embeddings (many exact distance ties), 3 classes plus a lone query. */
function tiedSet(seed: number, n: number, dim: number) {
  const next = random(seed);
  const embeddings = Float32Array.from({ length: n * dim }, () => Math.floor(next() * 3));
  const labels = Int32Array.from({ length: n }, (_, i) => (i === n - 1 ? 99 : i % 3));
  return { embeddings, labels, dim };
}

Deno.test("fp-ts's sort(rankingOrd(ties)) gives the library's rankings: retrievalMetrics' P@1, R-precision and MAP@R, and evaluate's neighbour lists", () => {
  for (const seed of [1, 2, 3]) {
    const set = tiedSet(seed, 25, 2), n = set.labels.length;
    const l1 = (i: number, j: number) =>
      Math.abs(set.embeddings[2 * i] - set.embeddings[2 * j]) +
      Math.abs(set.embeddings[2 * i + 1] - set.embeddings[2 * j + 1]);
    for (const ties of ["pessimistic", "optimistic"] as const) {
      let p1 = 0, rp = 0, mapAtR = 0, queries = 0;
      for (let q = 0; q < n; q++) {
        const others: Candidate[] = [];
        for (let j = 0; j < n; j++) {
          if (j !== q) {
            others.push({ distance: l1(q, j), index: j, match: set.labels[j] === set.labels[q] });
          }
        }
        const R = others.filter((c) => c.match).length;
        if (R === 0) continue; // a lone query counts in no metric
        const ranked = RA.sort(rankingOrd(ties))(others);
        queries++;
        p1 += ranked[0].match ? 1 : 0;
        let found = 0, ap = 0;
        for (let r = 0; r < R; r++) {
          if (ranked[r].match) ap += ++found / (r + 1);
        }
        rp += found / R;
        mapAtR += ap / R;
      }
      const lib = retrievalMetrics(set, { distance: manhattan, ties });
      const where = `seed ${seed}, ${ties}`;
      assert.ok(Math.abs(lib.precisionAt1 - p1 / queries) < 1e-12, where);
      assert.ok(Math.abs(lib.rPrecision - rp / queries) < 1e-12, where);
      assert.ok(Math.abs(lib.mapAtR - mapAtR / queries) < 1e-12, where);
    }
    // evaluate's neighbour lists: distance, then row index (no tie rule): rankingOrd without `match`
    const e = evaluateWithCurves(set, { distance: manhattan, seed: 1, neighbourQueries: 3 });
    assert.equal(e.curves.neighbours.length, 3);
    for (const list of e.curves.neighbours) {
      const others: Candidate[] = [];
      for (let j = 0; j < n; j++) {
        if (j !== list.query) others.push({ distance: l1(list.query, j), index: j });
      }
      const ranked = RA.sort(rankingOrd())(others).slice(0, list.neighbours.length);
      assert.deepEqual(list.neighbours.map((x) => x.index), ranked.map((c) => c.index));
    }
  }
});

Deno.test("nearest is fp-ts's min(rankingOrd): concatAll over any chunking gives the first of the ranking", () => {
  const next = random(5);
  for (const ties of ["pessimistic", "optimistic"] as const) {
    const S: fpSemigroup.Semigroup<Candidate> = nearest(ties);
    const fpMin = fpSemigroup.min(rankingOrd(ties));
    for (let round = 0; round < 100; round++) {
      const cs = candidates(next, 1 + Math.floor(next() * 15), round % 2 === 0);
      const [first, ...rest] = cs;
      const best = fpSemigroup.concatAll(S)(first)(rest);
      assert.deepEqual(best, RA.sort(rankingOrd(ties))(cs)[0]);
      assert.deepEqual(best, fpSemigroup.concatAll(fpMin)(first)(rest));
      // any chunking: the nearest of each chunk's nearest
      const cut = 1 + Math.floor(next() * cs.length);
      const chunks = [cs.slice(0, cut), cs.slice(cut)].filter((c) => c.length > 0);
      const perChunk = chunks.map(([h, ...t]) => fpSemigroup.concatAll(S)(h)(t));
      assert.deepEqual(perChunk.reduce(S.concat), best);
    }
  }
});

Deno.test("nearestK is an fp-ts Monoid: concatAll of the chunks' k nearest is the k nearest of all, in any grouping", () => {
  const next = random(21);
  for (const ties of ["pessimistic", "optimistic"] as const) {
    for (const k of [1, 3, 8]) {
      const M: Monoid<readonly Candidate[]> = nearestK<Candidate>(k, ties);
      for (let round = 0; round < 40; round++) {
        const all = candidates(next, Math.floor(next() * 30), round % 2 === 0);
        const expected = RA.sort(rankingOrd(ties))(all).slice(0, k);
        // chunks of random sizes, each reduced to its k nearest (unsorted chunks are sorted by concat)
        const chunks: Candidate[][] = [];
        for (let i = 0; i < all.length;) {
          const size = 1 + Math.floor(next() * 7);
          chunks.push(all.slice(i, i + size));
          i += size;
        }
        assert.deepEqual(concatAll(M)(chunks), expected, `k ${k}, ${ties}`);
        assert.deepEqual(concatAll(M)(chunks.map((c) => M.concat(c, M.empty))), expected);
        // another grouping: right to left
        assert.deepEqual(chunks.reduceRight((acc, c) => M.concat(c, acc), M.empty), expected);
        // identity on the monoid's values
        assert.deepEqual(M.concat(expected, M.empty), expected);
        assert.deepEqual(M.concat(M.empty, expected), expected);
      }
    }
  }
  assert.throws(() => nearestK(0), /k must be an integer ≥ 1: current value is 0/);
  assert.throws(() => nearestK(1.5), /current value is 1.5/);
  const M = nearestK(2);
  assert.throws(
    () => M.concat([{ distance: NaN, index: 3 }], []),
    /distance must be a number: current value is NaN \(index 3\)/,
  );
});
