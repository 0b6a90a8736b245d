// The fused training kernels (batch norm with batch statistics, ReLU's gradient, Adam) and the
// layers and optimizer that use them, on wasm (heap loops) and native (oneDNN), against the
// stock tfjs code on the cpu backend; a compiled likeness model's training step runs them
// (through likeness's own kernel names: tfjs's `tf.relu` keeps its stock gradient).
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { fusedRelu, useBackend } from "../../lib/backend/mod.ts";
import {
  adamName,
  batchNormTrainGradName,
  batchNormTrainName,
  reluGradName,
  reluName,
} from "../../lib/backend/_fused_kernels.ts";
import { BatchNormalization } from "../../lib/compile/_batch_norm_layer.ts";
import { Activation } from "../../lib/compile/_activation_layer.ts";
import { Adam } from "../../lib/compile/_adam.ts";
import { compile } from "../../lib/compile/mod.ts";
import { pipe } from "../../lib/pipe.ts";
import {
  activation,
  batchNorm,
  conv2d,
  dense,
  empty,
  flatten,
  triplet,
} from "../../lib/branches/mod.ts";
import { tripletMargin } from "../../lib/losses/mod.ts";
import { randomSpec, type Spec } from "./_compare.ts";
import { maxAbsDiff, nativeMissing, useNative } from "./_native.ts";

type Fast = "wasm" | "native";
// native's variants are registered either way: ignored (and counted) where it is missing.
const backends: Fast[] = ["wasm", "native"];
const testOn = (backend: Fast, name: string, fn: () => Promise<void>) =>
  Deno.test({ name, ignore: backend === "native" && nativeMissing, fn });

async function use(backend: Fast | "cpu"): Promise<void> {
  if (backend === "native") await useNative();
  else await useBackend(backend);
}

const tensor = (s: Spec) => tf.tensor(s.values, s.shape);

/** Values of `f`'s output tensors on `backend` (inputs built there from the specs). */
async function on(
  backend: Fast | "cpu",
  specs: Spec[],
  f: (...xs: tf.Tensor[]) => tf.Tensor[],
): Promise<Float32Array[]> {
  await use(backend);
  const before = tf.memory().numTensors;
  const xs = specs.map(tensor);
  const outs = f(...xs);
  const values = await Promise.all(outs.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose([...xs, ...outs]);
  assert.equal(tf.memory().numTensors, before, `leak on ${backend}`);
  return values;
}

function close(label: string, got: Float32Array[], want: Float32Array[], tolerance: number) {
  assert.equal(got.length, want.length);
  got.forEach((g, i) => {
    const scale = Math.max(1, ...Array.from(want[i], Math.abs));
    const diff = maxAbsDiff(g, want[i]);
    assert.ok(diff <= tolerance * scale, `${label} output ${i}: max abs diff ${diff}`);
  });
}

/** The stock training-mode batch norm: moments, then normalise (autodiff differentiates both). */
function stockBatchNorm(x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor, epsilon: number) {
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  return [tf.batchNorm(x, mean, variance, offset, scale, epsilon), mean, variance];
}

function fusedBatchNorm(x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor, epsilon: number) {
  return tf.engine().runKernel(batchNormTrainName, { x, scale, offset }, {
    epsilon,
  }) as tf.Tensor[];
}

/** Forward outputs and the gradients of Σ y·w with respect to x, scale and offset. */
function withGradients(norm: typeof stockBatchNorm, epsilon: number) {
  return (x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor, w: tf.Tensor) => {
    const [y, mean, variance] = norm(x, scale, offset, epsilon);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
      tf.sum(tf.mul(norm(a, b, c, epsilon)[0], w))
    )([x, scale, offset]);
    return [y, mean, variance, ...grads];
  };
}

const bnCases: { shape: number[]; shift: number; epsilon: number }[] = [
  { shape: [4, 5, 6, 8], shift: 0, epsilon: 1e-3 },
  { shape: [3, 7, 7, 16], shift: 0, epsilon: 1e-5 },
  { shape: [16, 32], shift: 0, epsilon: 1e-3 },
  { shape: [6, 3, 3, 4], shift: 50, epsilon: 1e-3 }, // a large mean: two-pass variance
];

for (const backend of backends) {
  testOn(
    backend,
    `${backend}: ${batchNormTrainName} and its gradient match cpu's moments + batchNorm`,
    async () => {
      for (const [i, c] of bnCases.entries()) {
        const channels = c.shape[c.shape.length - 1];
        const x = randomSpec(c.shape, 100 + i);
        x.values = x.values.map((v) => v * 3 + c.shift);
        const specs = [x, randomSpec([channels], 200 + i), randomSpec([channels], 300 + i)];
        specs.push(randomSpec(c.shape, 400 + i));
        const want = await on("cpu", specs, withGradients(stockBatchNorm, c.epsilon));
        const got = await on(backend, specs, withGradients(fusedBatchNorm, c.epsilon));
        // y, mean, variance, dx, dScale, dOffset
        close(`${backend} [${c.shape}] shift ${c.shift}`, got, want, 2e-5);
      }
    },
  );

  testOn(
    backend,
    `${backend}: fusedRelu's gradient goes through ${reluGradName} and matches cpu's tf.relu`,
    async () => {
      await use(backend);
      assert.ok(tf.getKernel(reluGradName, backend) !== undefined);
      const x = randomSpec([3, 4, 5, 6], 7);
      x.values[0] = 0; // relu'(0) = 0, as tfjs and PyTorch
      const f = (relu: (t: tf.Tensor) => tf.Tensor) => (a: tf.Tensor, w: tf.Tensor) => [
        relu(a),
        tf.grad((b: tf.Tensor) => tf.sum(tf.mul(relu(b), w)))(a),
      ];
      const specs = [x, randomSpec([3, 4, 5, 6], 8)];
      const got = await on(backend, specs, f(fusedRelu));
      assert.ok(got[1][0] === 0, `relu'(0) gave ${got[1][0]}`);
      close(`${backend} relu`, got, await on("cpu", specs, f(tf.relu)), 0);
      // The fused kernels run for fusedRelu, never for tf.relu.
      const kernels = async (relu: (t: tf.Tensor) => tf.Tensor) => {
        await use(backend);
        const [a, w] = specs.map(tensor);
        const info = await tf.profile(() => f(relu)(a, w));
        tf.dispose([a, w]);
        return info.kernels.map((k) => k.name);
      };
      const fused = await kernels(fusedRelu);
      assert.ok(fused.includes(reluName) && fused.includes(reluGradName), fused.join());
      const stock = await kernels(tf.relu);
      assert.ok(!stock.includes(reluName) && !stock.includes(reluGradName), stock.join());
      assert.ok(stock.includes("Relu") && stock.includes("Step"), stock.join());
    },
  );

  testOn(
    backend,
    `${backend}: the BatchNormalization layer trains as tfjs-layers' own`,
    async () => {
      const run = async (where: Fast | "cpu", make: () => tf.layers.Layer) => {
        await use(where);
        const layer = make();
        const x = tensor(randomSpec([5, 4, 4, 3], 11));
        const y = layer.apply(x, { training: true }) as tf.Tensor;
        const values = [
          await y.data(),
          ...await Promise.all(layer.getWeights().map((w) => w.data())),
        ];
        tf.dispose([x, y]);
        layer.dispose();
        return values as Float32Array[];
      };
      const config = { momentum: 0.9, epsilon: 1e-3 };
      const want = await run("cpu", () => tf.layers.batchNormalization(config));
      const got = await run(backend, () => new BatchNormalization(config));
      // output, γ, β, moving mean, moving variance (updated once)
      close(`${backend} layer`, got, want, 1e-5);
    },
  );

  testOn(
    backend,
    `${backend}: Adam's fused update matches tf.train.adam, and hands over to it`,
    async () => {
      const target = randomSpec([50, 7], 21);
      const start = [randomSpec([50, 7], 22), randomSpec([7], 23)];
      const train = async (plan: (Fast | "cpu")[], make: () => tf.Optimizer) => {
        await use(plan[0]);
        const vars = start.map((s) => tf.variable(tensor(s)));
        const optimizer = make();
        for (const where of plan) {
          await use(where);
          optimizer.minimize(() => {
            const t = tensor(target);
            return tf.sum(tf.square(tf.sub(tf.add(vars[0], vars[1]), t)));
          });
        }
        const values = await Promise.all(vars.map((v) => v.data() as Promise<Float32Array>));
        const weights = await optimizer.getWeights();
        const names = weights.map((w) => w.name);
        tf.dispose(vars);
        optimizer.dispose();
        return { values, names, iterations: optimizer.iterations };
      };
      const want = await train(["cpu", "cpu", "cpu", "cpu", "cpu"], () => tf.train.adam(0.05));
      const fused = await train([backend, backend, backend], () => new Adam(0.05, 0.9, 0.999));
      const handed = await train(
        [backend, backend, backend, "cpu", "cpu"],
        () => new Adam(0.05, 0.9, 0.999),
      );
      assert.equal(handed.iterations, 5);
      assert.equal(handed.names.length, want.names.length);
      close(`${backend} adam, fused then stock`, handed.values, want.values, 1e-5);
      // Three updates are not five: the comparison can fail.
      assert.ok(maxAbsDiff(fused.values[0], want.values[0]) > 1e-3);
      await use(backend);
      assert.ok(tf.getKernel(adamName, backend) !== undefined);
    },
  );
}

Deno.test("likeness's BatchNormalization and Activation serialise as tfjs's, which stay registered", () => {
  const map = tf.serialization.SerializationMap.getMap().classNameMap as Record<string, unknown[]>;
  assert.notEqual(map.BatchNormalization[0], BatchNormalization);
  assert.notEqual(map.Activation[0], Activation);
  assert.ok(new BatchNormalization({}) instanceof (map.BatchNormalization[0] as typeof Object));
  assert.equal(new BatchNormalization({}).getClassName(), "BatchNormalization");
  assert.equal(new Activation({ activation: "relu" }).getClassName(), "Activation");
});

for (const backend of backends) {
  testOn(
    backend,
    `${backend}: a compiled model's training step runs the fused kernels`,
    async () => {
      await use(backend);
      const net = pipe(
        empty,
        conv2d(4),
        batchNorm(),
        activation("relu"),
        flatten(),
        dense(8),
        batchNorm(),
        activation("relu"),
        dense(4),
      );
      const program = compile({
        model: triplet(net),
        loss: tripletMargin(),
        inputShape: [6, 6, 1],
        seed: 1,
      });
      const images = (seed: number) => tf.randomUniform([4, 6, 6, 1], 0, 1, "float32", seed);
      const batch = {
        kind: "triplet" as const,
        anchor: images(1),
        positive: images(2),
        negative: images(3),
      };
      program.trainStep(batch).dispose(); // the optimizer's slots
      const before = tf.memory().numTensors;
      const info = await tf.profile(() => program.trainStep(batch).dispose());
      assert.equal(tf.memory().numTensors, before, "leak");
      const names = new Set(info.kernels.map((k) => k.name));
      for (
        const k of [batchNormTrainName, batchNormTrainGradName, reluName, reluGradName, adamName]
      ) {
        assert.ok(names.has(k), `${k} not run: ${[...names].join()}`);
      }
      // Nothing of the stock batch norm's training path. (ReLU's stock gradient, Step, still
      // runs for the loss's hinge: tf.relu on [batch] values, not a likeness layer.)
      for (const k of ["FusedBatchNorm", "Rsqrt"]) {
        assert.ok(!names.has(k), `${k} ran: ${[...names].join()}`);
      }
      tf.dispose(Object.values(batch));
      program.dispose();
    },
  );
}

for (const backend of backends) {
  testOn(
    backend,
    `${backend}: Identity shares data and survives the original's disposal`,
    async () => {
      await use(backend);
      const buffers = () => tf.backend().numDataIds();
      const before = buffers();
      const x = tf.tensor([1, 2, 3, 4], [2, 2]);
      const y = tf.engine().runKernel("Identity", { x }) as tf.Tensor;
      assert.equal(buffers() - before, 1, "one buffer for both");
      x.dispose();
      assert.deepEqual(Array.from(await y.data()), [1, 2, 3, 4]);
      y.dispose();
      assert.equal(buffers(), before);
      const s = tf.tensor(["a", "b"]);
      const t = tf.engine().runKernel("Identity", { x: s }) as tf.Tensor;
      assert.deepEqual(await t.data(), ["a", "b"]);
      tf.dispose([s, t]);
    },
  );
}
