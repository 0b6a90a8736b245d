/**
 * The `native` backend (oneDNN + OpenBLAS through Deno's FFI) beside `wasm` and PyTorch on
 * CPU, in the same run: training images/s of what users run, the DSL path,
 * `compile({ model: triplet(pipe(vgg({ dropout: 0 }), embedding(32), l2Normalize())), loss:
 * tripletMargin({ margin: 1 }), inputShape: [28, 28, 1], seed: 1 })` and one
 * `program.trainStep(batch)` per step on a prepared triplet batch (random tensors, made once),
 * timed until the loss value is read back (`await loss.data()`); 429,176 parameters, at 32 and
 * 128 triplets per batch (3 images each), median of the timed steps after warm-up. PyTorch
 * (`bench/pytorch_triplet.py`, `--dropout 0`) times the identical network and step.
 *
 * A second row per backend, `… (twin)`, times the hand-built tf.layers network of
 * `bench/_classic.ts` (same layers, dropout 0) with its own gradient step: the DSL path's
 * overhead over the raw network (`--no-twin` leaves it out). Also a per-kernel profile of
 * one DSL step on each backend (`--profile`).
 *
 * Run: `deno run -A bench/native.ts [--threads 2] [--triplets 32,128] [--rounds 3] [--steps 5]
 * [--warmup 2] [--no-twin] [--profile]`,
 * or import {@linkcode nativeBench}.
 *
 * @module
 */
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { makeOptimizer } from "../lib/compile/_optimizer.ts";
import type { KernelConfig, KernelFunc } from "@tensorflow/tfjs-core";
import { useBackend } from "../lib/backend/mod.ts";
import { nativeStatus, registerNative } from "../lib/backend/native/mod.ts";
import { classicNetwork, countParams, makeTripletStep } from "./_classic.ts";
import { compile } from "../lib/compile/mod.ts";
import { pipe } from "../lib/pipe.ts";
import { vgg } from "../lib/backbones/mod.ts";
import { embedding, l2Normalize, triplet } from "../lib/branches/mod.ts";
import { tripletMargin } from "../lib/losses/mod.ts";
import { pytorchRatio, pytorchRows } from "./train_throughput.ts";

/** One measured configuration. */
export interface NativeBenchRow {
  /** `native`, `wasm`, `native (twin)`, `wasm (twin)` or `pytorch-cpu`. */
  readonly backend: string;
  /** Triplets per batch (3× as many images). */
  readonly triplets: number;
  /** Median training images per second (NaN when the backend is unavailable). */
  readonly imagesPerSecond: number;
  /** Threads the heavy kernels use. */
  readonly threads: number;
  /** Why a row is missing, or what ran. */
  readonly note: string;
}

/** Options of {@linkcode nativeBench}. */
export interface NativeBenchOptions {
  /** Triplets per batch (default [32, 128]). */
  readonly triplets?: readonly number[];
  /** Timed steps (default 5) after `warmup` steps (default 2). */
  readonly steps?: number;
  readonly warmup?: number;
  /** Threads for native and PyTorch (default 2). */
  readonly threads?: number;
  /** Run bench/pytorch_triplet.py with /usr/bin/python3 when torch imports (default true). */
  readonly pytorch?: boolean;
  /** Interleaved rounds; each configuration reports its best round (default 3). */
  readonly rounds?: number;
  /** Also time the hand-built twin of `bench/_classic.ts` (default true). */
  readonly twin?: boolean;
  /** Called with each row as soon as it is measured (every round). */
  readonly onRow?: (row: NativeBenchRow) => void;
}

async function setBackend(name: "native" | "wasm", threads: number): Promise<void> {
  await useBackend("wasm");
  if (name === "native") {
    await registerNative({ threads });
    await tf.setBackend("native");
  }
}

/** What is timed: the DSL path (`compile` + `trainStep`) or the hand-built twin. */
type Path = "dsl" | "twin";

function setup(path: Path, triplets: number) {
  const inputs = [1, 2, 3].map((seed) =>
    tf.randomUniform([triplets, 28, 28, 1], 0, 1, "float32", seed) as tf.Tensor4D
  );
  if (path === "dsl") {
    const program = compile({
      model: triplet(pipe(vgg({ dropout: 0 }), embedding(32), l2Normalize())),
      loss: tripletMargin({ margin: 1 }),
      inputShape: [28, 28, 1],
      seed: 1,
    });
    const { total } = countParams(program.embedder);
    if (total !== 429_176) {
      throw new Error(`compiled network has ${total} parameters: expected 429,176`);
    }
    const batch = {
      kind: "triplet" as const,
      anchor: inputs[0],
      positive: inputs[1],
      negative: inputs[2],
    };
    const run = async () => {
      const loss = program.trainStep(batch);
      await loss.data();
      loss.dispose();
    };
    const dispose = () => {
      tf.dispose(inputs);
      program.dispose();
    };
    return { run, dispose };
  }
  const model = classicNetwork([28, 28, 1], { dropout: 0 });
  const { total } = countParams(model);
  if (total !== 429_176) {
    throw new Error(`classic network has ${total} parameters: expected 429,176`);
  }
  const optimizer = makeOptimizer("adam", 1e-3);
  const step = makeTripletStep(model, optimizer);
  const run = async () => {
    const loss = step(inputs[0], inputs[1], inputs[2]);
    await loss.data();
    loss.dispose();
  };
  const dispose = () => {
    tf.dispose(inputs);
    model.dispose();
    optimizer.dispose();
  };
  return { run, dispose };
}

async function imagesPerSecond(
  path: Path,
  triplets: number,
  steps: number,
  warmup: number,
): Promise<number> {
  const { run, dispose } = setup(path, triplets);
  const times: number[] = [];
  try {
    for (let i = 0; i < warmup + steps; i++) {
      const start = performance.now();
      await run();
      if (i >= warmup) times.push(performance.now() - start);
    }
  } finally {
    dispose();
  }
  times.sort((a, b) => a - b);
  return (3 * triplets) / (times[Math.floor(times.length / 2)] / 1000);
}

/** PyTorch's rows, from the same helper as `bench/train_throughput.ts`. */
async function pytorch(
  triplets: readonly number[],
  steps: number,
  warmup: number,
  threads: number,
): Promise<NativeBenchRow[] | string> {
  const rows = await pytorchRows(triplets, steps, threads, { warmup, dropout: 0 });
  if (typeof rows === "string") return rows;
  return rows.map(({ backend, triplets, imagesPerSecond, threads }) => ({
    backend,
    triplets,
    imagesPerSecond,
    threads,
    note: `torch ${threads} threads, same network (dropout 0) and step`,
  }));
}

/**
 * Measures native, wasm and PyTorch (when available) in one run, in interleaved rounds,
 * keeping each configuration's best round. Unavailable backends give rows with
 * `imagesPerSecond: NaN` and the reason. Leaves the backend set to wasm.
 */
export async function nativeBench(options: NativeBenchOptions = {}): Promise<NativeBenchRow[]> {
  const triplets = options.triplets ?? [32, 128];
  const steps = options.steps ?? 5;
  const warmup = options.warmup ?? 2;
  const threads = options.threads ?? 2;
  const rounds = options.rounds ?? 3;
  const status = nativeStatus();
  // Best of `rounds` interleaved rounds: other processes sharing the cores slow some
  // measurements down, never speed them up.
  const best = new Map<string, NativeBenchRow>();
  const keep = (row: NativeBenchRow) => {
    const key = `${row.backend}/${row.triplets}`;
    const old = best.get(key);
    if (old === undefined || !(old.imagesPerSecond >= row.imagesPerSecond)) best.set(key, row);
    options.onRow?.(row);
  };
  for (let round = 0; round < rounds; round++) {
    for (const t of triplets) {
      for (const backend of ["native", "wasm"] as const) {
        if (backend === "native" && !status.available) {
          keep({ backend, triplets: t, imagesPerSecond: NaN, threads: 0, note: status.reason });
          continue;
        }
        await setBackend(backend, threads);
        for (const path of (options.twin ?? true) ? ["dsl", "twin"] as const : ["dsl"] as const) {
          keep({
            backend: path === "dsl" ? backend : `${backend} (twin)`,
            triplets: t,
            imagesPerSecond: await imagesPerSecond(path, t, steps, warmup),
            threads: backend === "native" ? threads : 1,
            note: (path === "dsl"
              ? "compile + program.trainStep; "
              : "hand-built tf.layers twin + its own step; ") +
              (backend === "native"
                ? "oneDNN conv, pool-grad, batch-norm, ReLU; OpenBLAS matmul/sum; fused Adam"
                : "likeness wasm kernels"),
          });
        }
      }
    }
    if (options.pytorch ?? true) {
      const torch = await pytorch(triplets, steps, warmup, threads);
      if (typeof torch === "string") {
        keep({
          backend: "pytorch-cpu",
          triplets: triplets[0],
          imagesPerSecond: NaN,
          threads,
          note: torch,
        });
      } else torch.forEach(keep);
    }
  }
  await useBackend("wasm");
  const order = ["native", "wasm", "pytorch-cpu", "native (twin)", "wasm (twin)"];
  return [...best.values()].sort((a, b) =>
    a.triplets - b.triplets || order.indexOf(a.backend) - order.indexOf(b.backend)
  );
}

/** Time per kernel (ms per step) of the DSL triplet step on `backend`. */
export interface KernelTime {
  readonly kernel: string;
  readonly ms: number;
  readonly calls: number;
}

/**
 * Profiles `steps` DSL triplet steps (`compile` + `trainStep`) on `backend` by timing every kernel call (wall
 * clock; composites count their inner kernels too). Returns kernels by time and the step's
 * total ms.
 */
export async function profileStep(
  backend: "native" | "wasm",
  triplets = 128,
  options: { steps?: number; threads?: number } = {},
): Promise<{ stepMs: number; kernels: KernelTime[] }> {
  const steps = options.steps ?? 3;
  await setBackend(backend, options.threads ?? 2);
  const { run, dispose } = setup("dsl", triplets);
  await run();
  await run();
  const table = new Map<string, { ms: number; calls: number }>();
  const saved = tf.getKernelsForBackend(backend).map((c) => ({ ...c }) as KernelConfig);
  for (const config of saved) {
    const f = config.kernelFunc as KernelFunc;
    tf.unregisterKernel(config.kernelName, backend);
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        const start = performance.now();
        const out = f(args);
        const entry = table.get(config.kernelName) ?? { ms: 0, calls: 0 };
        entry.ms += performance.now() - start;
        entry.calls++;
        table.set(config.kernelName, entry);
        return out;
      },
    });
  }
  const start = performance.now();
  try {
    for (let i = 0; i < steps; i++) await run();
  } finally {
    for (const config of saved) {
      tf.unregisterKernel(config.kernelName, backend);
      tf.registerKernel(config);
    }
    dispose();
  }
  const stepMs = (performance.now() - start) / steps;
  const kernels = [...table].map(([kernel, v]) => ({
    kernel,
    ms: v.ms / steps,
    calls: v.calls / steps,
  }))
    .sort((a, b) => b.ms - a.ms);
  return { stepMs, kernels };
}

/** The rows as a markdown table, with each row's ratio to PyTorch at the same batch. */
export function nativeTable(rows: readonly NativeBenchRow[]): string {
  const ratioOf = pytorchRatio(rows);
  const lines = [
    "| backend | triplets/batch | images/s | vs PyTorch CPU | threads | note |",
    "|---|---:|---:|---:|---:|---|",
  ];
  for (const r of rows) {
    const ratio = ratioOf(r);
    const ips = Number.isFinite(r.imagesPerSecond) ? r.imagesPerSecond.toFixed(0) : "—";
    lines.push(`| ${r.backend} | ${r.triplets} | ${ips} | ${ratio} | ${r.threads} | ${r.note} |`);
  }
  return lines.join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      threads: { type: "string", default: "2" },
      triplets: { type: "string", default: "32,128" },
      rounds: { type: "string", default: "3" },
      steps: { type: "string", default: "5" },
      warmup: { type: "string", default: "2" },
      "no-twin": { type: "boolean", default: false },
      profile: { type: "boolean", default: false },
    },
  });
  const rows = await nativeBench({
    threads: Number(values.threads),
    triplets: values.triplets.split(",").map(Number),
    rounds: Number(values.rounds),
    steps: Number(values.steps),
    warmup: Number(values.warmup),
    twin: !values["no-twin"],
    onRow: (r) =>
      console.error(
        `measured ${r.backend} ×${r.triplets}: ${r.imagesPerSecond.toFixed(0)} images/s`,
      ),
  });
  console.log(nativeTable(rows));
  if (values.profile) {
    for (const backend of ["wasm", "native"] as const) {
      if (backend === "native" && !nativeStatus().available) continue;
      const { stepMs, kernels } = await profileStep(backend, 128, {
        threads: Number(values.threads),
      });
      console.log(`\nProfile, ${backend}, 128 triplets: ${stepMs.toFixed(0)} ms per step`);
      console.log("| kernel | ms/step | calls/step |\n|---|---:|---:|");
      for (const k of kernels.slice(0, 15)) {
        console.log(`| ${k.kernel} | ${k.ms.toFixed(1)} | ${k.calls} |`);
      }
    }
    await useBackend("wasm");
  }
}
