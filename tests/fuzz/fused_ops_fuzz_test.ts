/**
 * Properties of lib/backend's fused ops on wasm (native too, where it runs): for arbitrary
 * (also hostile) shapes and numbers, `fusedBatchNormTrain` either returns what tf.moments +
 * tf.batchNorm give on cpu, or throws an Error naming the argument; `fusedAdamUpdate`
 * returns tf.train.adam's first step or throws naming the argument; no tensor leaks, and
 * never a NaN from finite inputs.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import * as tf from "@tensorflow/tfjs";
import { fusedAdamUpdate, fusedBatchNormTrain, useBackend } from "../../lib/backend/mod.ts";

await useBackend("wasm");

const dims = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 4 });
const hostileNumber = fc.oneof(
  fc.double({ min: -1, max: 1 }),
  fc.constantFrom(NaN, Infinity, -Infinity, 0, 1e-3, 1e-5),
  fc.constant("1e-3" as unknown as number),
  fc.constant(undefined as unknown as number),
);
const fill = (shape: number[], seed: number) =>
  Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 7.1 + seed) * 3);

/** tf.moments + tf.batchNorm on cpu (the stock training-mode computation). */
async function reference(shape: number[], c: number, epsilon: number): Promise<number[][]> {
  await tf.setBackend("cpu");
  const x = tf.tensor(fill(shape, 1), shape);
  const [scale, offset] = [tf.tensor1d(fill([c], 2)), tf.tensor1d(fill([c], 3))];
  const axes = shape.slice(0, -1).map((_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  const y = tf.batchNorm(x, mean, variance, offset, scale, epsilon);
  const out = [Array.from(await y.data()), Array.from(await mean.data())];
  tf.dispose([x, scale, offset, mean, variance, y]);
  await tf.setBackend("wasm");
  return out;
}

/** Mostly well-formed shapes (x: [..., c], scale and offset [c]), sometimes arbitrary ones. */
const bnShapes = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.tuple(dims, fc.integer({ min: 1, max: 5 })).map((
      [d, c],
    ) => [[...d, c], [c], [c]]),
  },
  { weight: 1, arbitrary: fc.tuple(dims, dims, dims) },
);
const goodEpsilon = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(1e-3, 1e-5, 0.1) },
  { weight: 1, arbitrary: hostileNumber },
);
let computed = 0;

Deno.test("fusedBatchNormTrain: cpu's moments + batchNorm, or an error naming the argument", async () => {
  await fc.assert(
    fc.asyncProperty(bnShapes, goodEpsilon, async ([xs, ss, os], epsilon) => {
      await tf.setBackend("wasm");
      const before = tf.memory().numTensors;
      const x = tf.tensor(fill(xs, 1), xs);
      const scale = tf.tensor(fill(ss, 2), ss);
      const offset = tf.tensor(fill(os, 3), os);
      let result;
      try {
        result = fusedBatchNormTrain(x, scale, offset, epsilon);
      } catch (e) {
        const message = (e as Error).message;
        assert.match(message, /^Cannot run fusedBatchNormTrain as (x|scale|offset|epsilon) /);
        tf.dispose([x, scale, offset]);
        assert.equal(tf.memory().numTensors, before);
        return;
      }
      assert.ok(result !== undefined, "wasm has the kernels");
      const c = xs[xs.length - 1];
      const y = Array.from(await result.y.data());
      const mean = Array.from(await result.mean.data());
      tf.dispose([x, scale, offset, result.y, result.mean, result.variance]);
      assert.equal(tf.memory().numTensors, before, "leak");
      assert.ok(
        xs.length >= 2 && ss.join() === `${c}` && os.join() === `${c}`,
        `${xs} ${ss} ${os}`,
      );
      computed++;
      assert.ok(y.every(Number.isFinite), `NaN from finite input: ${y}`);
      if (xs.reduce((a, b) => a * b, 1) === 0) return;
      const [wantY, wantMean] = await reference(xs, c, epsilon);
      const scaleOf = (a: number[]) => Math.max(1, ...a.map(Math.abs));
      y.forEach((v, i) =>
        assert.ok(Math.abs(v - wantY[i]) <= 1e-4 * scaleOf(wantY), `y[${i}] ${v} vs ${wantY[i]}`)
      );
      mean.forEach((v, i) => assert.ok(Math.abs(v - wantMean[i]) <= 1e-5 * scaleOf(wantMean)));
    }),
    { numRuns: 120 },
  );
  // About a third of the drawn cases are valid shapes; 120 draws give ~40 (fewer than 20: p ≈ 1e-4;
  // with 60 draws and the same bound, 19 was seen once in CI)
  assert.ok(computed >= 20, `only ${computed} of 120 cases computed`);
});

Deno.test("fusedAdamUpdate: tf.train.adam's first step, or an error naming the argument", async () => {
  const mostly = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>) =>
    fc.oneof({ weight: 9, arbitrary: good }, { weight: 1, arbitrary: bad });
  const step = fc.record({
    learningRate: mostly(fc.constantFrom(0.1, 0.001), hostileNumber),
    beta1: mostly(fc.constantFrom(0.9, 0), fc.oneof(fc.constantFrom(1, -0.1), hostileNumber)),
    beta2: mostly(fc.constantFrom(0.999, 0.5), fc.oneof(fc.constantFrom(1), hostileNumber)),
    epsilon: mostly(fc.constantFrom(1e-7, 1e-8), hostileNumber),
    step: mostly(fc.constant(1), fc.oneof(fc.constantFrom(0, 2.5), hostileNumber)),
  });
  const shapes = fc.oneof(
    { weight: 3, arbitrary: dims.map((d) => [d, d]) },
    { weight: 1, arbitrary: fc.tuple(dims, dims) },
  );
  let updated = 0;
  await fc.assert(
    fc.asyncProperty(shapes, step, async ([vs, gs], s) => {
      await tf.setBackend("wasm");
      const before = tf.memory().numTensors;
      const value = tf.tensor(fill(vs, 4), vs);
      const [m, v] = [tf.zeros(vs), tf.zeros(vs)];
      const gradient = tf.tensor(fill(gs, 5), gs);
      let out;
      try {
        out = fusedAdamUpdate(value, m, v, gradient, s);
      } catch (e) {
        assert.match(
          (e as Error).message,
          /^Cannot run fusedAdamUpdate as (gradient|step\.\w+) /,
        );
        tf.dispose([value, m, v, gradient]);
        assert.equal(tf.memory().numTensors, before);
        return;
      }
      assert.ok(out !== undefined);
      const got = Array.from(await out[0].data());
      tf.dispose([value, m, v, gradient, ...out]);
      assert.equal(tf.memory().numTensors, before, "leak");
      assert.equal(gs.join(), vs.join());
      assert.equal(s.step, 1);
      updated++;
      // Adam's first step: m̂ = g, v̂ = g², so value − lr·g/(|g| + ε).
      const start = fill(vs, 4);
      const g = fill(vs, 5);
      got.forEach((x, i) => {
        const want = start[i] -
          s.learningRate * g[i] / (Math.abs(g[i]) + s.epsilon * Math.sqrt(1 - s.beta2));
        assert.ok(Math.abs(x - want) <= 1e-5 * Math.max(1, Math.abs(want)), `${x} vs ${want}`);
      });
    }),
    { numRuns: 80 },
  );
  assert.ok(updated >= 20, `only ${updated} of 80 cases updated`);
});
