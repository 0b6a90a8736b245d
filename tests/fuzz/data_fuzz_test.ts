/**
 * Property tests of lib/data's entry points on arbitrary, including hostile, input: IDX bytes
 * (parseIdx, the streaming reader behind readIdx and fashionMnist, readIdx on files), dataset
 * construction, subsets and splits, and the conversion of index batches into tensors.
 *
 * The property everywhere: a correct result, or an Error whose message names the argument or
 * file — never another kind of exception, never a NaN passed on, never a tensor leaked.
 */
import assert from "node:assert/strict";
import { gunzipSync, gzipSync } from "node:zlib";
import fc from "fast-check";
import * as tf from "@tensorflow/tfjs";
import {
  classDisjointSplit,
  DataFileError,
  type Dataset,
  filterClasses,
  type IdxDtype,
  makeDataset,
  parseIdx,
  readIdx,
  type ReadIdxOptions,
  stratifiedSplit,
  subset,
  tensorBatches,
  toTensors,
} from "../../lib/data/mod.ts";
import { collectIdx } from "../../lib/data/_idx_stream.ts";
import { encodeIdx } from "../data/_idx.ts";

await tf.setBackend("cpu");

const DTYPES: IdxDtype[] = ["uint8", "int8", "int16", "int32", "float32", "float64"];
const WIDTH: Record<IdxDtype, number> = {
  uint8: 1,
  int8: 1,
  int16: 2,
  int32: 4,
  float32: 4,
  float64: 8,
};

/** Outcome of a call: its value, or the error it threw. */
type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };
function attempt<T>(f: () => T): Outcome<T> {
  try {
    return { ok: true, value: f() };
  } catch (error) {
    return { ok: false, error };
  }
}
async function attemptAsync<T>(f: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await f() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** A valid IDX file: a dtype, a small shape, values of that dtype (floats incl. NaN, ±Inf). */
const validIdx = fc.constantFrom(...DTYPES).chain((dtype) =>
  fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }).chain((shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const value = {
      uint8: fc.integer({ min: 0, max: 255 }),
      int8: fc.integer({ min: -128, max: 127 }),
      int16: fc.integer({ min: -32768, max: 32767 }),
      int32: fc.integer(),
      float32: fc.float(),
      float64: fc.double(),
    }[dtype];
    return fc.array(value, { minLength: n, maxLength: n }).map((values) =>
      encodeIdx(dtype, shape, values)
    );
  })
);

/** Hostile IDX bytes: random bytes, valid files mutated, cut or extended, absurd headers. */
const hostileIdx: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 40 }),
  validIdx,
  fc.tuple(
    validIdx,
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
      minLength: 1,
      maxLength: 4,
    }),
  ).map(([bytes, edits]) => {
    const out = Uint8Array.from(bytes);
    for (const [at, v] of edits) out[at % out.length] = v;
    return out;
  }),
  fc.tuple(validIdx, fc.nat()).map(([bytes, cut]) => bytes.subarray(0, cut % bytes.length)),
  fc.tuple(validIdx, fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([bytes, extra]) =>
    Uint8Array.from([...bytes, ...extra])
  ),
  // A header of any type byte and rank, with any dimensions (up to 2^32 - 1), and a little data.
  fc.tuple(
    fc.integer({ min: 0, max: 255 }),
    fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { minLength: 0, maxLength: 6 }),
    fc.uint8Array({ maxLength: 16 }),
  ).map(([type, dims, data]) => {
    const out = new Uint8Array(4 + 4 * dims.length + data.length);
    out[2] = type;
    out[3] = dims.length;
    const view = new DataView(out.buffer);
    dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
    out.set(data, 4 + 4 * dims.length);
    return out;
  }),
);

/** Checks a decoded array against the bytes it came from, independently of the reader. */
function checkDecoded(idx: ReturnType<typeof parseIdx>, bytes: Uint8Array): void {
  assert.ok(DTYPES.includes(idx.dtype));
  assert.equal(bytes[3], idx.shape.length);
  const count = idx.shape.reduce((a, b) => a * b, 1);
  assert.ok(idx.shape.every((n) => Number.isInteger(n) && n >= 1));
  assert.equal(idx.data.length, count);
  const header = 4 + 4 * idx.shape.length;
  assert.equal(bytes.length, header + count * WIDTH[idx.dtype]);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < count; i++) {
    const o = header + i * WIDTH[idx.dtype];
    const expected = {
      uint8: () => view.getUint8(o),
      int8: () => view.getInt8(o),
      int16: () => view.getInt16(o),
      int32: () => view.getInt32(o),
      float32: () => view.getFloat32(o),
      float64: () => view.getFloat64(o),
    }[idx.dtype]();
    assert.ok(Object.is(idx.data[i], expected), `value ${i}: ${idx.data[i]} ≠ ${expected}`);
  }
}

/** An error of the IDX reader: a DataFileError whose message starts with the source's name. */
function isNamedIdxError(error: unknown, name: string): boolean {
  return error instanceof DataFileError && error.file === name &&
    error.message.startsWith(`Cannot read IDX file ${name}: `);
}

Deno.test("fuzz parseIdx: hostile bytes decode exactly or throw a DataFileError naming the source", () => {
  fc.assert(
    fc.property(hostileIdx, (bytes) => {
      const r = attempt(() => parseIdx(bytes, { name: "fuzz.idx" }));
      if (r.ok) checkDecoded(r.value, bytes);
      else assert.ok(isNamedIdxError(r.error, "fuzz.idx"), String(r.error));
    }),
    { numRuns: 400 },
  );
});

/** Splits bytes into chunks at the given cut points (sorted, deduplicated). */
async function* chunks(bytes: Uint8Array, cuts: number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (const c of [...new Set(cuts.map((x) => x % (bytes.length + 1)))].sort((a, b) => a - b)) {
    if (c > at) yield bytes.subarray(at, c);
    at = Math.max(at, c);
  }
  if (at < bytes.length) yield bytes.subarray(at);
}

Deno.test("fuzz streaming reader: any chunking, plain or gzip, agrees with parseIdx", async () => {
  await fc.assert(
    fc.asyncProperty(
      hostileIdx,
      fc.boolean(),
      fc.array(fc.nat(), { maxLength: 6 }),
      async (bytes, gzip, cuts) => {
        if (!gzip && bytes[0] === 0x1f && bytes[1] === 0x8b) return; // that is gzip data
        const source = gzip ? gzipSync(bytes) : bytes;
        const streamed = await attemptAsync(() => collectIdx(chunks(source, cuts), "fuzz.gz", {}));
        const direct = attempt(() => parseIdx(bytes, { name: "fuzz.gz" }));
        assert.equal(streamed.ok, direct.ok, `streamed ${streamed.ok}, direct ${direct.ok}`);
        if (streamed.ok) assert.deepEqual(streamed.value, bytes);
        else assert.ok(isNamedIdxError(streamed.error, "fuzz.gz"), String(streamed.error));
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("fuzz streaming reader: corrupted gzip is decoded correctly or named", async () => {
  await fc.assert(
    fc.asyncProperty(
      validIdx,
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 3,
      }),
      fc.nat(),
      async (bytes, edits, cut) => {
        const gz = Uint8Array.from(gzipSync(bytes));
        for (const [at, v] of edits) gz[at % gz.length] = v;
        const source = cut % 3 === 0 ? gz.subarray(0, cut % gz.length) : gz;
        const r = await attemptAsync(() => collectIdx(chunks(source, [cut]), "bad.gz", {}));
        if (!r.ok) {
          assert.ok(isNamedIdxError(r.error, "bad.gz"), String(r.error));
          return;
        }
        // Accepted: then it is a valid IDX file, and what a reference gunzip makes of it.
        checkDecoded(parseIdx(r.value), r.value);
        assert.deepEqual(r.value, new Uint8Array(gunzipSync(source)));
      },
    ),
    { numRuns: 300 },
  );
});

/** What readIdx may be asked to expect. */
const expectation: fc.Arbitrary<ReadIdxOptions> = fc.record({
  dtype: fc.option(fc.constantFrom(...DTYPES), { nil: undefined }),
  shape: fc.option(
    fc.array(fc.option(fc.integer({ min: 1, max: 4 }), { nil: null }), {
      minLength: 1,
      maxLength: 3,
    }),
    { nil: undefined },
  ),
  maxBytes: fc.option(fc.integer({ min: 1, max: 400 }), { nil: undefined }),
}, { requiredKeys: [] });

Deno.test("fuzz readIdx: files of hostile bytes, with expectations: right array or the file named", async () => {
  const dir = await Deno.makeTempDir();
  try {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(hostileIdx, fc.boolean(), expectation, async (bytes, gzip, expect) => {
        const path = `${dir}/f${n++}${gzip ? ".gz" : ""}`;
        await Deno.writeFile(path, gzip ? gzipSync(bytes) : bytes);
        const r = await attemptAsync(() => readIdx(path, expect));
        const direct = attempt(() => parseIdx(bytes));
        if (!r.ok) {
          assert.ok(isNamedIdxError(r.error, path), String(r.error));
          return;
        }
        assert.ok(direct.ok, "readIdx accepted what parseIdx refuses");
        checkDecoded(r.value, bytes);
        if (expect.dtype) assert.equal(r.value.dtype, expect.dtype);
        if (expect.shape) {
          assert.equal(r.value.shape.length, expect.shape.length);
          expect.shape.forEach((d, i) => d === null || assert.equal(r.value.shape[i], d));
        }
        if (expect.maxBytes) assert.ok(bytes.length <= expect.maxBytes);
      }),
      { numRuns: 120 },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Anything a caller might pass as a number. */
const anyNumber = fc.oneof(
  fc.integer({ min: -3, max: 12 }),
  fc.double(),
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 2 ** 31, 2 ** 32 + 1, 0.5),
);

/** Hostile dataset parts: wrong types, wrong lengths, NaN/Inf pixels, bad labels and shapes. */
const hostileParts = fc.record({
  images: fc.oneof(
    fc.uint8Array({ maxLength: 12 }),
    fc.float32Array({ maxLength: 12 }),
    fc.float32Array({ maxLength: 12, min: 0, max: 1, noNaN: true }),
    fc.array(anyNumber, { maxLength: 12 }).map((a) => Float64Array.from(a)),
    fc.array(anyNumber, { maxLength: 12 }),
    fc.constantFrom(null, undefined, "pixels", 7),
  ),
  labels: fc.oneof(
    fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 12 }),
    fc.array(anyNumber, { maxLength: 12 }),
    fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 12 }).map((a) => Int32Array.from(a)),
    fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 12 }).map((a) => Uint8Array.from(a)),
    fc.array(anyNumber, { maxLength: 12 }).map((a) => Float32Array.from(a)),
    fc.constantFrom(null, undefined, "labels", 3),
  ),
  shape: fc.oneof(
    fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 3 }),
    fc.array(anyNumber, { maxLength: 3 }),
    fc.constantFrom(null, undefined, "1", 4),
  ),
  classNames: fc.oneof(
    fc.array(fc.string({ maxLength: 3 }), { maxLength: 5 }),
    fc.constantFrom(null, undefined, "abc", [1, 2], [null]),
  ),
});

/** Checks every invariant of a Dataset. */
function checkDataset(d: Dataset): void {
  assert.ok(d.images instanceof Float32Array);
  assert.ok(d.labels instanceof Int32Array);
  assert.ok(d.shape.every((n) => Number.isInteger(n) && n >= 1));
  assert.ok(d.classNames.length >= 1 && d.classNames.every((n) => typeof n === "string"));
  assert.equal(d.size, d.labels.length);
  assert.equal(d.images.length, d.size * d.shape.reduce((a, b) => a * b, 1));
  for (const v of d.images) assert.ok(v >= 0 && v <= 1, `pixel ${v}`);
  for (const l of d.labels) assert.ok(l >= 0 && l < d.classNames.length, `label ${l}`);
}

Deno.test("fuzz makeDataset: hostile parts make a valid dataset or an error naming the argument", () => {
  fc.assert(
    fc.property(hostileParts, (parts) => {
      const r = attempt(() => makeDataset(parts as unknown as Parameters<typeof makeDataset>[0]));
      if (r.ok) checkDataset(r.value);
      else {
        assert.ok(r.error instanceof Error, String(r.error));
        assert.match(
          r.error.message,
          /^Cannot make dataset as (float )?(images|labels|shape|classNames|parts)\b/,
          r.error.message,
        );
      }
    }),
    { numRuns: 800 },
  );
});

Deno.test("fuzz float IDX → makeDataset: NaN, ±Inf or out-of-range pixels are refused by index", () => {
  fc.assert(
    fc.property(fc.array(fc.float(), { minLength: 1, maxLength: 8 }), (values) => {
      const idx = parseIdx(encodeIdx("float32", [values.length, 1], values), { name: "f.idx" });
      const r = attempt(() =>
        makeDataset({
          images: idx.data as Float32Array,
          labels: new Array(values.length).fill(0),
          shape: [1],
          classNames: ["only"],
        })
      );
      const bad = values.findIndex((v) => !(Math.fround(v) >= 0 && Math.fround(v) <= 1));
      if (bad < 0) {
        assert.ok(r.ok);
        checkDataset(r.value);
      } else {
        assert.ok(!r.ok);
        const message = String(r.error);
        assert.ok(message.includes(`images[${bad}] is ${Math.fround(values[bad])}`), message);
      }
    }),
    { numRuns: 300 },
  );
});

/** A small valid dataset of `labels` (each image filled with its index / size). */
function dataset(labels: number[], classes: number): Dataset {
  const size = labels.length;
  return makeDataset({
    images: Float32Array.from(
      { length: size * 2 },
      (_, i) => Math.floor(i / 2) / Math.max(1, size),
    ),
    labels,
    shape: [2],
    classNames: Array.from({ length: classes }, (_, i) => `c${i}`),
  });
}

const smallDataset = fc.integer({ min: 1, max: 4 }).chain((classes) =>
  fc.array(fc.integer({ min: 0, max: classes - 1 }), { minLength: 0, maxLength: 10 }).map(
    (labels) => dataset(labels, classes),
  )
);

Deno.test("fuzz subset, filterClasses, splits: hostile indices and options", () => {
  fc.assert(
    fc.property(
      smallDataset,
      fc.array(anyNumber, { maxLength: 6 }),
      anyNumber,
      anyNumber,
      fc.array(anyNumber, { maxLength: 4 }),
      (d, indices, fraction, seed, classes) => {
        const s = attempt(() => subset(d, indices));
        if (s.ok) {
          checkDataset(s.value);
          indices.forEach((i, j) => assert.equal(s.value.labels[j], d.labels[i]));
        } else assert.match(String(s.error), /Cannot take subset as indices\b/);

        const f = attempt(() => filterClasses(d, classes));
        if (f.ok) {
          checkDataset(f.value);
          assert.ok([...f.value.labels].every((l) => classes.includes(l)));
          assert.equal(f.value.size, [...d.labels].filter((l) => classes.includes(l)).length);
        } else assert.match(String(f.error), /Cannot filter classes as each class\b/);

        const st = attempt(() => stratifiedSplit(d, { validationFraction: fraction, seed }));
        if (st.ok) {
          checkDataset(st.value.train);
          checkDataset(st.value.validation);
          assert.equal(st.value.train.size + st.value.validation.size, d.size);
        } else {
          assert.match(
            String(st.error),
            /Cannot (split dataset as validationFraction|create rng as seed)\b/,
          );
        }

        const cd = attempt(() => classDisjointSplit(d, { seen: classes }));
        if (cd.ok) {
          checkDataset(cd.value.seen);
          checkDataset(cd.value.unseen);
          assert.equal(cd.value.seen.size + cd.value.unseen.size, d.size);
          for (const l of cd.value.seen.labels) assert.ok(!cd.value.unseenClasses.includes(l));
        } else assert.match(String(cd.error), /Cannot split classes as seen\b/);

        const cr = attempt(() => classDisjointSplit(d, { unseenCount: fraction, seed }));
        if (cr.ok) {
          assert.equal(cr.value.unseenClasses.length, fraction);
          assert.equal(cr.value.seen.size + cr.value.unseen.size, d.size);
        } else {
          assert.match(
            String(cr.error),
            /Cannot (split classes as unseenCount|create rng as seed)\b/,
          );
        }
      },
    ),
    { numRuns: 400 },
  );
});

/** Hostile index tuples: any kind string, any index, any label. */
const hostileTuple = fc.record({
  kind: fc.constantFrom("pair", "triplet", "labelled", "bogus"),
  left: anyNumber,
  right: anyNumber,
  same: fc.boolean(),
  anchor: anyNumber,
  positive: anyNumber,
  negative: anyNumber,
  index: anyNumber,
  label: anyNumber,
});

Deno.test("fuzz toTensors / tensorBatches: hostile batches give the right rows or a named error, no leak", () => {
  fc.assert(
    fc.property(
      smallDataset.filter((d) => d.size > 0),
      fc.array(hostileTuple, { maxLength: 4 }),
      (d, batch) => {
        const before = tf.memory().numTensors;
        const r = attempt(() => {
          const out: number[][] = [];
          for (const t of tensorBatches(d)([batch as never])) {
            for (const v of Object.values(t)) {
              if (v instanceof tf.Tensor) out.push([...v.dataSync()]);
            }
          }
          return out;
        });
        assert.equal(tf.memory().numTensors, before, "tensors leaked");
        const first = batch[0]?.kind;
        const valid = (i: number) => Number.isInteger(i) && i >= 0 && i < d.size;
        const ok = batch.length > 0 && batch.every((t) => t.kind === first) &&
          first !== "bogus" &&
          batch.every((t) =>
            first === "pair"
              ? valid(t.left) && valid(t.right)
              : first === "triplet"
              ? valid(t.anchor) && valid(t.positive) && valid(t.negative)
              : valid(t.index) && Number.isInteger(t.label) && Math.abs(t.label) < 2 ** 31
          );
        assert.equal(r.ok, ok, r.ok ? "accepted a bad batch" : String(r.error));
        if (!r.ok) {
          assert.match(String(r.error), /^\w*Error: Cannot convert batch to tensors as /);
          return;
        }
        const rows = (pick: (t: typeof batch[number]) => number) =>
          batch.flatMap((t) => [...d.images.subarray(pick(t) * 2, pick(t) * 2 + 2)]);
        const got = r.value;
        if (first === "pair") {
          assert.deepEqual(got[0], rows((t) => t.left));
          assert.deepEqual(got[1], rows((t) => t.right));
          assert.deepEqual(got[2], batch.map((t) => (t.same ? 1 : 0)));
        } else if (first === "triplet") {
          assert.deepEqual(got[0], rows((t) => t.anchor));
          assert.deepEqual(got[2], rows((t) => t.negative));
        } else {
          assert.deepEqual(got[0], rows((t) => t.index));
          assert.deepEqual(got[1], batch.map((t) => t.label + 0)); // -0 is 0 in int32
        }
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("fuzz toTensors: a hand-made dataset with NaN pixels or a short image array is refused", () => {
  fc.assert(
    fc.property(
      fc.array(fc.float(), { minLength: 2, maxLength: 6 }),
      fc.integer({ min: 0, max: 2 }),
      (values, missing) => {
        const size = values.length;
        const d: Dataset = {
          images: Float32Array.from(values).subarray(0, size - missing),
          labels: new Int32Array(size),
          shape: [1],
          size,
          classNames: ["a"],
        };
        const before = tf.memory().numTensors;
        const r = attempt(() => {
          const t = toTensors(d)([{ kind: "labelled", index: size - 1, label: 0 }]);
          const v = [...t.embeddings.dataSync()];
          tf.dispose([t.embeddings, t.labels]);
          return v;
        });
        assert.equal(tf.memory().numTensors, before);
        if (missing > 0) {
          assert.match(String(r.ok ? "accepted" : r.error), /dataset\.images/);
        } else if (!Number.isFinite(Math.fround(values[size - 1]))) {
          assert.match(String(r.ok ? "accepted" : r.error), /not finite/);
        } else {
          assert.ok(r.ok, String(!r.ok && r.error));
          assert.deepEqual(r.value, [Math.fround(values[size - 1])]);
        }
      },
    ),
    { numRuns: 200 },
  );
});
