// Zero-size inputs through every kernel likeness registers (and the stock kernels a loss
// over no tuples reaches), on every backend here, against the cpu backend, bit for bit.
// Before the guard of lib/backend/_empty.ts, wasm and native read uninitialised heap memory
// (`Sum` of nothing gave ~3.6e-41, a different value each run) or trapped ("divide by zero").
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import type { NamedAttrMap } from "@tensorflow/tfjs-core";
import { useBackend } from "../../lib/backend/mod.ts";
import { isEmptyGuarded } from "../../lib/backend/_empty.ts";
import { wasmPatches, webgpuPatches } from "../../lib/backend/_register.ts";
import { nativeKernels } from "../../lib/backend/native/_kernels.ts";
import { skipReason, useNative } from "./_native.ts";
import { missing as missingDependency } from "../_require.ts";

type DType = "float32" | "int32" | "bool";
interface Input {
  shape: number[];
  values?: number[];
  dtype?: DType;
}
interface Case {
  /** Label (unique). */
  label: string;
  kernel: string;
  inputs: Record<string, Input> | Input[];
  attrs?: NamedAttrMap;
  /** Expected outputs, for kernels the cpu backend lacks (likeness's own). */
  expected?: { shape: number[]; values: number[] }[];
  /** Backends that have the kernel (default: every one tested). */
  only?: readonly string[];
}

const conv = { strides: [1, 1], pad: "same", dataFormat: "NHWC", dilations: [1, 1] };
const pool = { filterSize: [2, 2], strides: [2, 2], pad: "valid" };
const adamAttrs = { learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, step: 1 };
const zeros = (n: number) => Array(n).fill(0);

const cases: Case[] = [
  // Reductions over nothing.
  { label: "Sum all of [0]", kernel: "Sum", inputs: { x: { shape: [0] } }, attrs: { axis: [0] } },
  {
    label: "Sum axis 0 of [0,3]",
    kernel: "Sum",
    inputs: { x: { shape: [0, 3] } },
    attrs: { axis: [0] },
  },
  {
    label: "Sum axis 1 of [3,0]",
    kernel: "Sum",
    inputs: { x: { shape: [3, 0] } },
    attrs: { axis: [1], keepDims: true },
  },
  {
    label: "Mean axis 0 of [0,3]",
    kernel: "Mean",
    inputs: { x: { shape: [0, 3] } },
    attrs: { axis: [0] },
  },
  {
    label: "Max axis 0 of [0,3]",
    kernel: "Max",
    inputs: { x: { shape: [0, 3] } },
    attrs: { reductionIndices: [0] },
  },
  {
    label: "Min axis 0 of [0,3]",
    kernel: "Min",
    inputs: { x: { shape: [0, 3] } },
    attrs: { axis: [0] },
  },
  {
    label: "Prod axis 0 of [0,3]",
    kernel: "Prod",
    inputs: { x: { shape: [0, 3] } },
    attrs: { axis: [0] },
  },
  {
    label: "All axis 0 of [0,3]",
    kernel: "All",
    inputs: { x: { shape: [0, 3], dtype: "bool" } },
    attrs: { axis: [0] },
  },
  {
    label: "Any axis 0 of [0,3]",
    kernel: "Any",
    inputs: { x: { shape: [0, 3], dtype: "bool" } },
    attrs: { axis: [0] },
  },
  {
    label: "ArgMax axis 0 of [0,3]",
    kernel: "ArgMax",
    inputs: { x: { shape: [0, 3] } },
    attrs: { axis: [0] },
  },
  // Products, convolutions and pooling over an empty axis.
  {
    label: "BatchMatMul k=0",
    kernel: "BatchMatMul",
    inputs: { a: { shape: [1, 2, 0] }, b: { shape: [1, 0, 3] } },
    attrs: { transposeA: false, transposeB: false },
  },
  {
    label: "BatchMatMul k=0 transposed",
    kernel: "BatchMatMul",
    inputs: { a: { shape: [2, 0, 2] }, b: { shape: [2, 3, 0] } },
    attrs: { transposeA: true, transposeB: true },
  },
  {
    label: "BatchMatMul m=0",
    kernel: "BatchMatMul",
    inputs: { a: { shape: [1, 0, 2] }, b: { shape: [1, 2, 3], values: [1, 2, 3, 4, 5, 6] } },
    attrs: { transposeA: false, transposeB: false },
  },
  {
    label: "_FusedMatMul k=0 bias relu",
    kernel: "_FusedMatMul",
    inputs: {
      a: { shape: [1, 2, 0] },
      b: { shape: [1, 0, 3] },
      bias: { shape: [3], values: [1, -2, 3] },
    },
    attrs: { transposeA: false, transposeB: false, activation: "relu" },
  },
  {
    label: "_FusedMatMul k=0 transposed bias",
    kernel: "_FusedMatMul",
    inputs: {
      a: { shape: [1, 0, 2] },
      b: { shape: [1, 3, 0] },
      bias: { shape: [3], values: [1, -2, 3] },
    },
    attrs: { transposeA: true, transposeB: true, activation: "linear" },
  },
  {
    label: "Conv2D in-channels 0",
    kernel: "Conv2D",
    inputs: { x: { shape: [1, 4, 4, 0] }, filter: { shape: [3, 3, 0, 2] } },
    attrs: conv,
  },
  {
    label: "Conv2D batch 0",
    kernel: "Conv2D",
    inputs: {
      x: { shape: [0, 4, 4, 2] },
      filter: { shape: [3, 3, 2, 2], values: Array.from({ length: 36 }, (_, i) => i / 36) },
    },
    attrs: conv,
  },
  {
    label: "FusedConv2D in-channels 0 bias relu",
    kernel: "FusedConv2D",
    inputs: {
      x: { shape: [1, 2, 2, 0] },
      filter: { shape: [3, 3, 0, 2] },
      bias: { shape: [2], values: [0.5, -0.5] },
    },
    attrs: { ...conv, activation: "relu" },
  },
  {
    label: "Conv2DBackpropInput out-channels 0",
    kernel: "Conv2DBackpropInput",
    inputs: { dy: { shape: [1, 4, 4, 0] }, filter: { shape: [3, 3, 1, 0] } },
    attrs: { ...conv, inputShape: [1, 4, 4, 1] },
  },
  {
    label: "Conv2DBackpropFilter batch 0",
    kernel: "Conv2DBackpropFilter",
    inputs: { x: { shape: [0, 4, 4, 1] }, dy: { shape: [0, 4, 4, 2] } },
    attrs: { ...conv, filterShape: [3, 3, 1, 2] },
  },
  {
    label: "DepthwiseConv2dNative channels 0",
    kernel: "DepthwiseConv2dNative",
    inputs: { x: { shape: [1, 4, 4, 0] }, filter: { shape: [3, 3, 0, 1] } },
    attrs: conv,
  },
  {
    label: "MaxPool batch 0",
    kernel: "MaxPool",
    inputs: { x: { shape: [0, 4, 4, 1] } },
    attrs: pool,
  },
  {
    label: "MaxPoolGrad batch 0",
    kernel: "MaxPoolGrad",
    inputs: {
      dy: { shape: [0, 2, 2, 1] },
      input: { shape: [0, 4, 4, 1] },
      output: { shape: [0, 2, 2, 1] },
    },
    attrs: pool,
  },
  // Elementwise and data movement.
  { label: "Relu of [0,3]", kernel: "Relu", inputs: { x: { shape: [0, 3] } } },
  {
    label: "Multiply [0,2,2,3]·[1,1,1,3]",
    kernel: "Multiply",
    inputs: { a: { shape: [0, 2, 2, 3] }, b: { shape: [1, 1, 1, 3], values: [1, 2, 3] } },
  },
  { label: "Identity of [0,3]", kernel: "Identity", inputs: { x: { shape: [0, 3] } } },
  {
    label: "Tile of [0,2]",
    kernel: "Tile",
    inputs: { x: { shape: [0, 2] } },
    attrs: { reps: [3, 2] },
  },
  {
    label: "Gather no indices",
    kernel: "GatherV2",
    inputs: {
      x: { shape: [4, 3], values: [...Array(12).keys()] },
      indices: { shape: [0], dtype: "int32" },
    },
    attrs: { axis: 0, batchDims: 0 },
  },
  {
    label: "ScatterNd no updates",
    kernel: "ScatterNd",
    inputs: { indices: { shape: [0, 1], dtype: "int32" }, updates: { shape: [0, 3] } },
    attrs: { shape: [4, 3] },
  },
  {
    label: "Concat [0,3] and [2,3]",
    kernel: "Concat",
    inputs: [{ shape: [0, 3] }, { shape: [2, 3], values: [1, 2, 3, 4, 5, 6] }],
    attrs: { axis: 0 },
  },
  { label: "AddN of two [0,3]", kernel: "AddN", inputs: [{ shape: [0, 3] }, { shape: [0, 3] }] },
  {
    label: "PadV2 of [0,2]",
    kernel: "PadV2",
    inputs: { x: { shape: [0, 2] } },
    attrs: { paddings: [[1, 1], [0, 0]], constantValue: 7 },
  },
  {
    label: "TopK of [3,0]",
    kernel: "TopK",
    inputs: { x: { shape: [3, 0] } },
    attrs: { k: 0, sorted: true },
  },
  {
    label: "FusedBatchNorm of [0,3]",
    kernel: "FusedBatchNorm",
    inputs: {
      x: { shape: [0, 3] },
      mean: { shape: [3], values: [0, 0, 0] },
      variance: { shape: [3], values: [1, 1, 1] },
      offset: { shape: [3], values: [0, 0, 0] },
      scale: { shape: [3], values: [1, 1, 1] },
    },
    attrs: { varianceEpsilon: 1e-3 },
  },
  // likeness's own kernels (no cpu version): the values tf.moments and sums give on cpu.
  {
    label: "LikenessBatchNormTrain of [0,3]",
    kernel: "LikenessBatchNormTrain",
    inputs: {
      x: { shape: [0, 3] },
      scale: { shape: [3], values: [1, 2, 3] },
      offset: { shape: [3], values: [1, 1, 1] },
    },
    attrs: { epsilon: 1e-3 },
    expected: [{ shape: [0, 3], values: [] }, { shape: [3], values: zeros(3) }, {
      shape: [3],
      values: zeros(3),
    }],
    only: ["wasm", "native"],
  },
  {
    label: "LikenessBatchNormTrain of [0,2,2,3]",
    kernel: "LikenessBatchNormTrain",
    inputs: {
      x: { shape: [0, 2, 2, 3] },
      scale: { shape: [3], values: [1, 2, 3] },
      offset: { shape: [3], values: [1, 1, 1] },
    },
    attrs: { epsilon: 1e-3 },
    expected: [{ shape: [0, 2, 2, 3], values: [] }, { shape: [3], values: zeros(3) }, {
      shape: [3],
      values: zeros(3),
    }],
    only: ["wasm", "native"],
  },
  {
    label: "LikenessBatchNormTrainGrad of [0,3]",
    kernel: "LikenessBatchNormTrainGrad",
    inputs: {
      dy: { shape: [0, 3] },
      x: { shape: [0, 3] },
      scale: { shape: [3], values: [1, 2, 3] },
      mean: { shape: [3], values: zeros(3) },
      variance: { shape: [3], values: zeros(3) },
    },
    attrs: { epsilon: 1e-3 },
    expected: [{ shape: [0, 3], values: [] }, { shape: [3], values: zeros(3) }, {
      shape: [3],
      values: zeros(3),
    }],
    only: ["wasm", "native"],
  },
  {
    label: "LikenessRelu of [0,3]",
    kernel: "LikenessRelu",
    inputs: { x: { shape: [0, 3] } },
    expected: [{ shape: [0, 3], values: [] }],
    only: ["wasm", "native"],
  },
  {
    label: "LikenessReluGrad of [0,3]",
    kernel: "LikenessReluGrad",
    inputs: { dy: { shape: [0, 3] }, x: { shape: [0, 3] } },
    expected: [{ shape: [0, 3], values: [] }],
    only: ["wasm", "native"],
  },
  {
    label: "LikenessAdam of [0,3]",
    kernel: "LikenessAdam",
    inputs: {
      value: { shape: [0, 3] },
      m: { shape: [0, 3] },
      v: { shape: [0, 3] },
      gradient: { shape: [0, 3] },
    },
    attrs: adamAttrs,
    expected: [0, 1, 2].map(() => ({ shape: [0, 3], values: [] })),
  },
  {
    label: "LikenessFusedBatchNormGrad of [0,3]",
    kernel: "LikenessFusedBatchNormGrad",
    inputs: {
      dy: { shape: [0, 3] },
      x: { shape: [0, 3] },
      mean: { shape: [3], values: zeros(3) },
      variance: { shape: [3], values: [1, 1, 1] },
      scale: { shape: [3], values: [1, 2, 3] },
    },
    attrs: { varianceEpsilon: 1e-3 },
    expected: [
      { shape: [0, 3], values: [] },
      ...[0, 1, 2, 3].map(() => ({ shape: [3], values: zeros(3) })),
    ],
    only: ["native"],
  },
];

async function activate(backend: string): Promise<void> {
  if (backend === "native") await useNative();
  else await useBackend(backend as "cpu" | "wasm" | "webgpu");
}

function make(input: Input, onDevice: boolean): tf.Tensor {
  const size = input.shape.reduce((a, b) => a * b, 1);
  const dtype = input.dtype ?? "float32";
  const t = tf.tensor(input.values ?? Array(size).fill(0), input.shape, dtype);
  if (!onDevice || size === 0 || dtype !== "float32") return t;
  // Computed on the backend, so that webgpu holds it on the device (not readable on the host).
  const d = tf.add(t, 0);
  t.dispose();
  return d;
}

interface Result {
  shape: number[];
  values: number[];
}

/** Runs a case on the active backend; returns every output, checking for leaks. */
async function run(c: Case, onDevice: boolean): Promise<Result[]> {
  const before = tf.memory().numTensors;
  const tensors = Array.isArray(c.inputs)
    ? c.inputs.map((i) => make(i, onDevice))
    : Object.fromEntries(Object.entries(c.inputs).map(([k, i]) => [k, make(i, onDevice)]));
  try {
    const out = tf.engine().runKernel(
      c.kernel,
      tensors as unknown as tf.NamedTensorMap,
      c.attrs ?? {},
    );
    const outs = Array.isArray(out) ? out : [out as tf.Tensor];
    const results: Result[] = [];
    for (const o of outs) results.push({ shape: o.shape, values: Array.from(await o.data()) });
    tf.dispose(outs);
    return results;
  } finally {
    tf.dispose(Object.values(tensors));
    assert.equal(tf.memory().numTensors, before, `${c.label} on ${tf.getBackend()} leaked`);
  }
}

/** Bit-for-bit comparison (NaN equals NaN, 0 equals -0: cpu itself is not consistent on signs). */
function assertSame(label: string, got: Result[], want: Result[]): void {
  assert.equal(got.length, want.length, `${label}: ${got.length} outputs, want ${want.length}`);
  got.forEach((g, i) => {
    assert.deepEqual(g.shape, want[i].shape, `${label}: output ${i} shape`);
    const same = g.values.length === want[i].values.length &&
      g.values.every((v, k) =>
        v === want[i].values[k] || (Number.isNaN(v) && Number.isNaN(want[i].values[k]))
      );
    assert.ok(same, `${label}: output ${i} is [${g.values}], cpu gives [${want[i].values}]`);
  });
}

async function reference(c: Case): Promise<Result[]> {
  if (c.expected !== undefined) return c.expected;
  await activate("cpu");
  return await run(c, false);
}

const gpu = (globalThis.navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
const adapter = gpu === undefined ? null : await gpu.requestAdapter().catch(() => null);
const webgpuMissing = missingDependency(
  "webgpu",
  adapter === null || adapter === undefined ? "no WebGPU adapter" : undefined,
);

/** Checks every case on `backend`, three times (uninitialised memory differs run to run). */
async function checkBackend(backend: string, onDevice: boolean): Promise<void> {
  for (const c of cases) {
    if (c.only !== undefined && !c.only.includes(backend)) continue;
    const want = await reference(c);
    await activate(backend);
    for (let i = 0; i < 3; i++) {
      assertSame(`${c.label} on ${backend}`, await run(c, onDevice), want);
    }
  }
}

Deno.test("zero-size inputs give the cpu result on wasm, for every listed kernel", async () => {
  await checkBackend("wasm", false);
});

Deno.test({
  name: "zero-size inputs give the cpu result on native, for every listed kernel",
  ignore: skipReason !== undefined,
  fn: () => checkBackend("native", false),
});

Deno.test({
  name: "zero-size inputs give the cpu result on webgpu, with host and device inputs",
  ignore: webgpuMissing,
  async fn() {
    await checkBackend("webgpu", false);
    // Small ops on host data run on the host (WEBGPU_CPU_FORWARD): keep them on the device.
    await activate("webgpu");
    const forward = tf.env().getBool("WEBGPU_CPU_FORWARD");
    tf.env().set("WEBGPU_CPU_FORWARD", false);
    try {
      await checkBackend("webgpu", true);
    } finally {
      tf.env().set("WEBGPU_CPU_FORWARD", forward);
    }
  },
});

Deno.test("every kernel likeness registers has a zero-size case here", () => {
  const listed = new Set(cases.map((c) => c.kernel));
  const registered = [
    ...wasmPatches.map((p) => p.kernelName),
    ...webgpuPatches.map((p) => p.kernelName),
    ...Object.keys(nativeKernels),
    "LikenessFusedBatchNormGrad",
  ];
  const missing = registered.filter((name) => !listed.has(name));
  assert.deepEqual(missing, [], `kernels without a zero-size case: ${missing}`);
});

Deno.test({
  name: "every kernel of wasm, native and webgpu is guarded against zero-size inputs",
  async fn() {
    const backends = ["wasm", ...(skipReason === undefined ? ["native"] : [])];
    if (!webgpuMissing) backends.push("webgpu");
    for (const backend of backends) {
      await activate(backend);
      const kernels = tf.getKernelsForBackend(backend);
      assert.ok(kernels.length > 100, `${backend}: only ${kernels.length} kernels`);
      const bare = kernels.filter((k) => !isEmptyGuarded(k.kernelFunc)).map((k) => k.kernelName);
      assert.deepEqual(bare, [], `${backend} kernels without the zero-size guard: ${bare}`);
    }
  },
});

Deno.test("the guard leaves no data behind on the cpu backend", async () => {
  await activate("cpu");
  const cpu = tf.backend();
  const before = cpu.numDataIds();
  await activate("wasm");
  for (const c of cases.filter((c) => c.expected === undefined)) await run(c, false);
  assert.equal(cpu.numDataIds(), before);
});
