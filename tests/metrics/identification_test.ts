import assert from "node:assert/strict";
import { cmcCurve, galleryProbeSplit, rankAccuracy } from "../../lib/metrics/mod.ts";
import type { EmbeddingSet, TieRule } from "../../lib/metrics/mod.ts";
import { type DistanceName, floatSet, integerSet, ranking, RECORD, rowOf } from "./_brute.ts";

const set1d = (xs: number[], ys: number[]): EmbeddingSet => ({
  embeddings: new Float32Array(xs),
  labels: new Int32Array(ys),
  dim: 1,
});

Deno.test("cmcCurve: worked example with several gallery rows per label", () => {
  // gallery (1-d): 0(a) 2(a) 5(b) 9(c)        a = 0, b = 1, c = 2
  // probe 1 (a): 0 and 2 at distance 1 (both a) → rank 1
  // probe 4 (b): 5(b) at 1 → rank 1
  // probe 6 (a): 5(b) 1, 9(c) 3, 2(a) 4 → rank 3
  // probe 4.5 (c): 5(b) .5, 2(a) 2.5, 0(a) 4.5, 9(c) 4.5 → tie between 0(a) and 9(c):
  //   pessimistic: 0(a) first → rank 4; optimistic: 9(c) first → rank 3
  // probe 7 (d): label not enrolled → left out
  const gallery = set1d([0, 2, 5, 9], [0, 0, 1, 2]);
  const probes = set1d([1, 4, 6, 4.5, 7], [0, 1, 0, 2, 3]);
  const cmc = cmcCurve(gallery, probes);
  assert.deepEqual(cmc.ranks, [1, 2, 3, 4]);
  assert.deepEqual(cmc.accuracy, [0.5, 0.5, 0.75, 1]);
  assert.equal(cmc.probes, 4);
  assert.equal(cmc.probesWithoutMatch, 1);
  const opt = cmcCurve(gallery, probes, { ties: "optimistic" });
  assert.deepEqual(opt.accuracy, [0.5, 0.5, 1, 1]);
  assert.equal(rankAccuracy(cmc, 1), 0.5);
  assert.equal(rankAccuracy(cmc, 3), 0.75);
  // maxRank beyond the gallery keeps the last value; below it truncates
  assert.deepEqual(cmcCurve(gallery, probes, { maxRank: 6 }).accuracy, [0.5, 0.5, 0.75, 1, 1, 1]);
  assert.deepEqual(cmcCurve(gallery, probes, { maxRank: 2 }).accuracy, [0.5, 0.5]);
});

Deno.test("cmcCurve: equals brute force on random data", () => {
  for (const [seed, ties] of [[1, "pessimistic"], [2, "optimistic"]] as [number, TieRule][]) {
    const gallery = integerSet(30, 3, 6, seed);
    const probes = integerSet(25, 3, 7, seed + 100); // label 6 never enrolled
    for (const distance of ["euclidean", "manhattan", "dot", "chebyshev"] as DistanceName[]) {
      const enrolled = new Set(gallery.labels);
      const atRank = new Array(31).fill(0);
      let counted = 0;
      for (let q = 0; q < probes.labels.length; q++) {
        if (!enrolled.has(probes.labels[q])) continue;
        counted++;
        const ranked = ranking(rowOf(probes, q), probes.labels[q], gallery, distance, ties);
        atRank[ranked.findIndex((x) => x.match) + 1]++;
      }
      const want: number[] = [];
      let c = 0;
      for (let r = 1; r <= 30; r++) want.push((c += atRank[r]) / counted);
      const got = cmcCurve(gallery, probes, { distance: RECORD[distance], ties });
      assert.equal(got.probes, counted);
      got.accuracy.forEach((a, i) => assert.ok(Math.abs(a - want[i]) < 1e-12, `rank ${i + 1}`));
    }
  }
});

Deno.test("cmcCurve and rankAccuracy: clear errors", () => {
  const g = set1d([0, 1], [0, 1]);
  assert.throws(() => cmcCurve(g, set1d([0], [5])), /no probe label occurs in gallery.labels/);
  assert.throws(
    () => cmcCurve(g, { embeddings: new Float32Array(2), labels: new Int32Array([0]), dim: 2 }),
    /gallery.dim and probes.dim must be equal: 1 and 2/,
  );
  assert.throws(
    () => cmcCurve({ ...g, embeddings: new Float32Array(0), labels: new Int32Array(0) }, g),
    /gallery is empty/,
  );
  assert.throws(() => cmcCurve(g, g, { maxRank: 0 }), /options.maxRank must be a positive integer/);
  const cmc = cmcCurve(g, g);
  assert.throws(
    () => rankAccuracy(cmc, 3),
    /k must be at most the curve's last rank 2: current value is 3/,
  );
  assert.throws(() => rankAccuracy(cmc, 0), /k must be a positive integer/);
});

Deno.test("galleryProbeSplit: seeded, per-label counts, disjoint cover", () => {
  const set = floatSet(60, 4, 5, 3);
  const a = galleryProbeSplit(set, { seed: 1, galleryPerClass: 2 });
  const b = galleryProbeSplit(set, { seed: 1, galleryPerClass: 2 });
  const c = galleryProbeSplit(set, { seed: 2, galleryPerClass: 2 });
  assert.deepEqual(a.galleryIndices, b.galleryIndices);
  assert.notDeepEqual(a.galleryIndices, c.galleryIndices);
  const all = [...a.galleryIndices, ...a.probeIndices].sort((x, y) => x - y);
  assert.deepEqual(all, Array.from({ length: 60 }, (_, i) => i));
  const perLabel = new Map<number, number>();
  for (const y of a.gallery.labels) perLabel.set(y, (perLabel.get(y) ?? 0) + 1);
  assert.deepEqual([...perLabel.values()], [2, 2, 2, 2, 2]);
  // rows carried over intact
  a.galleryIndices.forEach((r, i) => {
    assert.deepEqual(rowOf(a.gallery, i), rowOf(set, r));
    assert.equal(a.gallery.labels[i], set.labels[r]);
  });
  // a label with fewer rows than galleryPerClass is enrolled whole, without probes
  const small = galleryProbeSplit(set1d([0, 1, 2], [0, 1, 1]), { galleryPerClass: 2 });
  assert.deepEqual([...small.galleryIndices], [0, 1, 2]);
  assert.equal(small.probes.labels.length, 0);
  assert.throws(() => galleryProbeSplit(set, { seed: 0.5 }), /options.seed must be an integer/);
});
