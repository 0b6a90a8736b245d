/**
 * Where the webgpu training step of the classic network spends its time, and which
 * `Conv2DBackpropFilter` variant is fastest on this adapter.
 *
 * 1. Per-kernel GPU times of one step from `tf.profile` (only when the adapter has the
 *    `timestamp-query` feature; otherwise the section says so).
 * 2. Each kernel type of the step timed in isolation at the step's real shapes (median
 *    milliseconds, each call synchronised by reading one element back).
 * 3. Every webgpu filter-gradient variant at the six convolution shapes of the step, with
 *    its max abs difference from `transposed` (checked against cpu in the tests).
 * 4. The whole step (images/s) with each correct variant.
 *
 * Run: `deno run -A bench/webgpu_profile.ts [--triplets 512] [--runs 3] [--steps 2]
 * [--variants transposed,chunked,im2col,splitk,batched,stock] [--chunk-rows 16384,65536]
 * [--skip profile,kernels,variants,step]`. `LIKENESS_WEBGPU_FILTER_GRAD` (a variant) and
 * `LIKENESS_WEBGPU_CHUNK_ROWS` choose the filter gradient used by sections 1–2 (default
 * `transposed`). Prints markdown; progress goes to stderr.
 *
 * @module
 */
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { makeOptimizer } from "../lib/compile/_optimizer.ts";
import { useBackend } from "../lib/backend/mod.ts";
import {
  setWebgpuFilterGradient,
  type WebgpuFilterGradient,
  webgpuFilterGradients,
} from "../lib/backend/_conv_kernels.ts";
import { classicNetwork, makeTripletStep } from "./_classic.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    triplets: { type: "string", default: "512" },
    runs: { type: "string", default: "3" },
    steps: { type: "string", default: "2" },
    variants: { type: "string", default: webgpuFilterGradients.join(",") },
    "chunk-rows": { type: "string", default: "16384" },
    skip: { type: "string", default: "" },
  },
});
const triplets = Number(values.triplets);
const runs = Number(values.runs);
const steps = Number(values.steps);
const variants = values.variants.split(",").filter((v) => v !== "") as WebgpuFilterGradient[];
const chunkRows = values["chunk-rows"].split(",").map(Number);
const skip = new Set(values.skip.split(",").filter((s) => s !== ""));
for (const v of variants) {
  if (!webgpuFilterGradients.includes(v)) {
    throw new Error(`--variants must list ${webgpuFilterGradients.join(", ")}: got '${v}'`);
  }
}
if (!Number.isInteger(triplets) || triplets < 1) {
  throw new Error(`--triplets must be a positive integer: got '${values.triplets}'`);
}

const envVariant =
  (Deno.env.get("LIKENESS_WEBGPU_FILTER_GRAD") ?? "transposed") as WebgpuFilterGradient;
const envRows = Number(Deno.env.get("LIKENESS_WEBGPU_CHUNK_ROWS") ?? "16384");
const useDefault = () => setWebgpuFilterGradient(envVariant, { chunkRows: envRows });

const gpu = (globalThis.navigator as {
  gpu?: {
    requestAdapter(): Promise<
      { info?: Record<string, string>; features?: Set<string> } | null
    >;
  };
}).gpu;
const adapter = gpu === undefined ? null : await gpu.requestAdapter().catch(() => null);
if (adapter === null) {
  console.log("No WebGPU adapter: navigator.gpu is " + (gpu === undefined ? "undefined" : "empty"));
  Deno.exit(1);
}
const info = adapter.info ?? {};
const timestamps = adapter.features?.has("timestamp-query") ?? false;
await useBackend("webgpu");
useDefault();
const n = 3 * triplets;
console.log(`## webgpu profile: classic network, ${triplets} triplets (${n} images) per step\n`);
console.log(
  `adapter: ${info.vendor ?? "?"} / ${info.architecture ?? "?"} / ${info.device ?? "?"} / ${
    info.description ?? "?"
  }; timestamp-query: ${timestamps}; filter gradient (sections 1–2): ${envVariant}, ` +
    `chunk rows ${envRows}\n`,
);
const log = (s: string) => console.error(`[webgpu_profile] ${s}`);

/** Waits for `t` (and the queue before it) by reading one element back. */
async function sync(t: tf.Tensor): Promise<void> {
  const one = tf.tidy(() => tf.slice(tf.reshape(t, [-1]), [0], [1]));
  await one.data();
  one.dispose();
}

/**
 * Median ms of `f` over `runs` synchronised calls, after one warm-up call unless `warm` is
 * false; a call over a second ends the series (slow variants would take minutes).
 */
async function time(f: () => tf.Tensor | tf.Tensor[], warm = true): Promise<number> {
  const once = async () => {
    const start = performance.now();
    const out = f();
    const list = Array.isArray(out) ? out : [out];
    for (const t of list) await sync(t);
    const ms = performance.now() - start;
    tf.dispose(list);
    return ms;
  };
  if (warm) await once();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    times.push(await once());
    if (times[i] > 1000) break;
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toPrecision(3));

/** The six convolutions of the classic network: [size, in channels, out channels]. */
const convs: [number, number, number][] = [
  [28, 1, 8],
  [28, 8, 8],
  [14, 8, 16],
  [14, 16, 16],
  [7, 16, 32],
  [7, 32, 32],
];
const convAttrs = (size: number, ci: number, co: number) => ({
  strides: 1,
  pad: "same",
  dataFormat: "NHWC",
  dimRoundingMode: undefined,
  dilations: 1,
  filterShape: [3, 3, ci, co],
  inputShape: [n, size, size, ci],
});
const rand = (shape: number[], seed: number) =>
  tf.randomUniform(shape, -1, 1, "float32", seed) as tf.Tensor;
const kernel = (name: string, inputs: Record<string, tf.Tensor>, attrs: object) =>
  tf.engine().runKernel(name, inputs, attrs as Record<string, unknown> as never) as tf.Tensor;

function makeStep() {
  const model = classicNetwork();
  const optimizer = makeOptimizer("adam", 1e-3);
  const step = makeTripletStep(model, optimizer);
  const [a, p, q] = [1, 2, 3].map((seed) =>
    tf.randomUniform([triplets, 28, 28, 1], 0, 1, "float32", seed) as tf.Tensor4D
  );
  return {
    run: () => step(a, p, q),
    dispose: () => {
      tf.dispose([a, p, q]);
      model.dispose();
      optimizer.dispose();
    },
  };
}

// 1. tf.profile of one step.
if (!skip.has("profile")) {
  console.log("### 1. Per-kernel GPU time of one step (tf.profile)\n");
  if (!timestamps) {
    console.log(
      "The adapter lacks `timestamp-query`: tf.profile reports 0 ms per kernel on webgpu; " +
        "see section 2.\n",
    );
  } else {
    log("profiling one step");
    const s = makeStep();
    const warm = s.run();
    await warm.data();
    warm.dispose();
    const profile = await tf.profile(() => s.run());
    s.dispose();
    const byName = new Map<string, { ms: number; calls: number }>();
    for (const k of profile.kernels) {
      const ms = typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : NaN;
      const e = byName.get(k.name) ?? { ms: 0, calls: 0 };
      byName.set(k.name, { ms: e.ms + ms, calls: e.calls + 1 });
    }
    const total = [...byName.values()].reduce((t, e) => t + (Number.isNaN(e.ms) ? 0 : e.ms), 0);
    console.log("| kernel | calls | GPU ms | share |\n|---|---:|---:|---:|");
    for (const [name, e] of [...byName].sort((x, y) => y[1].ms - x[1].ms)) {
      console.log(
        `| ${name} | ${e.calls} | ${fmt(e.ms)} | ${(100 * e.ms / total).toFixed(1)} % |`,
      );
    }
    console.log(`| **total** | ${profile.kernels.length} | ${fmt(total)} | |\n`);
  }
}

// 2. Each kernel type in isolation at the step's shapes.
if (!skip.has("kernels")) {
  console.log(`### 2. Kernels in isolation at the step's shapes (median ms of ${runs})\n`);
  console.log("| kernel | shape | ms |\n|---|---|---:|");
  const row = async (name: string, shape: string, f: () => tf.Tensor | tf.Tensor[]) => {
    const ms = await time(f);
    console.log(`| ${name} | ${shape} | ${fmt(ms)} |`);
    log(`${name} ${shape}: ${fmt(ms)} ms`);
    return ms;
  };
  let total = 0;
  for (const [size, ci, co] of convs) {
    const x = rand([n, size, size, ci], 1);
    const w = rand([3, 3, ci, co], 2);
    const dy = rand([n, size, size, co], 3);
    const attrs = convAttrs(size, ci, co);
    const shape = `[${n},${size},${size},${ci}]→${co}`;
    total += await row(
      "Conv2D",
      shape,
      () => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "same"),
    );
    if (ci > 1) {
      total += await row(
        "Conv2DBackpropInput",
        shape,
        () => kernel("Conv2DBackpropInput", { dy, filter: w }, attrs),
      );
    }
    total += await row(
      `Conv2DBackpropFilter (${envVariant})`,
      shape,
      () => kernel("Conv2DBackpropFilter", { x, dy }, attrs),
    );
    tf.dispose([x, w, dy]);
  }
  for (const [k, m] of [[1568, 256], [256, 32]]) {
    const x = rand([n, k], 4);
    const w = rand([k, m], 5);
    const dy = rand([n, m], 6);
    total += await row("MatMul x·W", `[${n},${k}]·[${k},${m}]`, () => tf.matMul(x, w));
    total += await row(
      "MatMul dy·Wᵀ",
      `[${n},${m}]·[${m},${k}]`,
      () => tf.matMul(dy, w, false, true),
    );
    total += await row(
      "MatMul xᵀ·dy",
      `[${k},${n}]·[${n},${m}]`,
      () => tf.matMul(x, dy, true, false),
    );
    tf.dispose([x, w, dy]);
  }
  for (const shape of [[n, 28, 28, 8], [n, 14, 14, 16], [n, 7, 7, 32], [n, 256]]) {
    const c = shape[shape.length - 1];
    const x = rand(shape, 7);
    const dy = rand(shape, 8);
    const gamma = rand([c], 9);
    const beta = rand([c], 10);
    const axes = shape.slice(0, -1).map((_, i) => i);
    const bn = (t: tf.Tensor) => {
      const { mean, variance } = tf.moments(t, axes);
      return tf.batchNorm(t, mean, variance, beta, gamma, 1e-3);
    };
    total += await row(
      "batch norm (moments + batchNorm)",
      `[${shape}]`,
      () => tf.tidy(() => bn(x)),
    );
    total += await row(
      "batch norm gradient (forward + backward)",
      `[${shape}]`,
      () => tf.tidy(() => tf.grad((t: tf.Tensor) => bn(t))(x, dy)),
    );
    tf.dispose([x, dy, gamma, beta]);
  }
  for (const [size, c] of [[28, 8], [14, 16]]) {
    const x = rand([n, size, size, c], 11);
    const y = tf.maxPool(x as tf.Tensor4D, 2, 2, "valid");
    const dy = rand(y.shape, 12);
    total += await row(
      "MaxPool 2×2",
      `[${n},${size},${size},${c}]`,
      () => tf.maxPool(x as tf.Tensor4D, 2, 2, "valid"),
    );
    total += await row(
      "MaxPoolGrad 2×2",
      `[${n},${size},${size},${c}]`,
      () =>
        kernel("MaxPoolGrad", { dy, input: x, output: y }, {
          filterSize: 2,
          strides: 2,
          pad: "valid",
        }),
    );
    tf.dispose([x, y, dy]);
  }
  console.log(`| **sum** | | ${fmt(total)} |\n`);
}

// 3. Filter-gradient variants at the step's six convolution shapes.
if (!skip.has("variants")) {
  console.log(
    `### 3. Conv2DBackpropFilter variants at the step's shapes (median ms of ${runs}; ` +
      "diff: max abs difference from `transposed`)\n",
  );
  console.log(
    "| shape | variant | chunk rows | ms | max abs diff | max abs value |\n|---|---|---:|---:|---:|---:|",
  );
  const sums = new Map<string, number>();
  for (const [size, ci, co] of convs) {
    const x = rand([n, size, size, ci], 1);
    const dy = rand([n, size, size, co], 3);
    const attrs = convAttrs(size, ci, co);
    const shape = `[${n},${size},${size},${ci}]→${co}`;
    setWebgpuFilterGradient("transposed");
    const ref = kernel("Conv2DBackpropFilter", { x, dy }, attrs);
    const want = await ref.data();
    ref.dispose();
    const maxAbs = Math.max(...Array.from(want, Math.abs));
    for (const variant of variants) {
      const sizes = variant === "chunked" || variant === "batched" ? chunkRows : [chunkRows[0]];
      for (const rows of sizes) {
        setWebgpuFilterGradient(variant, { chunkRows: rows });
        const label = variant === "chunked" || variant === "batched" ? String(rows) : "";
        let cell: string;
        try {
          const out = kernel("Conv2DBackpropFilter", { x, dy }, attrs);
          const got = await out.data();
          out.dispose();
          let diff = 0;
          got.forEach((v, i) => diff = Math.max(diff, Math.abs(v - want[i])));
          if (Number.isNaN(diff) || got.some(Number.isNaN)) diff = Infinity;
          const ms = await time(() => kernel("Conv2DBackpropFilter", { x, dy }, attrs), false);
          const key = `${variant} ${label}`;
          sums.set(key, (sums.get(key) ?? 0) + ms);
          cell = `${fmt(ms)} | ${diff.toExponential(1)} | ${maxAbs.toFixed(0)}`;
          log(
            `${variant}${label ? " " + label : ""} ${shape}: ${fmt(ms)} ms, diff ${
              diff.toExponential(1)
            }`,
          );
        } catch (e) {
          cell = `failed: ${(e as Error).message.split("\n")[0].slice(0, 80)} | | `;
          log(`${variant} ${shape}: ${cell}`);
        }
        console.log(`| ${shape} | ${variant} | ${label} | ${cell} |`);
      }
    }
    tf.dispose([x, dy]);
  }
  console.log("\n| variant | chunk rows | ms for the six shapes |\n|---|---:|---:|");
  for (const [key, ms] of [...sums].sort((a, b) => a[1] - b[1])) {
    const [variant, rows] = key.split(" ");
    console.log(`| ${variant} | ${rows} | ${fmt(ms)} |`);
  }
  console.log("");
  useDefault();
}

// 4. The whole step with each correct variant.
if (!skip.has("step")) {
  console.log(`### 4. Training step with each variant (median of ${steps} after 1 warm-up)\n`);
  console.log("| variant | chunk rows | ms/step | images/s |\n|---|---:|---:|---:|");
  for (const variant of variants.filter((v) => v !== "stock")) {
    const sizes = variant === "chunked" || variant === "batched" ? chunkRows : [chunkRows[0]];
    for (const rows of sizes) {
      setWebgpuFilterGradient(variant, { chunkRows: rows });
      const s = makeStep();
      const times: number[] = [];
      for (let i = 0; i < steps + 1; i++) {
        const start = performance.now();
        const loss = s.run();
        await loss.data();
        loss.dispose();
        if (i > 0) times.push(performance.now() - start);
      }
      s.dispose();
      times.sort((a, b) => a - b);
      const ms = times[Math.floor(times.length / 2)];
      const label = variant === "chunked" || variant === "batched" ? String(rows) : "";
      console.log(`| ${variant} | ${label} | ${fmt(ms)} | ${(n / (ms / 1000)).toFixed(0)} |`);
      log(`step ${variant} ${label}: ${fmt(ms)} ms`);
    }
  }
  useDefault();
}
