import assert from "node:assert/strict";
import fc from "fast-check";
import { type IdxDtype, parseIdx } from "../../lib/data/mod.ts";
import { encodeIdx } from "./_idx.ts";

const valueOf: Record<IdxDtype, fc.Arbitrary<number>> = {
  uint8: fc.integer({ min: 0, max: 255 }),
  int8: fc.integer({ min: -128, max: 127 }),
  int16: fc.integer({ min: -32768, max: 32767 }),
  int32: fc.integer(),
  float32: fc.float({ noNaN: true }),
  float64: fc.double({ noNaN: true }),
};

Deno.test("parseIdx: round-trips every dtype and shape", () => {
  const arb = fc.constantFrom<IdxDtype>("uint8", "int8", "int16", "int32", "float32", "float64")
    .chain((dtype) =>
      fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }).chain((shape) =>
        fc.tuple(
          fc.constant(dtype),
          fc.constant(shape),
          fc.array(valueOf[dtype], {
            minLength: shape.reduce((a, b) => a * b, 1),
            maxLength: shape.reduce((a, b) => a * b, 1),
          }),
        )
      )
    );
  fc.assert(fc.property(arb, ([dtype, shape, values]) => {
    const idx = parseIdx(encodeIdx(dtype, shape, values));
    assert.equal(idx.dtype, dtype);
    assert.deepEqual(idx.shape, shape);
    const expected = dtype === "float32" ? values.map((x) => Math.fround(x)) : values;
    assert.deepEqual(
      [...idx.data].map((x) => Object.is(x, -0) ? 0 : x),
      expected.map((x) => Object.is(x, -0) ? 0 : x),
    );
  }));
});

Deno.test("parseIdx: every defect is named, with the source's name", () => {
  const good = encodeIdx("uint8", [2, 3], [1, 2, 3, 4, 5, 6]);
  const bad = (bytes: Uint8Array, pattern: RegExp) =>
    assert.throws(() => parseIdx(bytes, { name: "x.idx" }), (e: Error) => {
      assert.match(e.message, /^Cannot read IDX file x\.idx: /);
      assert.match(e.message, pattern);
      return true;
    });
  bad(good.subarray(0, 3), /truncated: 3 bytes, less than the 4-byte magic/);
  bad(Uint8Array.from([1, 0, 8, 1, 0, 0, 0, 1, 7]), /bad magic number.*0x01 0x00/);
  bad(Uint8Array.from([0, 0, 0x07, 1, 0, 0, 0, 1, 7]), /unknown data type byte 0x07/);
  bad(Uint8Array.from([0, 0, 8, 0]), /rank is 0/);
  bad(good.subarray(0, 10), /truncated: 10 bytes, less than the 12-byte header/);
  bad(Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 0]), /dimension 0 is 0/);
  bad(
    good.subarray(0, 17),
    /truncated: dimensions \[2,3\] of uint8 need 18 bytes, current length is 17/,
  );
  bad(Uint8Array.from([...good, 9]), /1 trailing bytes/);
  bad(Uint8Array.from([0x1f, 0x8b, 8, 0]), /gzip-compressed/);
});
