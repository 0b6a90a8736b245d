// Where the runtime has no built-in modules (a browser), the parts that need Deno say so by
// name when called, and the browser-safe parts give the same results.
import assert from "node:assert/strict";
import { builtin, hasBuiltin } from "../../lib/_runtime.ts";
import { fingerprintWeights, sqliteStore } from "../../lib/gallery/mod.ts";

/** Runs `body` with `globalThis.process` hidden, as in a browser. */
function withoutProcess<T>(body: () => T): T {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, "process");
  Object.defineProperty(globalThis, "process", { value: undefined, configurable: true });
  try {
    return body();
  } finally {
    if (descriptor) Object.defineProperty(globalThis, "process", descriptor);
  }
}

Deno.test("without built-in modules, sqliteStore fails naming the module and the file", () => {
  assert.ok(hasBuiltin("node:sqlite"));
  withoutProcess(() => {
    assert.equal(hasBuiltin("node:sqlite"), false);
    assert.throws(
      () => sqliteStore("/tmp/x.db", { dim: 2, fingerprint: "f" }),
      /Cannot open gallery "\/tmp\/x\.db" as it needs the built-in module node:sqlite, which this runtime does not have/,
    );
    assert.throws(() => builtin("node:zlib", "encode a PNG"), /Cannot encode a PNG as it needs/);
  });
  assert.equal(typeof builtin("node:zlib", "encode a PNG").deflateSync, "function");
});

Deno.test("a fingerprint is the same digest with node:crypto and with the browser's hash", () => {
  const weights = [new Float32Array([1, -2.5, 3e-8]), new Float32Array(1000).map((_, i) => i / 7)];
  const native = fingerprintWeights(weights);
  const portable = withoutProcess(() => fingerprintWeights(weights));
  assert.equal(portable, native);
  assert.match(native, /^[0-9a-f]{64}$/);
  // and it is SHA-256 of (length, little-endian floats) per array: one array checked by hand
  const one = new Float32Array([1]);
  const bytes = new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x3f]);
  const expected = builtin("node:crypto", "hash").createHash("sha256").update(bytes).digest("hex");
  assert.equal(withoutProcess(() => fingerprintWeights([one])), expected);
});
