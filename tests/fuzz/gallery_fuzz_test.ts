/**
 * Property tests of the gallery on hostile input (issue 12): arbitrary sequences of enrol,
 * enrolMany, remove, identify, similar, verify and raw store writes, with arbitrary labels
 * (NUL, lone surrogates, emoji, SQL, empty, not strings), embeddings (NaN, ±Infinity, huge,
 * wrong length, not arrays), k and thresholds. Each call either gives the correct answer
 * (checked against a plain model of the gallery and a brute-force ranking) or throws an Error
 * naming the argument, and the memory and SQLite stores always agree, error messages included.
 */
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type Gallery,
  memoryStore,
  openGallery,
  sqliteStore,
  type TemplateMode,
} from "../../lib/gallery/mod.ts";
import { cosine, euclidean, manhattan, squaredEuclidean } from "../../lib/distances/mod.ts";
import type { Distance } from "../../lib/types.ts";

type DistanceName = "euclidean" | "squaredEuclidean" | "cosine" | "manhattan";
const D: Record<DistanceName, Distance> = { euclidean, squaredEuclidean, cosine, manhattan };

await tf.setBackend("cpu");

const NUM_RUNS = Number(Deno.env.get("LIKENESS_FUZZ_RUNS") ?? 100);
const DIM = 3;

const root = Deno.makeTempDirSync({ prefix: "likeness-gallery-fuzz-" });
globalThis.addEventListener("unload", () => Deno.removeSync(root, { recursive: true }));
let serial = 0;
/** Successful calls per operation, over all runs: the property must not pass on errors alone. */
const answered: Record<string, number> = {};

// ---------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------

const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const label: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom("a", "b", "a\0b", "a\0c", "\uD800", "😀") },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "\0",
      "\uDC00",
      "\uFFFD",
      "'; DROP TABLE likeness_gallery_items; --",
      " ",
      "",
      "x".repeat(65_537),
    ),
  },
  { weight: 2, arbitrary: fc.string({ unit: anyCodeUnit, minLength: 1, maxLength: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom(undefined, null, 7, {}, ["a"]) },
);

/** Small integers: exact in float32, and many ties. */
const small = fc.integer({ min: -3, max: 3 });
/** Sometimes a hostile value. */
const value: fc.Arbitrary<number> = fc.oneof(
  { weight: 10, arbitrary: small },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, 3e38, 2e18, -0, 0.5) },
);
const goodRow = fc.array(small, { minLength: DIM, maxLength: DIM });
const row = fc.oneof(
  { weight: 20, arbitrary: goodRow },
  { weight: 2, arbitrary: fc.array(value, { minLength: DIM, maxLength: DIM }) },
  { weight: 1, arbitrary: fc.array(value, { maxLength: DIM + 2 }) },
);
const embeddings: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 12, arbitrary: fc.array(goodRow, { minLength: 1, maxLength: 3 }) },
  { weight: 3, arbitrary: fc.array(row, { maxLength: 3 }) },
  {
    weight: 3,
    arbitrary: fc.array(value, { maxLength: 3 * DIM + 1 }).map((v) => new Float32Array(v)),
  },
  { weight: 1, arbitrary: fc.constantFrom("x", null, undefined, 5, [["1", "2", "3"]], [null]) },
);
const query: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 12, arbitrary: goodRow },
  { weight: 2, arbitrary: row },
  { weight: 1, arbitrary: row.map((r) => new Float32Array(r)) },
  { weight: 1, arbitrary: fc.constantFrom("q", null, undefined, [[0, 0, 0]]) },
);
const k: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 6 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(0, -1, 1.5, NaN, Infinity, -Infinity, 1e12, 2 ** 53, "2", null),
  },
);
const threshold: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: 0, max: 6, noNaN: true }) },
  { weight: 2, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.constantFrom(undefined, "1", null, Infinity, -Infinity, NaN) },
);

type Command =
  | { op: "enrol"; identity: unknown; embeddings: unknown; replace: boolean }
  | { op: "enrolMany"; entries: { identity: unknown; embeddings: unknown }[] }
  | { op: "remove"; identity: unknown }
  | { op: "identify" | "similar"; query: unknown; k: unknown }
  | { op: "identifyBatch" | "similarBatch"; queries: unknown; k: unknown }
  | { op: "verify"; identity: unknown; sample: unknown; threshold: unknown }
  | { op: "has"; identity: unknown }
  | { op: "addRaw"; identity: unknown; values: number[] }
  | { op: "removeRaw"; identities: unknown[] };

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant("enrol" as const),
      identity: label,
      embeddings,
      replace: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("enrolMany" as const),
      entries: fc.array(fc.record({ identity: label, embeddings }), { maxLength: 3 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("remove" as const), identity: label }) },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constantFrom("identify", "similar"), query, k }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constantFrom("identifyBatch", "similarBatch"),
      queries: fc.oneof(fc.array(goodRow, { minLength: 1, maxLength: 5 }), embeddings),
      k,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("verify" as const),
      identity: label,
      sample: query,
      threshold,
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("has" as const), identity: label }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("addRaw" as const),
      identity: label,
      values: fc.oneof(goodRow, fc.array(value, { maxLength: 2 * DIM + 1 })),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("removeRaw" as const),
      identities: fc.array(label, { maxLength: 3 }),
    }),
  },
);

// ---------------------------------------------------------------------------------------
// The model: identities in order of first enrolment, with their rows.
// ---------------------------------------------------------------------------------------

type Model = Map<string, number[][]>;

function rowsOf(value: unknown): number[][] {
  if (value instanceof Float32Array) {
    return Array.from({ length: value.length / DIM }, (_, r) => [
      ...value.subarray(r * DIM, (r + 1) * DIM),
    ]);
  }
  return (value as number[][]).map((r) => [...Float32Array.from(r)]);
}

function oracle(d: DistanceName, a: number[], b: number[]): number {
  const diff = a.map((v, i) => v - b[i]);
  if (d === "euclidean") return Math.sqrt(diff.reduce((s, v) => s + v * v, 0));
  if (d === "squaredEuclidean") return diff.reduce((s, v) => s + v * v, 0);
  if (d === "manhattan") return diff.reduce((s, v) => s + Math.abs(v), 0);
  const dot = a.reduce((s, v, i) => s + v * b[i], 0);
  const na = Math.sqrt(a.reduce((s, v) => s + v * v, 0));
  const nb = Math.sqrt(b.reduce((s, v) => s + v * v, 0));
  return Math.min(2, Math.max(0, 1 - dot / (na * nb)));
}

/** Each identity's distance to `q` (the closest of its rows, or its mean's). */
function identityDistances(model: Model, q: number[], d: DistanceName, mode: TemplateMode) {
  return [...model].map(([identity, rows]) => {
    if (mode === "all") {
      return {
        identity,
        distance: Math.min(...rows.map((r) => oracle(d, q, r))),
      };
    }
    const mean = rows[0].map((_, t) =>
      Math.fround(rows.reduce((s, r) => s + r[t], 0) / rows.length)
    );
    return { identity, distance: oracle(d, q, mean) };
  });
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-5 * (1 + Math.abs(b));

// ---------------------------------------------------------------------------------------
// Running a command on a gallery
// ---------------------------------------------------------------------------------------

type Outcome = { ok: unknown } | { error: string };

function attempt(body: () => unknown): Outcome {
  try {
    return { ok: body() };
  } catch (error) {
    assert.ok(error instanceof Error, `not an Error: ${String(error)}`);
    return { error: error.message };
  }
}

function run(g: Gallery, c: Command): unknown {
  // deno-lint-ignore no-explicit-any
  const a = (v: unknown) => v as any;
  switch (c.op) {
    case "enrol":
      return g.enrol(a(c.identity), a(c.embeddings), { replace: c.replace });
    case "enrolMany":
      return g.enrolMany(a(c.entries));
    case "remove":
      return g.remove(a(c.identity));
    case "identify":
      return g.identify(a(c.query), a(c.k));
    case "similar":
      return g.similar(a(c.query), a(c.k));
    case "identifyBatch":
      return g.identifyBatch(a(c.queries), a(c.k));
    case "similarBatch":
      return g.similarBatch(a(c.queries), a(c.k));
    case "verify":
      return g.verify(a(c.identity), a(c.sample), { threshold: a(c.threshold) });
    case "has":
      return g.has(a(c.identity));
    case "addRaw":
      return g.store.add([{ identity: a(c.identity), embeddings: new Float32Array(c.values) }]);
    case "removeRaw":
      return g.store.remove(a(c.identities));
  }
}

/** Errors say what they refuse: the argument (and its value), or the gallery's state. */
const NAMED = new RegExp(
  "^Cannot .* as (" +
    [
      "identity must",
      "embeddings(\\[\\d+\\])? must",
      "query must",
      "queries(\\[\\d+\\])? must",
      "k must be a positive integer or Infinity: current value is",
      "threshold must be a number: current value is",
      "it is not enrolled",
      "the gallery is empty",
      "no threshold is set",
    ].join("|") + ")",
);

/** Checks a successful answer against the model, then updates the model. */
function checkAndApply(
  c: Command,
  answer: unknown,
  model: Model,
  d: DistanceName,
  mode: TemplateMode,
): void {
  const countRows = () => [...model.values()].reduce((s, r) => s + r.length, 0);
  switch (c.op) {
    case "enrol": {
      const identity = c.identity as string;
      const rows = rowsOf(c.embeddings);
      if (c.replace) model.delete(identity);
      model.set(identity, [...(model.get(identity) ?? []), ...rows]);
      return;
    }
    case "enrolMany":
      for (const e of c.entries) {
        const identity = e.identity as string;
        model.set(identity, [...(model.get(identity) ?? []), ...rowsOf(e.embeddings)]);
      }
      return;
    case "addRaw": {
      const identity = c.identity as string;
      model.set(identity, [...(model.get(identity) ?? []), ...rowsOf(new Float32Array(c.values))]);
      return;
    }
    case "remove":
      assert.equal(answer, model.get(c.identity as string)?.length);
      model.delete(c.identity as string);
      return;
    case "removeRaw": {
      const gone = new Set(c.identities as string[]);
      assert.equal(answer, [...gone].reduce((s, i) => s + (model.get(i)?.length ?? 0), 0));
      for (const identity of gone) model.delete(identity);
      return;
    }
    case "has":
      assert.equal(answer, model.has(c.identity as string));
      return;
    case "verify": {
      const v = answer as { distance: number; accepted: boolean; threshold: number };
      const q = [...Float32Array.from(c.sample as number[])];
      const rows = model.get(c.identity as string)!;
      const want = identityDistances(new Map([["x", rows]]), q, d, mode)[0].distance;
      assert.ok(close(v.distance, want), `verify distance ${v.distance}, expected ${want}`);
      assert.equal(v.accepted, v.distance <= v.threshold);
      return;
    }
    case "identify":
    case "similar":
    case "identifyBatch":
    case "similarBatch": {
      const batch = c.op.endsWith("Batch");
      const queries = "queries" in c
        ? rowsOf(c.queries)
        : [[...Float32Array.from(c.query as number[])]];
      const answers = (batch ? answer : [answer]) as { distance: number; identity: string }[][];
      assert.equal(answers.length, queries.length);
      queries.forEach((q, i) => {
        const want = c.op.startsWith("identify")
          ? identityDistances(model, q, d, mode)
          : [...model].flatMap(([identity, rows]) =>
            rows.map((r) => ({ identity, distance: oracle(d, q, r) }))
          );
        want.sort((x, y) => x.distance - y.distance);
        const n = Math.min(c.k as number, want.length);
        const got = answers[i];
        assert.equal(got.length, n, `${c.op} returned ${got.length} of ${n}`);
        got.forEach((m, j) => {
          assert.ok(Number.isFinite(m.distance), `a non-finite distance ${m.distance}`);
          assert.ok(
            close(m.distance, want[j].distance),
            `${c.op} #${j}: ${m.distance} vs ${want[j].distance}`,
          );
          // The identity at that distance is one of those the model has at that distance.
          const at = identityDistances(model, q, d, mode).find((x) => x.identity === m.identity);
          if (c.op.startsWith("identify")) assert.ok(at && close(at.distance, m.distance));
        });
      });
      assert.ok(countRows() > 0);
      return;
    }
  }
}

Deno.test("fuzz: the gallery answers correctly or names the argument; memory and sqlite agree", () => {
  fc.assert(
    fc.property(
      fc.constantFrom<DistanceName>("euclidean", "squaredEuclidean", "cosine", "manhattan"),
      fc.constantFrom<TemplateMode>("all", "mean"),
      fc.boolean(),
      fc.option(fc.double({ min: 0, max: 6, noNaN: true }), { nil: undefined }),
      fc.array(command, { minLength: 1, maxLength: 20 }),
      (distance, templates, cache, threshold, commands) => {
        const path = `${root}/g${serial++}.db`;
        const galleries = [
          openGallery(memoryStore({ dim: DIM, fingerprint: "fuzz", distance: D[distance] }), {
            templates,
            threshold,
          }),
          openGallery(sqliteStore(path, { dim: DIM, fingerprint: "fuzz", distance: D[distance] }), {
            templates,
            threshold,
            cache,
            chunkSize: 2,
          }),
        ];
        const model: Model = new Map();
        try {
          for (const c of commands) {
            const [mem, sql] = galleries.map((g) => attempt(() => run(g, c)));
            assert.deepEqual(sql, mem, `the stores disagree on ${c.op}`);
            if (!("error" in mem)) answered[c.op] = (answered[c.op] ?? 0) + 1;
            if ("error" in mem) {
              assert.match(mem.error, NAMED, `${c.op}: an error that names nothing`);
            } else {
              checkAndApply(c, mem.ok, model, distance, templates);
            }
            for (const g of galleries) {
              assert.deepEqual(g.identities(), [...model.keys()]);
              assert.equal(g.count(), [...model.values()].reduce((s, r) => s + r.length, 0));
            }
          }
        } finally {
          for (const g of galleries) g.close();
          Deno.removeSync(path);
        }
      },
    ),
    { numRuns: NUM_RUNS },
  );
  const count = (...ops: string[]) => ops.reduce((s, op) => s + (answered[op] ?? 0), 0);
  const runs = NUM_RUNS / 100;
  assert.ok(count("enrol", "enrolMany") >= 20 * runs, JSON.stringify(answered));
  assert.ok(count("identify", "similar", "verify") >= 10 * runs, JSON.stringify(answered));
});
