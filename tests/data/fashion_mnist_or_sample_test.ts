/**
 * data.fashionMnistOrSample: Fashion-MNIST where it is found, the bundled sample (600 / 400 by
 * class, seeded) where it is not, and an error naming the file for a copy that is broken.
 */
import assert from "node:assert/strict";
import {
  DataFileError,
  DataNotFoundError,
  fashionMnist,
  fashionMnistOrSample,
} from "../../lib/data/mod.ts";
import { encodeIdx } from "./_idx.ts";

/** Writes a small uint8 Fashion-MNIST copy (images hold their label) into `dir`. */
async function writeCopy(dir: string, split: "train" | "t10k", labels: number[]) {
  const n = labels.length;
  const pixels = labels.flatMap((l) => new Array(28 * 28).fill(l * 20));
  await Deno.writeFile(
    `${dir}/${split}-images-idx3-ubyte`,
    encodeIdx("uint8", [n, 28, 28], pixels),
  );
  await Deno.writeFile(`${dir}/${split}-labels-idx1-ubyte`, encodeIdx("uint8", [n], labels));
}

const counts = (labels: Int32Array) => {
  const c = new Array(10).fill(0);
  for (const l of labels) c[l]++;
  return c;
};

Deno.test("fashionMnistOrSample: sample splits the bundled 1,000 images 600 / 400, 60 / 40 per class, seeded", async () => {
  const a = await fashionMnistOrSample({ sample: true, seed: 5 });
  assert.equal(a.source, "sample");
  assert.equal(a.train.size, 600);
  assert.equal(a.test.size, 400);
  assert.deepEqual(counts(a.train.labels), new Array(10).fill(60));
  assert.deepEqual(counts(a.test.labels), new Array(10).fill(40));
  assert.equal(a.description.train, "bundled sample, 600 of 1000 (stratified, seed 5)");
  assert.equal(a.description.test, "bundled sample, the other 400");
  // train and test partition the sample: every image once (compared as whole images)
  const sample = await fashionMnist({ split: "sample" });
  const key = (d: typeof sample, i: number) => d.images.subarray(i * 784, (i + 1) * 784).join();
  const all = new Map<string, number>();
  for (let i = 0; i < sample.size; i++) all.set(key(sample, i), (all.get(key(sample, i)) ?? 0) + 1);
  for (const part of [a.train, a.test]) {
    for (let i = 0; i < part.size; i++) {
      const k = key(part, i);
      assert.ok((all.get(k) ?? 0) > 0, "an image of the split is not in the sample, or twice");
      all.set(k, all.get(k)! - 1);
    }
  }
  assert.ok([...all.values()].every((n) => n === 0), "every sample image is in train or test");
  // the same seed, the same split; another seed, another split
  const again = await fashionMnistOrSample({ sample: true, seed: 5 });
  assert.deepEqual(again.test.images, a.test.images);
  const other = await fashionMnistOrSample({ sample: true, seed: 6 });
  assert.notDeepEqual(other.test.images, a.test.images);
});

Deno.test("fashionMnistOrSample: a copy found in dir is used, train and test, without a fallback", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeCopy(dir, "train", [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    await writeCopy(dir, "t10k", [9, 8, 7, 6, 5]);
    const told: string[] = [];
    const data = await fashionMnistOrSample({
      dir,
      download: false,
      onFallback: (m) => told.push(m),
    });
    assert.deepEqual(told, []);
    assert.equal(data.source, "fashion-mnist");
    assert.equal(data.train.size, 12);
    assert.deepEqual([...data.test.labels], [9, 8, 7, 6, 5]);
    assert.equal(data.description.train, "Fashion-MNIST train (12)");
    assert.equal(data.description.test, "Fashion-MNIST test (5)");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fashionMnistOrSample: found nowhere (train or test missing) falls back to the sample and says why", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const calls: [string, unknown][] = [];
    const onFallback = (m: string, e: DataNotFoundError) => calls.push([m, e]);
    const data = await fashionMnistOrSample({ dir, download: false, seed: 2, onFallback });
    assert.equal(data.source, "sample");
    assert.equal(data.train.size, 600);
    assert.equal(data.description.train, "bundled sample, 600 of 1000 (stratified, seed 2)");
    assert.equal(calls.length, 1);
    assert.ok(calls[0][1] instanceof DataNotFoundError);
    assert.match(calls[0][0], new RegExp(`${dir}`));
    assert.match(calls[0][0], /train-images-idx3-ubyte/);
    assert.match(
      calls[0][0],
      /Falling back to the bundled sample \(600 train \/ 400 test images\)/,
    );
    // train present but test missing: not found either, the same fallback
    await writeCopy(dir, "train", [0, 1, 2]);
    calls.length = 0;
    const half = await fashionMnistOrSample({ dir, download: false, onFallback });
    assert.equal(half.source, "sample");
    assert.equal(calls.length, 1);
    assert.match(calls[0][0], /t10k-images-idx3-ubyte/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fashionMnistOrSample: a corrupt copy is a DataFileError naming the file, never a fallback", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeCopy(dir, "train", [0, 1, 2]);
    await writeCopy(dir, "t10k", [0, 1, 2]);
    // the labels file says 3 items but holds 2
    const bad = `${dir}/t10k-labels-idx1-ubyte`;
    const bytes = await Deno.readFile(bad);
    await Deno.writeFile(bad, bytes.subarray(0, bytes.length - 1));
    const told: string[] = [];
    const error = await fashionMnistOrSample({
      dir,
      download: false,
      onFallback: (m) => told.push(m),
    }).catch((e) => e);
    assert.ok(error instanceof DataFileError, String(error));
    assert.ok(error.message.includes(bad), error.message);
    assert.deepEqual(told, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fashionMnistOrSample: bad options are refused naming the option and its value", async () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ sample: true, seed: -1 }, /seed must be a non-negative integer: current value is -1/],
    [{ sample: true, seed: 1.5 }, /seed must be a non-negative integer: current value is 1.5/],
    [{ sample: true, seed: NaN }, /seed must be a non-negative integer: current value is NaN/],
    [{ sample: "yes" }, /sample must be true or false: current value is yes/],
    [{ sample: true, onFallback: 3 }, /onFallback must be a function: current value is 3/],
  ];
  for (const [options, message] of cases) {
    await assert.rejects(
      // deno-lint-ignore no-explicit-any
      () => fashionMnistOrSample(options as any),
      (e: Error) => {
        assert.match(e.message, message);
        return true;
      },
    );
  }
});
