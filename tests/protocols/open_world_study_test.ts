/**
 * openWorldStudy against a brute-force oracle written from the protocol's definition (plain
 * loops over numbers: nearest enrolled shot per identity, ranks, Mann–Whitney AUC, ROC
 * interpolation, the seen-class threshold and its transfer, Student-t intervals), on tiny
 * synthetic "embedders" (no training); its bookkeeping (order, record, resume, what is
 * embedded) and its argument errors.
 */
import assert from "node:assert/strict";
import { euclidean } from "../../lib/distances/mod.ts";
import {
  openWorldStudy,
  pickShots,
  type StudyConfig,
  type StudyRun,
  summarizeRuns,
} from "../../lib/protocols/mod.ts";
import { rng } from "../../lib/samplers/rng.ts";
import type { Dataset } from "../../lib/types.ts";

const close = (a: number, b: number, what: string, eps = 1e-9) =>
  assert.ok(Math.abs(a - b) <= eps, `${what}: ${a} vs ${b}`);

/** 2-pixel images: class c around (cos c, sin c) with seeded noise. */
function dataset(classes: number[], perClass: number, seed: number, noise = 0.6): Dataset {
  const r = rng(seed);
  const labels: number[] = [], pixels: number[] = [];
  for (const c of classes) {
    for (let i = 0; i < perClass; i++) {
      labels.push(c);
      pixels.push(Math.cos(c) + noise * (r.float() - 0.5), Math.sin(c) + noise * (r.float() - 0.5));
    }
  }
  return {
    images: Float32Array.from(pixels),
    labels: Int32Array.from(labels),
    shape: [2],
    size: labels.length,
    classNames: Array.from({ length: 10 }, (_, i) => `c${i}`),
  };
}

/** A seed-dependent linear map of the 2 pixels to 3 dims (a different "training" per seed). */
const linear = (seed: number, calls?: number[]) => {
  const r = rng(seed * 31 + 7);
  const w = Array.from({ length: 6 }, () => r.float() * 2 - 1);
  return {
    embeddingSize: 3,
    distance: euclidean,
    embed: (d: Dataset) => {
      calls?.push(d.size);
      const out = new Float32Array(d.size * 3);
      for (let i = 0; i < d.size; i++) {
        const [x, y] = [d.images[2 * i], d.images[2 * i + 1]];
        for (let j = 0; j < 3; j++) out[3 * i + j] = w[2 * j] * x + w[2 * j + 1] * y;
      }
      return out;
    },
  };
};

// ---- the oracle -------------------------------------------------------------------------

type Rows = { labels: number[]; rows: number[][] };
const rowsOf = (d: Dataset, e: Float32Array, dim: number, idx: number[]): Rows => ({
  labels: idx.map((i) => d.labels[i]),
  rows: idx.map((i) => Array.from(e.subarray(i * dim, (i + 1) * dim))),
});
const dist = (a: number[], b: number[]) => Math.hypot(...a.map((v, i) => v - b[i]));

/** Each probe's distance to each identity (its nearest shot), genuine / impostor, ranks. */
function claims(gallery: Rows, probes: Rows) {
  const ids = [...new Set(gallery.labels)];
  const genuine: number[] = [], impostor: number[] = [], ranks: number[] = [];
  probes.rows.forEach((p, i) => {
    const d = new Map(ids.map((id) => [
      id,
      Math.min(...gallery.rows.filter((_, j) => gallery.labels[j] === id).map((g) => dist(p, g))),
    ]));
    const own = d.get(probes.labels[i])!;
    genuine.push(own);
    ranks.push(1 + ids.filter((id) => id !== probes.labels[i] && d.get(id)! < own).length);
    for (const id of ids) if (id !== probes.labels[i]) impostor.push(d.get(id)!);
  });
  return { genuine, impostor, ranks };
}

const rate = (xs: number[], t: number) => xs.filter((x) => x <= t).length / xs.length;

function oracle(
  seen: Dataset,
  enrol: Dataset,
  probes: Dataset,
  e: ReturnType<typeof linear>,
  seed: number,
  shots: number,
  far: number,
) {
  const all = (d: Dataset) => Array.from({ length: d.size }, (_, i) => i);
  const classes = (d: Dataset) => [...new Set(d.labels)].sort((a, b) => a - b);
  const [es, ee, ep] = [e.embed(seen), e.embed(enrol), e.embed(probes)];
  // seen: shots from pickShots(seed + 1), the rest claim
  const sp = pickShots(seen.labels, classes(seen), shots, seed + 1);
  const s = claims(rowsOf(seen, es, 3, sp.picked), rowsOf(seen, es, 3, sp.rest));
  // threshold: the largest observed distance whose impostor FAR ≤ far (−∞ if none)
  let threshold = -Infinity;
  for (const t of [...s.genuine, ...s.impostor]) {
    if (rate(s.impostor, t) <= far && t > threshold) threshold = t;
  }
  const up = pickShots(enrol.labels, classes(enrol), shots, seed, { leaveOne: false });
  const u = claims(rowsOf(enrol, ee, 3, up.picked), rowsOf(probes, ep, 3, all(probes)));
  // AUC: Mann–Whitney, ties half
  let wins = 0;
  for (const g of u.genuine) for (const i of u.impostor) wins += g < i ? 1 : g === i ? 0.5 : 0;
  // TAR at FAR: ROC over every distinct threshold, linear between neighbouring points
  const ts = [-Infinity, ...new Set([...u.genuine, ...u.impostor])].sort((a, b) => a - b);
  const pts = ts.map((t) => [rate(u.impostor, t), rate(u.genuine, t)]);
  let lo = 0;
  for (let i = 0; i < pts.length; i++) if (pts[i][0] <= far) lo = i;
  const tar = pts[lo][0] === far || lo === pts.length - 1 ? pts[lo][1] : pts[lo][1] +
    (far - pts[lo][0]) / (pts[lo + 1][0] - pts[lo][0]) * (pts[lo + 1][1] - pts[lo][1]);
  const n = u.ranks.length;
  return {
    rank1: u.ranks.filter((r) => r === 1).length / n,
    rank2: u.ranks.filter((r) => r <= 2).length / n,
    auc: wins / (u.genuine.length * u.impostor.length),
    [`tar@${far}`]: tar,
    [`genuineAccepted@${far}`]: rate(u.genuine, threshold),
    [`impostorAccepted@${far}`]: rate(u.impostor, threshold),
  };
}

const T975 = { 2: 12.7062047, 3: 4.3026527 } as Record<number, number>;

// ---- tests ------------------------------------------------------------------------------

const seen = dataset([0, 1, 2, 3, 4], 12, 1);
const enrol = dataset([5, 6, 7, 8, 9], 10, 2);
const probes = dataset([5, 6, 7, 8, 9], 30, 3);

Deno.test("openWorldStudy's metrics and intervals equal the brute-force oracle's", async () => {
  const configs: StudyConfig[] = [
    { name: "a", train: (seed) => ({ embedder: linear(seed) }) },
    { name: "b", train: (seed) => ({ embedder: linear(seed + 100) }) },
  ];
  const seeds = [3, 5, 8], shots = 3, far = 0.01;
  const study = await openWorldStudy({
    configs,
    seeds,
    shots,
    fars: [far],
    seen,
    unseen: { enrol, probes },
  });
  assert.deepEqual(
    study.runs.map((r) => `${r.config}${r.seed}`),
    ["a3", "b3", "a5", "b5", "a8", "b8"],
    "seeds outer, configurations inner",
  );
  for (const [c, offset] of [["a", 0], ["b", 100]] as const) {
    const expected = seeds.map((seed) =>
      oracle(seen, enrol, probes, linear(seed + offset), seed, shots, far)
    );
    // the synthetic data is hard enough that the metrics vary (the oracle is not trivial)
    assert.ok(new Set(expected.map((m) => m.rank1)).size > 1, JSON.stringify(expected));
    assert.ok(expected.some((m) => m.rank1 < 1 && m[`tar@${far}`] < 1));
    seeds.forEach((seed, i) => {
      const run = study.runs.find((r) => r.config === c && r.seed === seed)!;
      for (const [k, v] of Object.entries(expected[i])) {
        close(run.metrics[k], v, `${c} seed ${seed} ${k}`, 1e-6);
      }
    });
    const s = study.summaries.find((x) => x.config === c)!;
    assert.deepEqual(s.seeds, seeds);
    for (const k of Object.keys(expected[0])) {
      const v = expected.map((m) => m[k]);
      const mean = v.reduce((a, b) => a + b) / v.length;
      const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1));
      const half = T975[v.length] * sd / Math.sqrt(v.length);
      close(s.metrics[k].mean, mean, `${c} mean ${k}`, 1e-6);
      close(s.metrics[k].halfWidth, half, `${c} half-width ${k}`, 1e-5);
      close(s.metrics[k].low, mean - half, `${c} low ${k}`, 1e-5);
      close(s.metrics[k].high, mean + half, `${c} high ${k}`, 1e-5);
    }
  }
});

Deno.test("openWorldStudy with one unseen pool equals the oracle on picked shots and the rest", async () => {
  const pool = dataset([5, 6, 7, 8, 9], 20, 4);
  const study = await openWorldStudy({
    configs: [{ name: "a", train: (seed) => ({ embedder: linear(seed) }) }],
    seeds: [1, 2],
    shots: 2,
    seen,
    unseen: pool,
  });
  for (const seed of [1, 2]) {
    // the pooled protocol: pickShots(…, leaveOne) enrols, the rest probe
    const e = linear(seed), emb = e.embed(pool), dim = 3;
    const classes = [5, 6, 7, 8, 9];
    const { picked, rest } = pickShots(pool.labels, classes, 2, seed);
    const c = claims(rowsOf(pool, emb, dim, picked), rowsOf(pool, emb, dim, rest));
    const rank1 = c.ranks.filter((r) => r === 1).length / c.ranks.length;
    close(study.runs.find((r) => r.seed === seed)!.metrics.rank1, rank1, `pooled rank-1 ${seed}`);
  }
});

Deno.test("openWorldStudy embeds only the enrolled shots of the enrolment pool", async () => {
  const sizes: number[] = [];
  await openWorldStudy({
    configs: [{ name: "a", train: (seed) => ({ embedder: linear(seed, sizes) }) }],
    seeds: [1, 2],
    shots: 4,
    seen,
    unseen: { enrol, probes },
  });
  // per seed: the seen set, 5 classes × 4 shots, the probes
  assert.deepEqual(sizes, [seen.size, 20, probes.size, seen.size, 20, probes.size]);
});

Deno.test("openWorldStudy records every run as it goes and resumes without retraining", async () => {
  const dir = await Deno.makeTempDir({ prefix: "likeness-study-" });
  try {
    const record = `${dir}/runs.json`, trained: string[] = [];
    let crash = true; // the first study dies in b2's training
    const configs: StudyConfig[] = ["a", "b"].map((name) => ({
      name,
      train: (seed) => {
        trained.push(`${name}${seed}`);
        if (name === "b" && seed === 2 && crash) throw new Error("killed");
        return { embedder: linear(seed), info: { note: name } };
      },
    }));
    const options = { configs, seeds: [1, 2], shots: 2, seen, unseen: { enrol, probes }, record };
    const seenOnDisk: number[] = [];
    await assert.rejects(
      () =>
        openWorldStudy({
          ...options,
          onRun: async () => {
            seenOnDisk.push(JSON.parse(await Deno.readTextFile(record)).length);
          },
        }),
      /killed/,
    );
    assert.deepEqual(seenOnDisk, [1, 2, 3], "the record holds every finished run at once");
    const partial: StudyRun[] = JSON.parse(await Deno.readTextFile(record));
    assert.deepEqual(partial.map((r) => `${r.config}${r.seed}`), ["a1", "b1", "a2"]);
    assert.deepEqual(partial[0].info, { note: "a" });
    // A partial record is usable: summaries of the configurations with ≥ 2 seeds.
    const summaries = await summarizeRuns(partial);
    assert.deepEqual(summaries.map((s) => s.config), ["a"]);
    // Resume: only b2 trains.
    trained.length = 0, crash = false;
    const lines: string[] = [];
    const done = await openWorldStudy({ ...options, resume: true, log: (l) => lines.push(l) });
    assert.deepEqual(trained, ["b2"]);
    assert.equal(lines.length, 1);
    assert.match(lines[0], /^\[4\/4\] b, seed 2: rank-1 0\.\d{3}, TAR@FAR 0\.01 [\d.]+, AUC/);
    assert.deepEqual(done.runs.map((r) => `${r.config}${r.seed}`), ["a1", "b1", "a2", "b2"]);
    const full: StudyRun[] = JSON.parse(await Deno.readTextFile(record));
    assert.equal(full.length, 4);
    // Without resume, an existing record is replaced (the study starts over).
    trained.length = 0;
    await openWorldStudy({ ...options, configs: [configs[0]] });
    assert.deepEqual(trained, ["a1", "a2"]);
    assert.equal(JSON.parse(await Deno.readTextFile(record)).length, 2);
    // A record that is not a list of runs is refused, naming the file.
    await Deno.writeTextFile(record, '[{"config": "a", "seed": 1, "metrics": {"rank1": null}}]');
    await assert.rejects(
      () => openWorldStudy({ ...options, resume: true }),
      (e: Error) => e.message.includes(record) && /array of runs/.test(e.message),
    );
    await Deno.writeTextFile(record, "{");
    await assert.rejects(() => openWorldStudy({ ...options, resume: true }), /is not JSON/);
    // Without resume, a file there that is not a record is refused and left as it was.
    await assert.rejects(() => openWorldStudy(options), /not a study record: refusing to replace/);
    assert.equal(await Deno.readTextFile(record), "{");
    await Deno.writeTextFile(record, '{"mine": 1}');
    await assert.rejects(() => openWorldStudy(options), /refusing to replace it/);
    assert.equal(await Deno.readTextFile(record), '{"mine": 1}');
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openWorldStudy disposes what each seed trained, also when evaluation fails", async () => {
  let disposed = 0;
  const bad = { embeddingSize: 3, distance: euclidean, embed: () => new Float32Array(2) };
  await assert.rejects(
    () =>
      openWorldStudy({
        configs: [{ name: "short", train: () => ({ embedder: bad, dispose: () => disposed++ }) }],
        seeds: [1, 2],
        seen,
        unseen: { enrol, probes },
      }),
    /embedder of short, seed 1 returned 2 values for 60 images × 3/,
  );
  assert.equal(disposed, 1);
});

Deno.test("openWorldStudy names bad arguments", async () => {
  const ok: StudyConfig = { name: "a", train: (seed) => ({ embedder: linear(seed) }) };
  const base = { configs: [ok], seeds: [1, 2], seen, unseen: { enrol, probes } };
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ configs: [] }, /configs must be a non-empty array/],
    [{ configs: [ok, ok] }, /config names must be unique: 'a' repeats/],
    [{ configs: [{ name: "", train: ok.train }] }, /configs\[0\]\.name must be a non-empty string/],
    [{ configs: [{ name: "x" }] }, /configs\[0\]\.train must be a function/],
    [{ seeds: [1] }, /seeds must hold at least 2 seeds for an interval: current value is \[1\]/],
    [{ seeds: [1, 1] }, /seeds must be distinct/],
    [{ seeds: [1, 0.5] }, /every seed must be a safe integer: seed 0.5/],
    [{ seen: { size: 3 } }, /seen must be a Dataset/],
    [{ unseen: undefined }, /unseen is required/],
    [{ unseen: { enrol, probes: null } }, /unseen\.probes must be a Dataset/],
    [{ unseen: { enrol: seen, probes: seen } }, /class-disjoint: both hold classes 0, 1, 2, 3, 4/],
    [{ shots: 0 }, /shots must be an integer ≥ 1: current value is 0/],
    [
      { shots: 11 },
      /Cannot enrol 11 shots of class 5 from unseen\.enrol as it has only 10 samples/,
    ],
    [{ fars: [2] }, /every far must be a number in \(0, 1\): current value is 2/],
    [{ record: "" }, /record must be a file path/],
    [{ log: 3 }, /log must be a function: current value is 3/],
    [
      { configs: [{ name: "n", train: () => undefined }] },
      /'n'\.train\(1\) must return \{ embedder \}/,
    ],
  ];
  for (const [patch, pattern] of cases) {
    await assert.rejects(
      () => openWorldStudy({ ...base, ...patch } as never),
      pattern,
      JSON.stringify(Object.keys(patch)),
    );
  }
});
