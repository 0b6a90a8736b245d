/**
 * WebGPU check on a machine with a real GPU: the webgpu kernels the training step uses,
 * compared with `cpu` (max abs difference), then training throughput of the classic
 * network on webgpu beside wasm, cpu and PyTorch, in one process run.
 *
 * Run: `deno run -A bench/gpu_check.ts [--steps N] [--triplets 32,128,512]`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { NamedAttrMap } from "@tensorflow/tfjs-core";
import { diffVsCpu, randomSpec } from "../tests/backend/_compare.ts";
import { throughputTable, trainThroughput } from "./train_throughput.ts";
import { useBackend } from "../lib/backend/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    steps: { type: "string", default: "5" },
    triplets: { type: "string", default: "32,128,512" },
    "skip-kernels": { type: "boolean", default: false },
    "webgpu-only": { type: "boolean", default: false },
  },
});
const steps = Number(values.steps);
const triplets = values.triplets.split(",").map(Number);

const gpu = (globalThis.navigator as {
  gpu?: { requestAdapter(): Promise<{ info?: Record<string, string> } | null> };
}).gpu;
const adapter = gpu === undefined ? null : await gpu.requestAdapter().catch(() => null);
if (adapter === null) {
  console.log("No WebGPU adapter: navigator.gpu is " + (gpu === undefined ? "undefined" : "empty"));
  Deno.exit(1);
}
const info = adapter.info ?? {};
console.log(
  `adapter: ${info.vendor ?? "?"} / ${info.architecture ?? "?"} / ${info.device ?? "?"} / ${
    info.description ?? "?"
  }`,
);
const backend = await useBackend("webgpu");
console.log(`backend: ${JSON.stringify(backend)}`);

if (!values["skip-kernels"]) {
  const conv = (shape: number[], co: number, stride: number, pad: string) =>
    ({
      strides: stride,
      pad,
      dataFormat: "NHWC",
      dilations: 1,
      dimRoundingMode: undefined,
      filterShape: [3, 3, shape[3], co],
      inputShape: shape,
    }) as unknown as NamedAttrMap;
  const rows: string[] = [
    "| kernel | shape | max abs diff | max abs value |",
    "|---|---|---:|---:|",
  ];
  for (
    const [n, size, ci, co] of [[8, 7, 3, 4], [96, 28, 8, 8], [384, 28, 8, 8], [384, 14, 16, 16]]
  ) {
    const x = randomSpec([n, size, size, ci], 1);
    const w = randomSpec([3, 3, ci, co], 2);
    const dy = randomSpec([n, size, size, co], 3);
    const attrs = conv([n, size, size, ci], co, 1, "same");
    const shape = `[${n},${size},${size},${ci}]→${co}`;
    for (
      const [kernel, inputs] of [
        ["Conv2D", { x, filter: w }],
        ["Conv2DBackpropFilter", { x, dy }],
        ["Conv2DBackpropInput", { dy, filter: w }],
      ] as const
    ) {
      const { maxAbsDiff, maxAbs } = await diffVsCpu("webgpu", kernel, inputs, attrs);
      rows.push(
        `| ${kernel} | ${shape} | ${maxAbsDiff.toExponential(2)} | ${maxAbs.toFixed(1)} |`,
      );
      console.error(rows.at(-1));
    }
  }
  for (const [m, k, n] of [[384, 1568, 256], [1152, 256, 32]]) {
    const a = randomSpec([1, m, k], 4);
    const b = randomSpec([1, k, n], 5);
    const { maxAbsDiff, maxAbs } = await diffVsCpu(
      "webgpu",
      "BatchMatMul",
      { a, b },
      { transposeA: false, transposeB: false } as unknown as NamedAttrMap,
    );
    rows.push(
      `| BatchMatMul | ${m}×${k}·${k}×${n} | ${maxAbsDiff.toExponential(2)} | ${
        maxAbs.toFixed(1)
      } |`,
    );
  }
  console.log("\n### webgpu kernels against cpu\n");
  console.log(rows.join("\n"));
}

console.log("\n### Training throughput (classic network, triplet loss)\n");
const onRow = (r: { backend: string; triplets: number; imagesPerSecond: number }) =>
  console.error(`measured ${r.backend} ×${r.triplets}: ${r.imagesPerSecond.toFixed(1)} images/s`);
const table = await trainThroughput({
  backends: values["webgpu-only"] ? ["webgpu"] : ["webgpu", "wasm"],
  triplets,
  steps,
  pytorch: !values["webgpu-only"],
  onRow,
});
if (values["webgpu-only"]) {
  console.log(throughputTable(table));
  Deno.exit(0);
}
// The pure-JS cpu backend needs about a minute per step at 32 triplets: time it at 8.
const cpu = await trainThroughput({
  backends: ["cpu"],
  triplets: [8],
  steps: 1,
  warmup: 1,
  pytorch: false,
  onRow,
});
console.log(throughputTable([...table, ...cpu]));
