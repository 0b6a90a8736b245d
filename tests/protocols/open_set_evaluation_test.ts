/**
 * openSetEvaluation against hand-worked cases and a brute-force loop oracle (plain numbers,
 * no gallery), plus determinism per seed and errors that name their argument.
 */
import assert from "node:assert/strict";
import { cosine, euclidean, manhattan } from "../../lib/distances/mod.ts";
import { type EmbeddedSamples, openSetEvaluation, pickShots } from "../../lib/protocols/mod.ts";
import { rng } from "../../lib/samplers/mod.ts";

const close = (a: number, b: number, what: string, eps = 1e-9) =>
  assert.ok(Math.abs(a - b) <= eps, `${what}: ${a} vs ${b}`);

/** 1-D samples from `{ label: [x, …] }`. */
function oneD(points: Record<number, number[]>): EmbeddedSamples {
  const labels: number[] = [], rows: number[] = [];
  for (const [label, xs] of Object.entries(points)) {
    for (const x of xs) labels.push(Number(label)), rows.push(x);
  }
  return { labels, embeddings: new Float32Array(rows) };
}

Deno.test("a worked 1-D example: rank-1, CMC, AUC, TAR@FAR and the seen threshold's transfer", () => {
  // Seen: class 0 at {0, 5}, class 1 at {100, 100}. One shot each: genuine claims {5, 0}
  // whichever is picked, impostor claims {95, 100}. Threshold at FAR 0.1 → 5 (FAR 0), at
  // FAR 0.7 → 95 (FAR 0.5).
  const seen = oneD({ 0: [0, 5], 1: [100, 100] });
  // Unseen enrolled at 0 (class 2), 10 (class 3), 30 (class 4); five probes:
  //   (2, 4):  d = 4, 6, 26   → rank 1, genuine 4
  //   (3, 7):  d = 7, 3, 23   → rank 1, genuine 3
  //   (3, 12): d = 12, 2, 18  → rank 1, genuine 2
  //   (4, 25): d = 25, 15, 5  → rank 1, genuine 5
  //   (2, 19): d = 19, 9, 11  → rank 3, genuine 19
  const unseen = {
    enrol: oneD({ 2: [0], 3: [10], 4: [30] }),
    probes: { labels: [2, 3, 3, 4, 2], embeddings: new Float32Array([4, 7, 12, 25, 19]) },
  };
  for (const seed of [0, 1, 2, 3]) {
    const r = openSetEvaluation({ dim: 1, shots: 1, seed, fars: [0.1, 0.7], seen, unseen });
    assert.deepEqual(r.seenClasses, [0, 1]);
    assert.deepEqual(r.unseenClasses, [2, 3, 4]);
    assert.deepEqual(r.identification, { rank1: 0.8, rank2: 0.8, cmc: [0.8, 0.8, 1] });
    assert.deepEqual(r.unseen.ranks, [1, 1, 1, 1, 3]);
    assert.deepEqual(r.unseen.genuine, [4, 3, 2, 5, 19]);
    assert.deepEqual([...r.unseen.impostor].sort((a, b) => a - b), [
      6,
      7,
      9,
      11,
      12,
      15,
      18,
      23,
      25,
      26,
    ]);
    assert.deepEqual(r.claims, { genuine: 5, impostor: 10 });
    // 4 genuine claims (≤ 5) are below all 10 impostors; 19 is below 23, 25, 26: 43 of 50.
    close(r.verification.auc, 43 / 50, "AUC");
    // FAR 0.1 is reached at threshold 6 (TAR 0.8); FAR 0.7 at 19 (TAR 1).
    assert.deepEqual(r.verification.tarAtFar, { "0.1": 0.8, "0.7": 1 });
    assert.deepEqual(r.seen.genuine.sort((a, b) => a - b), [0, 5]);
    assert.deepEqual(r.seen.impostor.sort((a, b) => a - b), [95, 100]);
    assert.deepEqual(r.verification.seenCalibrated["0.1"], {
      threshold: 5,
      seenTar: 1,
      seenFar: 0,
      genuineAcceptRate: 0.8, // 4, 3, 2, 5 ≤ 5; 19 is not
      impostorAcceptRate: 0,
    });
    assert.deepEqual(r.verification.seenCalibrated["0.7"], {
      threshold: 95,
      seenTar: 1,
      seenFar: 0.5,
      genuineAcceptRate: 1,
      impostorAcceptRate: 1, // every unseen impostor distance (≤ 26) is below 95
    });
    assert.deepEqual(r.enrolled, [0, 1, 2]);
    assert.deepEqual(r.probes, [0, 1, 2, 3, 4]);
  }
});

/** Gaussian clusters: `perClass` samples of each label around a random centre. */
function clusters(
  labels: number[],
  perClass: number,
  dim: number,
  spread: number,
  seed: number,
): EmbeddedSamples {
  const r = rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r.float())) * Math.cos(2 * Math.PI * r.float());
  const out: number[] = [], rows: number[] = [];
  for (const l of labels) {
    const centre = Array.from({ length: dim }, () => 4 * gauss());
    for (let i = 0; i < perClass; i++) {
      out.push(l);
      for (let t = 0; t < dim; t++) rows.push(centre[t] + spread * gauss());
    }
  }
  return { labels: out, embeddings: new Float32Array(rows) };
}

/** The protocol as plain loops: min distance per class, ranks, claims, ROC by definition. */
function oracle(
  pair: (a: ArrayLike<number>, b: ArrayLike<number>) => number,
  dim: number,
  gallery: { rows: Float32Array; labels: number[] },
  probes: { rows: Float32Array; labels: number[] },
) {
  const classes = [...new Set(gallery.labels)].sort((a, b) => a - b);
  const genuine: number[] = [], impostor: number[] = [], ranks: number[] = [];
  for (let i = 0; i < probes.labels.length; i++) {
    const q = probes.rows.subarray(i * dim, (i + 1) * dim);
    const dists = classes.map((c) => {
      let best = Infinity;
      gallery.labels.forEach((l, j) => {
        if (l === c) best = Math.min(best, pair(q, gallery.rows.subarray(j * dim, (j + 1) * dim)));
      });
      return best;
    });
    const own = dists[classes.indexOf(probes.labels[i])];
    ranks.push(1 + dists.filter((d) => d < own).length);
    genuine.push(own);
    dists.forEach((d, c) => {
      if (classes[c] !== probes.labels[i]) impostor.push(d);
    });
  }
  const cmc = classes.map((_, r) => ranks.filter((x) => x <= r + 1).length / ranks.length);
  let wins = 0;
  for (const g of genuine) for (const m of impostor) wins += g < m ? 1 : g === m ? 0.5 : 0;
  const aucValue = wins / (genuine.length * impostor.length);
  const rate = (xs: number[], t: number) => xs.filter((d) => d <= t).length / xs.length;
  // Accepted at a threshold taken from the protocol's (float32-rounded) distances.
  const near = (xs: number[], t: number) => xs.filter((d) => d <= t + 1e-6).length / xs.length;
  // ROC points at -∞ and every distinct distance; TAR at FAR read as tarAtFar documents.
  const ts = [-Infinity, ...new Set([...genuine, ...impostor])].sort((a, b) => a - b);
  const points = ts.map((t) => ({ t, far: rate(impostor, t), tar: rate(genuine, t) }));
  const tarAt = (far: number) => {
    let i = 0;
    while (i + 1 < points.length && points[i + 1].far <= far) i++;
    const p = points[i], q = points[i + 1];
    if (p.far === far || q === undefined) return p.tar;
    return p.tar + (far - p.far) / (q.far - p.far) * (q.tar - p.tar);
  };
  return { genuine, impostor, ranks, cmc, auc: aucValue, tarAt, rate, near };
}

function take(s: EmbeddedSamples, ix: readonly number[], dim: number) {
  const e = s.embeddings as Float32Array;
  const rows = new Float32Array(ix.length * dim);
  ix.forEach((i, j) => rows.set(e.subarray(i * dim, (i + 1) * dim), j * dim));
  return { rows, labels: ix.map((i) => s.labels[i]) };
}

Deno.test("matches a brute-force loop oracle on random clusters (euclidean, manhattan, cosine)", () => {
  const dim = 3;
  for (const [k, distance] of [[0, euclidean], [1, manhattan], [2, cosine]] as const) {
    for (const seed of [1, 7]) {
      const seen = clusters([0, 1, 2, 3], 12, dim, 2.5, 100 + seed + 10 * k);
      const unseen = clusters([4, 5, 6, 7, 8], 10, dim, 2.5, 200 + seed + 10 * k);
      const shots = 3, fars = [0.05, 0.2];
      const r = openSetEvaluation({ dim, shots, seed, fars, seen, unseen, distance });
      const seenPick = pickShots(seen.labels, [0, 1, 2, 3], shots, seed + 1);
      const unseenPick = pickShots(unseen.labels, [4, 5, 6, 7, 8], shots, seed);
      assert.deepEqual(r.enrolled, unseenPick.picked);
      assert.deepEqual(r.probes, unseenPick.rest);
      const pair = distance.host.pair;
      const o = oracle(
        pair,
        dim,
        take(unseen, unseenPick.picked, dim),
        take(unseen, unseenPick.rest, dim),
      );
      const os = oracle(
        pair,
        dim,
        take(seen, seenPick.picked, dim),
        take(seen, seenPick.rest, dim),
      );
      const what = `${distance.name} seed ${seed}`;
      assert.deepEqual(r.unseen.ranks, o.ranks, what);
      assert.deepEqual(r.identification.cmc, o.cmc, what);
      assert.equal(r.identification.rank1, o.cmc[0]);
      assert.equal(r.identification.rank2, o.cmc[1]);
      r.unseen.genuine.forEach((d, i) => close(d, o.genuine[i], `${what} genuine ${i}`, 1e-5));
      assert.equal(r.unseen.impostor.length, o.impostor.length);
      close(r.verification.auc, o.auc, `${what} AUC`, 1e-9);
      for (const far of fars) {
        close(r.verification.tarAtFar[String(far)], o.tarAt(far), `${what} TAR@${far}`, 1e-9);
        // The seen-calibrated threshold: the largest seen distance whose seen FAR ≤ far.
        const c = r.verification.seenCalibrated[String(far)];
        const candidates = [-Infinity, ...os.genuine, ...os.impostor]
          .filter((t) => os.rate(os.impostor, t) <= far);
        close(c.threshold, Math.max(...candidates), `${what} threshold@${far}`, 1e-5);
        assert.ok(c.seenFar <= far);
        close(c.seenTar, os.near(os.genuine, c.threshold), `${what} seenTar`);
        close(c.genuineAcceptRate, o.near(o.genuine, c.threshold), `${what} genuine accepted`);
        close(c.impostorAcceptRate, o.near(o.impostor, c.threshold), `${what} impostors accepted`);
      }
    }
  }
});

Deno.test("perfectly separated clusters: rank-1 1, AUC 1, TAR 1 at every FAR", () => {
  // Every sample of a class at its centre: genuine distances 0, impostors > 0.
  const seen = clusters([0, 1, 2], 6, 4, 0, 3);
  const unseen = clusters([3, 4, 5, 6], 8, 4, 0, 4);
  const r = openSetEvaluation({ dim: 4, shots: 2, seed: 5, seen, unseen });
  assert.equal(r.identification.rank1, 1);
  assert.deepEqual(r.identification.cmc, [1, 1, 1, 1]);
  assert.equal(r.verification.auc, 1);
  assert.equal(r.verification.eer, 0);
  assert.deepEqual(r.verification.tarAtFar, { "0.01": 1, "0.001": 1 });
  assert.deepEqual(r.claims, { genuine: 4 * 6, impostor: 3 * 4 * 6 });
  for (const c of Object.values(r.verification.seenCalibrated)) {
    assert.equal(c.genuineAcceptRate, 1);
    assert.equal(c.impostorAcceptRate, 0);
  }
});

Deno.test("deterministic per seed; another seed enrols other shots; lazy embeddings agree", () => {
  const seen = clusters([0, 1, 2], 10, 3, 2, 11);
  const unseen = clusters([3, 4, 5], 10, 3, 2, 12);
  const a = openSetEvaluation({ dim: 3, shots: 2, seed: 9, seen, unseen });
  const b = openSetEvaluation({ dim: 3, shots: 2, seed: 9, seen, unseen });
  assert.deepEqual(a, b);
  const c = openSetEvaluation({ dim: 3, shots: 2, seed: 10, seen, unseen });
  assert.notDeepEqual(a.enrolled, c.enrolled);
  // The function form embeds only the rows asked for, and gives the same numbers.
  const asked: number[] = [];
  const lazy = (s: EmbeddedSamples): EmbeddedSamples => ({
    labels: s.labels,
    embeddings: (ix) => {
      asked.push(...ix);
      return take(s, ix, 3).rows;
    },
  });
  const d = openSetEvaluation({
    dim: 3,
    shots: 2,
    seed: 9,
    seen: lazy(seen),
    unseen: lazy(unseen),
  });
  assert.deepEqual(d, a);
  assert.equal(asked.length, 60, "each of the 30 + 30 rows embedded once");
  // With separate probes, only the shots of the enrolment pool are embedded.
  asked.length = 0;
  openSetEvaluation({
    dim: 3,
    shots: 2,
    seed: 9,
    seen,
    unseen: { enrol: lazy(unseen), probes: unseen },
  });
  assert.equal(asked.length, 6);
});

Deno.test("errors name the argument and the value", () => {
  const seen = clusters([0, 1], 6, 2, 1, 1);
  const unseen = clusters([2, 3], 4, 2, 1, 2);
  const base = { dim: 2, shots: 1, seed: 1, seen, unseen };
  const cases: [Record<string, unknown>, RegExp][] = [
    [
      { shots: 4 },
      /4 shots of class 2 from unseen as it has only 4 samples: shots must be below 4/,
    ],
    [{ shots: 0 }, /shots must be an integer ≥ 1: current value is 0/],
    [{ shots: 1.5 }, /shots must be an integer ≥ 1: current value is 1.5/],
    [{ dim: 0 }, /dim must be an integer ≥ 1: current value is 0/],
    [{ seed: 0.5 }, /seed must be a safe integer: current value is 0.5/],
    [{ fars: [0] }, /every far must be a number in \(0, 1\): current value is 0/],
    [{ fars: [Number.NaN] }, /every far must be a number in \(0, 1\): current value is NaN/],
    [{ distance: { name: "x" } }, /distance/],
    [
      { unseen: clusters([2], 4, 2, 1, 3) },
      /unseen must hold at least 2 classes .*: it holds 1/,
    ],
    [{ seen: clusters([5], 4, 2, 1, 3) }, /seen must hold at least 2 classes/],
    [{ unseen: clusters([1, 2], 4, 2, 1, 3) }, /class-disjoint: both hold classes 1/],
    [
      { unseen: { labels: unseen.labels, embeddings: new Float32Array(3) } },
      /unseen.embeddings must be a Float32Array of 8 labels × 2 dim values: it has 3/,
    ],
    [
      {
        unseen: {
          labels: unseen.labels,
          embeddings: new Float32Array(16).fill(Number.NaN),
        },
      },
      /unseen.embeddings holds a non-finite value: NaN/,
    ],
    [
      { unseen: { labels: [2, -1, 3], embeddings: new Float32Array(6) } },
      /unseen.labels must hold integers ≥ 0: label 1 is -1/,
    ],
    [
      { unseen: { enrol: unseen, probes: clusters([2, 9], 2, 2, 1, 4) } },
      /unseen.probes holds classes 9 that unseen.enrol lacks/,
    ],
    [
      { unseen: { enrol: unseen, probes: unseen }, shots: 5 },
      /5 shots of class 2 from unseen.enrol as it has only 4 samples: shots must be at most 4/,
    ],
  ];
  for (const [patch, pattern] of cases) {
    assert.throws(
      () => openSetEvaluation({ ...base, ...patch } as Parameters<typeof openSetEvaluation>[0]),
      pattern,
      JSON.stringify(patch),
    );
  }
});
