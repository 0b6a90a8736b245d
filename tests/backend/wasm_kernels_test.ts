// Every kernel likeness fills or overrides on wasm, against the cpu backend, across the
// stride / padding / dilation / transpose variants it accepts. Stated tolerance: max abs
// difference ≤ 1e-4 on values of magnitude ≤ ~30 (float32 sums of up to ~300 products).
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { useBackend } from "../../lib/backend/mod.ts";
import { diffVsCpu, randomSpec, runOn, type Spec } from "./_compare.ts";
import type { NamedAttrMap } from "@tensorflow/tfjs-core";

const tolerance = 1e-4;

function conv2DShape(
  x: number[],
  filter: number[],
  strides: number | [number, number],
  pad: "same" | "valid" | number | number[][],
): number[] {
  return tf.backend_util.computeConv2DInfo(
    x as [number, number, number, number],
    filter as [number, number, number, number],
    strides,
    1,
    pad as "same",
  ).outShape;
}

async function check(
  kernel: string,
  inputs: Record<string, Spec>,
  attrs: NamedAttrMap,
  label: string,
) {
  const { maxAbsDiff, maxAbs } = await diffVsCpu("wasm", kernel, inputs, attrs);
  console.log(
    `${kernel} ${label}: max abs diff ${maxAbsDiff.toExponential(2)} (max |value| ${
      maxAbs.toFixed(2)
    })`,
  );
  assert.ok(maxAbs > 0, `${kernel} ${label}: reference is all zeros, the test would not see a bug`);
  assert.ok(
    maxAbsDiff <= tolerance,
    `${kernel} ${label}: max abs diff ${maxAbsDiff} > ${tolerance}`,
  );
}

const convCases: {
  x: number[];
  f: number[];
  strides: number | [number, number];
  pad: "same" | "valid" | number | number[][];
}[] = [
  { x: [2, 7, 7, 3], f: [3, 3, 3, 4], strides: 1, pad: "same" },
  { x: [2, 7, 7, 3], f: [3, 3, 3, 4], strides: 1, pad: "valid" },
  { x: [2, 8, 9, 2], f: [3, 3, 2, 3], strides: 2, pad: "same" },
  { x: [2, 9, 8, 2], f: [3, 2, 2, 3], strides: [2, 3], pad: "valid" },
  { x: [1, 6, 6, 2], f: [5, 5, 2, 2], strides: 1, pad: 2 },
  { x: [1, 7, 6, 2], f: [3, 3, 2, 3], strides: 2, pad: [[0, 0], [1, 0], [0, 2], [0, 0]] },
  { x: [3, 5, 5, 1], f: [1, 1, 1, 2], strides: 1, pad: "valid" },
  { x: [2, 10, 10, 2], f: [4, 4, 2, 2], strides: 3, pad: "same" },
  { x: [8, 12, 12, 4], f: [3, 3, 4, 4], strides: 1, pad: "same" },
];

Deno.test("wasm Conv2DBackpropFilter matches cpu across strides and paddings", async () => {
  for (const [i, c] of convCases.entries()) {
    const out = conv2DShape(c.x, c.f, c.strides, c.pad);
    await check(
      "Conv2DBackpropFilter",
      { x: randomSpec(c.x, 10 + i), dy: randomSpec(out, 20 + i) },
      {
        strides: c.strides,
        pad: c.pad,
        dataFormat: "NHWC",
        dimRoundingMode: undefined,
        filterShape: c.f,
      } as unknown as NamedAttrMap,
      JSON.stringify({ x: c.x, f: c.f, s: c.strides, pad: c.pad }),
    );
  }
});

// Neither conv gradient kernel has a dilations attribute in tfjs (its conv2d gradient
// requires dilation 1), so strides and paddings are the variants they accept.
Deno.test("wasm Conv2DBackpropInput matches cpu across strides and paddings", async () => {
  for (const [i, c] of convCases.entries()) {
    const out = conv2DShape(c.x, c.f, c.strides, c.pad);
    await check("Conv2DBackpropInput", {
      dy: randomSpec(out, 30 + i),
      filter: randomSpec(c.f, 40 + i),
    }, {
      strides: c.strides,
      pad: c.pad,
      dataFormat: "NHWC",
      dimRoundingMode: undefined,
      inputShape: c.x,
    } as unknown as NamedAttrMap, JSON.stringify({ x: c.x, f: c.f, s: c.strides, pad: c.pad }));
  }
});

Deno.test("wasm BatchMatMul and _FusedMatMul match cpu for every transpose combination", async () => {
  for (const transposeA of [false, true]) {
    for (const transposeB of [false, true]) {
      const [m, k, n] = [5, 7, 3];
      for (const batch of [[1, 1], [3, 3], [3, 1]]) {
        const a = randomSpec(transposeA ? [batch[0], k, m] : [batch[0], m, k], 50);
        const b = randomSpec(transposeB ? [batch[1], n, k] : [batch[1], k, n], 51);
        await check(
          "BatchMatMul",
          { a, b },
          { transposeA, transposeB },
          `tA=${transposeA} tB=${transposeB} batch=${batch}`,
        );
      }
      const a = randomSpec(transposeA ? [1, k, m] : [1, m, k], 52);
      const b = randomSpec(transposeB ? [1, n, k] : [1, k, n], 53);
      for (const activation of ["linear", "relu"]) {
        await check("_FusedMatMul", { a, b, bias: randomSpec([n], 54) }, {
          transposeA,
          transposeB,
          activation,
          leakyreluAlpha: 0.2,
        }, `tA=${transposeA} tB=${transposeB} bias ${activation}`);
      }
    }
  }
});

Deno.test("wasm Tile matches cpu for float32 and int32, including zero and unit reps", async () => {
  const cases: [number[], number[]][] = [
    [[1, 1, 1, 8], [4, 5, 5, 1]],
    [[2, 3], [2, 3]],
    [[3], [4]],
    [[2, 1, 3], [1, 4, 2]],
    [[2, 2, 2, 2, 2], [2, 1, 2, 1, 2]],
    [[2, 3, 2, 3, 2, 3], [2, 2, 2, 2, 2, 2]], // too many dims for the fast path: stock kernel
  ];
  for (const [i, [shape, reps]] of cases.entries()) {
    for (const dtype of ["float32", "int32"] as const) {
      await check(
        "Tile",
        { x: randomSpec(shape, 60 + i, dtype) },
        { reps },
        `${dtype} [${shape}] × [${reps}]`,
      );
    }
  }
  const empty = await runOn("wasm", "Tile", { x: randomSpec([2, 3], 1) }, { reps: [0, 2] });
  assert.deepEqual(empty.shape, [0, 6]);
});

Deno.test("wasm MaxPoolGrad matches cpu, including ties, odd sizes and overlapping windows", async () => {
  const cases: {
    x: number[];
    size: number | [number, number];
    strides: number | [number, number];
    pad: "same" | "valid";
  }[] = [
    { x: [2, 8, 8, 3], size: 2, strides: 2, pad: "valid" },
    { x: [2, 7, 9, 3], size: 2, strides: 2, pad: "valid" }, // rows/cols no window reaches
    { x: [1, 9, 9, 2], size: 3, strides: 3, pad: "same" },
    { x: [1, 6, 8, 2], size: [2, 4], strides: [2, 4], pad: "valid" },
    { x: [1, 7, 7, 2], size: 3, strides: 2, pad: "same" }, // overlapping
    { x: [2, 4, 4, 3], size: 2, strides: 1, pad: "same" }, // overlapping, padded below
    { x: [1, 7, 7, 2], size: 2, strides: 2, pad: "same" }, // padded: stock wasm is wrong here
    { x: [2, 5, 6, 3], size: 3, strides: 3, pad: "same" }, // top/left padding too
    { x: [1, 9, 8, 2], size: [3, 2], strides: [2, 1], pad: "valid" }, // overlapping
  ];
  for (const [i, c] of cases.entries()) {
    // likeness's composites break ties as cpu does (first maximum in row-major order).
    for (const ties of [false, true]) {
      const x = randomSpec(c.x, 70 + i);
      // Ties: relu-like zeros and repeated values make several maxima per window.
      if (ties) x.values = x.values.map((v) => Math.max(0, Math.round(v * 2) / 2));
      const out = tf.backend_util.computePool2DInfo(
        c.x as [number, number, number, number],
        c.size,
        c.strides,
        1,
        c.pad,
      ).outShape;
      const y = await runOn("cpu", "MaxPool", { x }, {
        filterSize: c.size,
        strides: c.strides,
        pad: c.pad,
      });
      await check(
        "MaxPoolGrad",
        {
          dy: randomSpec(out, 80 + i),
          input: x,
          output: { shape: out, values: [...y.values] },
        },
        {
          filterSize: c.size,
          strides: c.strides,
          pad: c.pad,
          dimRoundingMode: undefined,
        } as unknown as NamedAttrMap,
        `${JSON.stringify(c)} ties=${ties}`,
      );
    }
  }
});

Deno.test("useBackend('wasm') registers each kernel once and leaves tensors unchanged", async () => {
  const first = await useBackend("wasm");
  const before = tf.memory().numTensors;
  const second = await useBackend("wasm");
  assert.deepEqual(second.kernels, first.kernels);
  assert.ok(first.kernels.includes("Conv2DBackpropFilter"));
  for (const k of first.kernels) {
    assert.equal(tf.getKernelsForBackend("wasm").filter((c) => c.kernelName === k).length, 1, k);
  }
  assert.equal(tf.memory().numTensors, before);
});
