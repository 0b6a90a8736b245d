import assert from "node:assert/strict";
import { fingerprintWeights } from "../../lib/gallery/mod.ts";

Deno.test("fingerprintWeights matches an independent SHA-256 of the length-prefixed little-endian bytes", () => {
  // References computed with Python's hashlib:
  //   sha256(b"") and sha256(pack("<Q", 2) + pack("<2f", 1, 2) + pack("<Q", 1) + pack("<f", -0.5))
  assert.equal(
    fingerprintWeights([]),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
  assert.equal(
    fingerprintWeights([new Float32Array([1, 2]), new Float32Array([-0.5])]),
    "49729771662c5414c15671ab12ddd01ccc01583c420cf221af4552b80ff8ffe9",
  );
});

Deno.test("fingerprintWeights changes with any value, split or order", () => {
  const base = fingerprintWeights([new Float32Array([1, 2]), new Float32Array([3])]);
  assert.notEqual(base, fingerprintWeights([new Float32Array([1, 2]), new Float32Array([3.0001])]));
  assert.notEqual(base, fingerprintWeights([new Float32Array([1, 2, 3])]));
  assert.notEqual(base, fingerprintWeights([new Float32Array([3]), new Float32Array([1, 2])]));
  assert.equal(
    fingerprintWeights(new Float32Array([1, 2])),
    fingerprintWeights([new Float32Array([1, 2])]),
  );
});

Deno.test("fingerprintWeights rejects what is not Float32Array", () => {
  assert.throws(
    () => fingerprintWeights([new Float32Array(1), [1, 2] as unknown as Float32Array]),
    /weights\[1\] must be a Float32Array/,
  );
});
