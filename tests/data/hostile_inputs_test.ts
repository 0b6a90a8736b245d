/**
 * Regression tests for what the fuzz suite (tests/fuzz/data_fuzz_test.ts) found in lib/data:
 * hostile arguments that went through silently or failed with a raw TypeError.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { type Dataset, makeDataset, toTensors } from "../../lib/data/mod.ts";

await tf.setBackend("cpu");

const parts = {
  images: Uint8Array.from([0, 255]),
  labels: [0, 1],
  shape: [1],
  classNames: ["a", "b"],
};

Deno.test("makeDataset: labels, images and classNames of the wrong type are named", () => {
  const bad = (override: Record<string, unknown>, pattern: RegExp) =>
    assert.throws(
      () => makeDataset({ ...parts, ...override } as unknown as typeof parts),
      pattern,
    );
  // Was a raw "TypeError: object null is not iterable".
  bad(
    { labels: null },
    /^TypeError: Cannot make dataset as labels must be .*: current value is null/,
  );
  bad({ labels: "01" }, /as labels must be .*: current value is "01"/);
  // Were accepted, giving a Dataset whose images were not a Float32Array.
  bad(
    { images: Float64Array.from([0, 1]) },
    /as images must be a Float32Array or a Uint8Array: current value is Float64Array/,
  );
  bad(
    { images: [0, 1] },
    /as images must be a Float32Array or a Uint8Array: current value is \[0,1\]/,
  );
  bad(
    { classNames: [1, 2] },
    /as classNames must be a non-empty array of strings: current value is \[1,2\]/,
  );
  bad({ images: undefined, labels: undefined }, /Cannot make dataset as/);
  assert.throws(
    () => makeDataset(null as never),
    /as parts must be an object: current value is null/,
  );
});

Deno.test("toTensors: a non-integer label is refused, not cast to int32 silently", () => {
  const d = makeDataset(parts);
  const before = tf.memory().numTensors;
  for (const label of [NaN, 1.5, 2 ** 31]) {
    assert.throws(
      () => toTensors(d)([{ kind: "labelled", index: 0, label }]),
      new RegExp(`labels must be int32 integers: current label of item 0 is ${label}`),
    );
  }
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("toTensors: a hand-made dataset with a short image array or NaN pixels is refused", () => {
  const short: Dataset = {
    images: new Float32Array(3),
    labels: new Int32Array(4),
    shape: [1],
    size: 4,
    classNames: ["a"],
  };
  // Was: index 3 read past the end and gave a row of zeros.
  assert.throws(
    () => toTensors(short),
    /dataset\.images must be a Float32Array of size × prod\(shape\) = 4 × 1 = 4 values: current is of length 3/,
  );
  const nan: Dataset = { ...short, images: Float32Array.from([0, 0.5, NaN, 1]) };
  const before = tf.memory().numTensors;
  assert.throws(
    () => toTensors(nan)([{ kind: "triplet", anchor: 0, positive: 1, negative: 2 }]),
    /pixels must be finite: dataset\.images\[2\] \(negative of item 0, sample 2\) is NaN/,
  );
  assert.equal(tf.memory().numTensors, before, "the anchor and positive made first are disposed");
  const t = toTensors(nan)([{ kind: "pair", left: 0, right: 3, same: false }]);
  assert.deepEqual([...t.right.dataSync()], [1]);
  tf.dispose([t.left, t.right, t.same]);
});
