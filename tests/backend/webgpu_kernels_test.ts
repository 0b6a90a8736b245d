// WebGPU against cpu, where an adapter exists (on Debian, mesa-vulkan-drivers gives a
// software one). Read results with `await data()`: dataSync fails on webgpu.
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { useBackend } from "../../lib/backend/mod.ts";
import { missing } from "../_require.ts";
import { diffVsCpu, randomSpec, runOn } from "./_compare.ts";
import type { NamedAttrMap } from "@tensorflow/tfjs-core";
import {
  getWebgpuFilterGradient,
  setWebgpuFilterGradient,
  webgpuFilterGradients,
} from "../../lib/backend/_conv_kernels.ts";

const gpu = (globalThis.navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
const adapter = gpu === undefined ? null : await gpu.requestAdapter().catch(() => null);
const reason = gpu === undefined ? "navigator.gpu is undefined" : "navigator.gpu gave no adapter";
const ignore = missing(
  "webgpu",
  adapter === null || adapter === undefined
    ? `${reason} (install a Vulkan driver, e.g. mesa-vulkan-drivers)`
    : undefined,
);

Deno.test({
  name: "webgpu gradients of a conv/batch-norm/pool/dense triplet step match cpu",
  ignore,
  async fn() {
    const run = async (backend: "webgpu" | "cpu") => {
      await useBackend(backend);
      const spec = (shape: number[], seed: number) => {
        const s = randomSpec(shape, seed);
        return tf.tensor(s.values.map((v) => v * 0.5), shape);
      };
      const x = spec([6, 8, 8, 1], 1) as tf.Tensor4D;
      const params = [
        spec([3, 3, 1, 4], 2),
        spec([3, 3, 4, 4], 3),
        spec([4], 4),
        spec([4], 5),
        spec([64, 8], 6),
        spec([8], 7),
      ];
      const f = (
        w1: tf.Tensor,
        w2: tf.Tensor,
        gamma: tf.Tensor,
        beta: tf.Tensor,
        dense: tf.Tensor,
        bias: tf.Tensor,
      ) => {
        const h1 = tf.relu(tf.conv2d(x, w1 as tf.Tensor4D, 1, "same"));
        const h2 = tf.conv2d(h1, w2 as tf.Tensor4D, 1, "same");
        const { mean, variance } = tf.moments(h2, [0, 1, 2]);
        const bn = tf.relu(
          tf.batchNorm(h2, mean, variance, beta as tf.Tensor1D, gamma as tf.Tensor1D, 1e-3),
        );
        const pooled = tf.maxPool(bn as tf.Tensor4D, 2, 2, "valid");
        const e = tf.add(tf.matMul(tf.reshape(pooled, [6, 64]), dense as tf.Tensor2D), bias);
        const unit = tf.div(e, tf.norm(e, 2, 1, true));
        const [a, p, n] = tf.split(unit, 3, 0);
        const d = (u: tf.Tensor, v: tf.Tensor) =>
          tf.sqrt(tf.add(tf.sum(tf.square(tf.sub(u, v)), 1), 1e-12));
        return tf.mean(tf.relu(tf.add(tf.sub(d(a, p), d(a, n)), 1))) as tf.Scalar;
      };
      const grads = tf.grads(f)(params);
      const out = await Promise.all(grads.map((g) => g.data()));
      tf.dispose([x, ...params, ...grads]);
      return out;
    };
    const gpuGrads = await run("webgpu");
    const cpuGrads = await run("cpu");
    let worst = 0;
    for (const [i, g] of gpuGrads.entries()) {
      for (let j = 0; j < g.length; j++) worst = Math.max(worst, Math.abs(g[j] - cpuGrads[i][j]));
    }
    console.log(`webgpu vs cpu gradients of the step: max abs diff ${worst.toExponential(2)}`);
    assert.ok(
      cpuGrads.some((g) => g.some((v) => Math.abs(v) > 1e-3)),
      "reference gradients are not all zero",
    );
    assert.ok(worst <= 1e-4, `max abs diff ${worst}`);
  },
});

function filterCase(
  [n, size, ci, co]: readonly number[],
  stride: number,
  pad: "same" | "valid",
) {
  const info = tf.backend_util.computeConv2DInfo(
    [n, size, size, ci],
    [3, 3, ci, co],
    stride,
    1,
    pad,
  );
  return {
    label: `[${n},${size},${size},${ci}]→${co} stride ${stride} ${pad}`,
    inputs: {
      x: randomSpec([n, size, size, ci], 11),
      dy: randomSpec([n, info.outHeight, info.outWidth, co], 12),
    },
    attrs: {
      strides: stride,
      pad,
      dataFormat: "NHWC",
      dimRoundingMode: undefined,
      filterShape: [3, 3, ci, co],
    } as unknown as NamedAttrMap,
  };
}

Deno.test({
  name: "every webgpu Conv2DBackpropFilter variant matches cpu (small shapes, blocks of 50 rows)",
  ignore,
  async fn() {
    const cases = [
      filterCase([4, 7, 3, 4], 1, "same"),
      filterCase([3, 9, 2, 5], 2, "valid"),
      filterCase([2, 8, 3, 2], 2, "same"),
    ];
    try {
      for (const variant of webgpuFilterGradients) {
        // 50-row blocks: `chunked` and `batched` split these batches (and pad the last block).
        setWebgpuFilterGradient(variant, { chunkRows: 50 });
        for (const c of cases) {
          const { maxAbsDiff, maxAbs } = await diffVsCpu(
            "webgpu",
            "Conv2DBackpropFilter",
            c.inputs,
            c.attrs,
          );
          console.log(`${variant} ${c.label}: max abs diff ${maxAbsDiff.toExponential(2)}`);
          assert.ok(maxAbs > 0.5, "reference gradient is not trivially small");
          assert.ok(
            maxAbsDiff <= 1e-5 * Math.max(1, maxAbs),
            `${variant} ${c.label}: ${maxAbsDiff}`,
          );
        }
      }
    } finally {
      setWebgpuFilterGradient("transposed", { chunkRows: 16384 });
    }
  },
});

Deno.test({
  name: "every webgpu Conv2DBackpropFilter variant but stock matches cpu at batch·h·w = 75k",
  ignore,
  async fn() {
    const c = filterCase([96, 28, 8, 8], 1, "same");
    const want = await runOn("cpu", "Conv2DBackpropFilter", c.inputs, c.attrs);
    const maxAbs = Math.max(...Array.from(want.values, Math.abs));
    try {
      for (const variant of webgpuFilterGradients.filter((v) => v !== "stock")) {
        setWebgpuFilterGradient(variant, { chunkRows: 16384 });
        const start = performance.now();
        const got = await runOn("webgpu", "Conv2DBackpropFilter", c.inputs, c.attrs);
        const ms = performance.now() - start;
        assert.deepEqual(got.shape, want.shape);
        let maxAbsDiff = 0;
        got.values.forEach((v, i) => {
          maxAbsDiff = Math.max(maxAbsDiff, Math.abs(v - want.values[i]));
        });
        console.log(
          `${variant} ${c.label}: max abs diff ${maxAbsDiff.toExponential(2)} (max |value| ${
            maxAbs.toFixed(1)
          }, ${ms.toFixed(0)} ms)`,
        );
        assert.ok(maxAbsDiff <= 1e-4 * Math.max(1, maxAbs), `${variant}: ${maxAbsDiff}`);
      }
    } finally {
      setWebgpuFilterGradient("transposed", { chunkRows: 16384 });
    }
  },
});

Deno.test("setWebgpuFilterGradient rejects unknown variants and bad block sizes", () => {
  const before = getWebgpuFilterGradient();
  assert.throws(
    () => setWebgpuFilterGradient("fast" as "im2col"),
    /variant must be one of transposed, .*: current variant is 'fast'/,
  );
  assert.throws(
    () => setWebgpuFilterGradient("batched", { chunkRows: 0 }),
    /chunkRows must be a positive integer: current value is 0/,
  );
  assert.deepEqual(getWebgpuFilterGradient(), before);
});

Deno.test({
  name: "webgpu: Adam's fused update (3 dispatches per weight) matches tf.train.adam on cpu",
  ignore,
  async fn() {
    const { Adam } = await import("../../lib/compile/_adam.ts");
    const { adamName } = await import("../../lib/backend/_fused_kernels.ts");
    const target = randomSpec([40, 6], 31);
    const start = [randomSpec([40, 6], 32), randomSpec([6], 33)];
    const train = async (backend: "webgpu" | "cpu", make: () => tf.Optimizer) => {
      await useBackend(backend);
      const vars = start.map((s) => tf.variable(tf.tensor(s.values, s.shape)));
      const optimizer = make();
      const t = tf.tensor(target.values, target.shape);
      for (let i = 0; i < 4; i++) {
        tf.dispose(
          optimizer.minimize(() => tf.sum(tf.square(tf.sub(tf.add(vars[0], vars[1]), t))))!,
        );
      }
      const values = await Promise.all(vars.map((v) => v.data() as Promise<Float32Array>));
      tf.dispose([...vars, t]);
      optimizer.dispose();
      return values;
    };
    const want = await train("cpu", () => tf.train.adam(0.05));
    const got = await train("webgpu", () => new Adam(0.05, 0.9, 0.999));
    assert.ok(tf.getKernel(adamName, "webgpu") !== undefined, "the fused kernel is registered");
    got.forEach((g, i) => {
      let diff = 0;
      g.forEach((x, k) => (diff = Math.max(diff, Math.abs(x - want[i][k]))));
      assert.ok(diff < 1e-5, `variable ${i}: max abs diff ${diff}`);
    });
  },
});
