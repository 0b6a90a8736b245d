// Each native kernel against the cpu backend, for the shapes, strides and paddings the
// library uses (and the fallbacks: NCHW, non-contiguous axes, other activations).
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import type { NamedAttrMap } from "@tensorflow/tfjs-core";
import { randomSpec, type Spec } from "./_compare.ts";
import { maxAbsDiff, skipReason, useNative } from "./_native.ts";

async function runKernel(
  backend: string,
  kernel: string,
  inputs: Record<string, Spec>,
  attrs: NamedAttrMap,
): Promise<{ values: Float32Array; shape: number[] }> {
  if (backend === "native") await useNative();
  else await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const tensors = Object.fromEntries(
    Object.entries(inputs).map(([k, s]) => [k, tf.tensor(s.values, s.shape, s.dtype ?? "float32")]),
  );
  const out = tf.engine().runKernel(kernel, tensors, attrs) as tf.Tensor;
  const values = (await out.data()) as Float32Array;
  const shape = out.shape;
  out.dispose();
  tf.dispose(Object.values(tensors));
  assert.equal(tf.memory().numTensors, before, `${kernel} on ${backend} leaked tensors`);
  return { values, shape };
}

const report: string[] = [];

async function expectClose(
  label: string,
  kernel: string,
  inputs: Record<string, Spec>,
  attrs: NamedAttrMap,
  tolerance = 1e-4,
): Promise<void> {
  const got = await runKernel("native", kernel, inputs, attrs);
  const want = await runKernel("cpu", kernel, inputs, attrs);
  assert.deepEqual(got.shape, want.shape, `${label}: shape`);
  const scale = Math.max(1, ...Array.from(want.values, Math.abs));
  const diff = maxAbsDiff(got.values, want.values);
  report.push(`${label}: max abs diff ${diff.toExponential(2)} (max |value| ${scale.toFixed(1)})`);
  assert.ok(diff <= tolerance * scale, `${label}: max abs diff ${diff} > ${tolerance * scale}`);
}

const ignore = skipReason !== undefined;
const t = (name: string, fn: () => Promise<void>) => Deno.test({ name, ignore, fn });

interface ConvCase {
  x: number[];
  f: number[];
  strides: number;
  pad: "same" | "valid" | number[][];
  dilations?: number;
}
const convCases: ConvCase[] = [
  { x: [2, 28, 28, 1], f: [3, 3, 1, 8], strides: 1, pad: "same" },
  { x: [3, 14, 14, 8], f: [3, 3, 8, 16], strides: 1, pad: "same" },
  { x: [2, 7, 7, 16], f: [3, 3, 16, 32], strides: 1, pad: "valid" },
  { x: [2, 9, 9, 3], f: [3, 3, 3, 4], strides: 2, pad: "same" },
  { x: [2, 10, 10, 3], f: [3, 3, 3, 4], strides: 2, pad: "valid" },
  { x: [2, 8, 8, 2], f: [1, 1, 2, 3], strides: 1, pad: "valid" },
  { x: [1, 6, 7, 2], f: [2, 3, 2, 3], strides: 1, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
];
const name = (c: ConvCase) =>
  `x[${c.x}] f[${c.f}] s${c.strides} ${JSON.stringify(c.pad)}${
    c.dilations ? ` d${c.dilations}` : ""
  }`;

t("native Conv2D and FusedConv2D match cpu", async () => {
  const cases = [
    ...convCases,
    { x: [2, 9, 9, 3], f: [3, 3, 3, 4], strides: 1, pad: "same", dilations: 2 } as ConvCase,
  ];
  for (const [i, c] of cases.entries()) {
    const attrs = {
      strides: c.strides,
      pad: c.pad,
      dataFormat: "NHWC",
      dilations: c.dilations ?? 1,
    };
    const inputs = { x: randomSpec(c.x, 10 + i), filter: randomSpec(c.f, 20 + i) };
    await expectClose(`Conv2D ${name(c)}`, "Conv2D", inputs, attrs as unknown as NamedAttrMap);
    for (const activation of ["relu", "linear", "elu"]) {
      await expectClose(
        `FusedConv2D ${activation} ${name(c)}`,
        "FusedConv2D",
        { ...inputs, bias: randomSpec([c.f[3]], 30 + i) },
        { ...attrs, activation } as unknown as NamedAttrMap,
      );
    }
  }
});

t("native Conv2DBackpropInput and Conv2DBackpropFilter match cpu", async () => {
  for (const [i, c] of convCases.entries()) {
    const info = tf.backend_util.computeConv2DInfo(
      c.x as [number, number, number, number],
      c.f as [number, number, number, number],
      c.strides,
      1,
      c.pad as "same",
    );
    const out = info.outShape;
    const attrs = { strides: [c.strides, c.strides], pad: c.pad, dataFormat: "NHWC" };
    const dy = randomSpec(out, 40 + i);
    await expectClose(
      `Conv2DBackpropInput ${name(c)}`,
      "Conv2DBackpropInput",
      { dy, filter: randomSpec(c.f, 50 + i) },
      { ...attrs, inputShape: c.x } as unknown as NamedAttrMap,
    );
    await expectClose(
      `Conv2DBackpropFilter ${name(c)}`,
      "Conv2DBackpropFilter",
      { x: randomSpec(c.x, 60 + i), dy },
      { ...attrs, filterShape: c.f } as unknown as NamedAttrMap,
    );
  }
});

t("native BatchMatMul and _FusedMatMul match cpu", async () => {
  const cases: [number[], number[], boolean, boolean][] = [
    [[1, 7, 11], [1, 11, 5], false, false],
    [[1, 11, 7], [1, 11, 5], true, false],
    [[1, 7, 11], [1, 5, 11], false, true],
    [[1, 11, 7], [1, 5, 11], true, true],
    [[3, 4, 6], [3, 6, 5], false, false],
    [[1, 4, 6], [3, 6, 5], false, false],
    [[3, 6, 4], [1, 5, 6], true, true],
    [[1, 96, 1568], [1, 1568, 256], false, false],
  ];
  for (const [i, [a, b, transposeA, transposeB]] of cases.entries()) {
    const inputs = { a: randomSpec(a, 70 + i), b: randomSpec(b, 80 + i) };
    const label = `a[${a}]${transposeA ? "ᵀ" : ""} b[${b}]${transposeB ? "ᵀ" : ""}`;
    await expectClose(`BatchMatMul ${label}`, "BatchMatMul", inputs, { transposeA, transposeB });
    const n = transposeB ? b[1] : b[2];
    for (const activation of ["relu", "linear", "sigmoid", "elu", "relu6", "leakyrelu"]) {
      await expectClose(`_FusedMatMul ${activation} ${label}`, "_FusedMatMul", {
        ...inputs,
        bias: randomSpec([n], 90 + i),
      }, { transposeA, transposeB, activation, leakyreluAlpha: 0.2 } as unknown as NamedAttrMap);
    }
    await expectClose(`_FusedMatMul no bias ${label}`, "_FusedMatMul", inputs, {
      transposeA,
      transposeB,
      activation: "linear",
    } as unknown as NamedAttrMap);
  }
});

t("native Sum and Mean match cpu", async () => {
  const cases: [number[], number | number[], boolean][] = [
    [[6, 5, 5, 8], [0, 1, 2], false],
    [[6, 5, 5, 8], [0, 1, 2], true],
    [[6, 5, 5, 8], -1, false],
    [[4, 5, 6], [1], true],
    [[4, 5, 6], [1, 2], false],
    [[4, 5, 6], [0, 2], false], // not contiguous: stock kernel
    [[300, 4], [1], false],
    [[7], [0], false],
    [[3, 4], null as unknown as number, false], // every axis
  ];
  for (const [i, [shape, axis, keepDims]] of cases.entries()) {
    const inputs = { x: randomSpec(shape, 100 + i) };
    for (const kernel of ["Sum", "Mean"]) {
      await expectClose(
        `${kernel} [${shape}] axis ${axis}${keepDims ? " keepDims" : ""}`,
        kernel,
        inputs,
        {
          axis,
          keepDims,
        },
      );
    }
  }
});

t("native MaxPool, MaxPoolGrad, FusedBatchNorm and Identity match cpu", async () => {
  const pools: [number[], number, number, "same" | "valid"][] = [
    [[2, 28, 28, 8], 2, 2, "valid"],
    [[2, 7, 7, 3], 2, 2, "valid"],
    [[2, 7, 7, 3], 2, 2, "same"],
    [[2, 9, 9, 3], 3, 2, "same"],
    [[1, 6, 5, 2], 3, 1, "same"],
  ];
  for (const [i, [shape, filter, stride, pad]] of pools.entries()) {
    const x = randomSpec(shape, 110 + i);
    // Ties, as after a ReLU: a third of the inputs are exactly 0.
    x.values = x.values.map((v) => (v < -0.3 ? 0 : v));
    await tf.setBackend("cpu");
    const output = tf.tidy(() => {
      const y = tf.maxPool(
        tf.tensor4d(x.values, shape as [number, number, number, number]),
        filter,
        stride,
        pad,
      );
      return { shape: y.shape, values: Array.from(y.dataSync()) };
    });
    const attrs = { filterSize: [filter, filter], strides: [stride, stride], pad };
    await expectClose(
      `MaxPool [${shape}] ${filter}×${filter} s${stride} ${pad}`,
      "MaxPool",
      { x },
      attrs as unknown as NamedAttrMap,
      0,
    );
    await expectClose(
      `MaxPoolGrad [${shape}] ${filter}×${filter} s${stride} ${pad}`,
      "MaxPoolGrad",
      {
        dy: randomSpec(output.shape, 120 + i),
        input: x,
        output,
      },
      { filterSize: [filter, filter], strides: [stride, stride], pad } as unknown as NamedAttrMap,
    );
  }
  const c = 8;
  const positive = (s: Spec) => ({ ...s, values: s.values.map((v) => Math.abs(v) + 0.1) });
  await expectClose("FusedBatchNorm [4,5,5,8]", "FusedBatchNorm", {
    x: randomSpec([4, 5, 5, c], 130),
    mean: randomSpec([c], 131),
    variance: positive(randomSpec([c], 132)),
    offset: randomSpec([c], 133),
    scale: randomSpec([c], 134),
  }, { varianceEpsilon: 0.001 });
  await expectClose("FusedBatchNorm [6,256] no scale/offset", "FusedBatchNorm", {
    x: randomSpec([6, 256], 135),
    mean: randomSpec([256], 136),
    variance: positive(randomSpec([256], 137)),
  }, { varianceEpsilon: 0.001 });
  await expectClose("Identity [3,4]", "Identity", { x: randomSpec([3, 4], 138) }, {});
  console.log(report.join("\n"));
});

t(
  "native FusedBatchNorm gradient (tfjs's own, not replaced) matches cpu, with and without moments",
  async () => {
    const shape = [6, 5, 5, 8];
    const spec = {
      x: randomSpec(shape, 140),
      w: randomSpec(shape, 141),
      mean: randomSpec([8], 142),
      variance: {
        ...randomSpec([8], 143),
        values: randomSpec([8], 143).values.map((v) => v * v + 0.5),
      },
      offset: randomSpec([8], 144),
      scale: randomSpec([8], 145),
    };
    const run = async (backend: string, moments: boolean, withScale: boolean) => {
      if (backend === "native") await useNative();
      else await tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const t = Object.fromEntries(
        Object.entries(spec).map(([k, s]) => [k, tf.tensor(s.values, s.shape)]),
      ) as Record<string, tf.Tensor>;
      const norm = (
        x: tf.Tensor,
        mean: tf.Tensor,
        variance: tf.Tensor,
        offset: tf.Tensor,
        scale: tf.Tensor,
      ) =>
        tf.sum(tf.mul(
          tf.batchNorm(
            x as tf.Tensor4D,
            mean as tf.Tensor1D,
            variance as tf.Tensor1D,
            offset as tf.Tensor1D,
            withScale ? scale as tf.Tensor1D : undefined,
            0.001,
          ),
          t.w,
        ));
      const grads = moments
        ? tf.grads((x: tf.Tensor, offset: tf.Tensor, scale: tf.Tensor) => {
          const { mean, variance } = tf.moments(x, [0, 1, 2]);
          return norm(x, mean, variance, offset, scale);
        })([t.x, t.offset, t.scale])
        : tf.grads(norm)([t.x, t.mean, t.variance, t.offset, t.scale]);
      const values = await Promise.all(grads.map((g) => g.data()));
      tf.dispose([...grads, ...Object.values(t)]);
      assert.equal(tf.memory().numTensors, before, `batch-norm gradient on ${backend} leaked`);
      return values;
    };
    for (const moments of [false, true]) {
      // (tfjs itself cannot take gradients of batchNorm without a scale: it clones `undefined`.)
      for (const withScale of [true]) {
        const got = await run("native", moments, withScale);
        const want = await run("cpu", moments, withScale);
        const names = moments
          ? ["x", "offset", "scale"]
          : ["x", "mean", "variance", "offset", "scale"];
        got.forEach((g, i) => {
          const diff = maxAbsDiff(g, want[i]);
          const scale = Math.max(1, ...Array.from(want[i], Math.abs));
          report.push(
            `FusedBatchNorm gradient d${names[i]}${moments ? " (moments)" : ""}${
              withScale ? "" : " (no scale)"
            }: max abs diff ${diff.toExponential(2)}`,
          );
          assert.ok(diff <= 1e-4 * scale, `d${names[i]}: max abs diff ${diff}`);
        });
      }
    }
    console.log(report.filter((l) => l.includes("gradient")).join("\n"));
  },
);

t("native Relu and channel-broadcast Multiply match cpu (and other shapes fall back)", async () => {
  await expectClose("Relu [3,5,5,8]", "Relu", { x: randomSpec([3, 5, 5, 8], 70) }, {});
  const x = randomSpec([3, 5, 5, 8], 71);
  const cases: [string, Spec, Spec][] = [
    ["[3,5,5,8]·[3,1,1,8]", x, randomSpec([3, 1, 1, 8], 72)],
    ["[3,1,1,8]·[3,5,5,8]", randomSpec([3, 1, 1, 8], 73), x],
    ["[3,5,5,8]·[1,1,1,8]", x, randomSpec([1, 1, 1, 8], 74)],
    ["[4,6,8]·[4,1,8]", randomSpec([4, 6, 8], 75), randomSpec([4, 1, 8], 76)],
    ["[3,5,5,8]·[3,5,1,8] (stock)", x, randomSpec([3, 5, 1, 8], 77)],
    ["[3,5,5,8]·[3,5,5,8] (stock)", x, randomSpec([3, 5, 5, 8], 78)],
  ];
  for (const [label, a, b] of cases) {
    await expectClose(`Multiply ${label}`, "Multiply", { a, b }, {}, 1e-6);
  }
});
