/**
 * Training throughput of what users run — the lecture's network, `compile({ model:
 * triplet(pipe(vgg({ dropout: 0.1 }), embedding(32), l2Normalize())), loss: tripletMargin({
 * margin: 1 }) })` and `program.trainStep` (429,176 parameters, 28×28×1 input, 32-d
 * embedding) — in images/s (each triplet is 3 images; median of the
 * timed steps after warm-up), on every available backend, and PyTorch's CPU figure for
 * the identical network and step when `python3 -c 'import torch'` works.
 *
 * Run: `deno run -A bench/train_throughput.ts` (prints a markdown table), or import
 * {@linkcode trainThroughput} and print the rows yourself.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type BackendName, useBackend } from "../lib/backend/mod.ts";
import { vgg } from "../lib/backbones/mod.ts";
import { embedding, l2Normalize, triplet } from "../lib/branches/mod.ts";
import { compile } from "../lib/compile/mod.ts";
import { tripletMargin } from "../lib/losses/mod.ts";
import { pipe } from "../lib/pipe.ts";
import { countParams, dropoutRate } from "./_classic.ts";

/** One measured configuration. */
export interface ThroughputRow {
  /** `wasm`, `cpu`, `webgpu`, `tensorflow`, or `pytorch-cpu`. */
  readonly backend: string;
  /** Triplets per batch (3× as many images). */
  readonly triplets: number;
  /** Median training images per second over `steps` timed steps. */
  readonly imagesPerSecond: number;
  /** Timed steps (after warm-up). */
  readonly steps: number;
  /** Threads used (wasm/cpu: 1 unless stated; PyTorch: its setting). */
  readonly threads: number;
  /** Free-form remark (adapter, why something is missing). */
  readonly note: string;
}

/** Options of {@linkcode trainThroughput}. */
export interface ThroughputOptions {
  /** Backends to try (default: wasm, cpu, webgpu, tensorflow; unavailable ones are noted). */
  readonly backends?: readonly BackendName[];
  /** Triplets per batch (default [32, 128]; cpu and webgpu only run the first). */
  readonly triplets?: readonly number[];
  /** Timed steps per configuration (default 5; cpu uses 2; webgpu 3). */
  readonly steps?: number;
  /** Warm-up steps (default 2; cpu uses 1). */
  readonly warmup?: number;
  /** Run bench/pytorch_triplet.py when torch imports (default true). */
  readonly pytorch?: boolean;
  /** PyTorch threads (default 2). */
  readonly pytorchThreads?: number;
  /** Called with each row as soon as it is measured. */
  readonly onRow?: (row: ThroughputRow) => void;
}

async function measure(
  triplets: number,
  steps: number,
  warmup: number,
): Promise<number> {
  // What users run: the lecture's network through compile + the library's training step.
  const program = compile({
    model: triplet(pipe(vgg({ dropout: dropoutRate }), embedding(32), l2Normalize())),
    loss: tripletMargin({ margin: 1 }),
    inputShape: [28, 28, 1],
    seed: 1,
  });
  const { total } = countParams(program.embedder);
  if (total !== 429_176) {
    program.dispose();
    throw new Error(`compiled network has ${total} parameters: expected 429,176`);
  }
  const [anchor, positive, negative] = [1, 2, 3].map((seed) =>
    tf.randomUniform([triplets, 28, 28, 1], 0, 1, "float32", seed) as tf.Tensor4D
  );
  const batch = { kind: "triplet" as const, anchor, positive, negative };
  const times: number[] = [];
  try {
    for (let i = 0; i < warmup + steps; i++) {
      const start = performance.now();
      const loss = program.trainStep(batch);
      await loss.data();
      loss.dispose();
      if (i >= warmup) times.push(performance.now() - start);
    }
  } finally {
    tf.dispose([anchor, positive, negative]);
    program.dispose();
  }
  times.sort((x, y) => x - y);
  return (3 * triplets) / (times[Math.floor(times.length / 2)] / 1000);
}

async function pythonWithTorch(): Promise<string | undefined> {
  for (const python of ["python3", "/usr/bin/python3"]) {
    try {
      const { success } = await new Deno.Command(python, {
        args: ["-c", "import torch"],
        stdout: "null",
        stderr: "null",
      }).output();
      if (success) return python;
    } catch {
      // not installed at this path
    }
  }
  return undefined;
}

/** Runs bench/pytorch_triplet.py; its rows, or why it could not run. */
export async function pytorchRows(
  triplets: readonly number[],
  steps: number,
  threads: number,
  options: { warmup?: number; dropout?: number } = {},
): Promise<ThroughputRow[] | string> {
  const python = await pythonWithTorch();
  if (python === undefined) return "python3 cannot import torch (apt-get install python3-torch)";
  const script = new URL("./pytorch_triplet.py", import.meta.url).pathname;
  const { success, stdout, stderr } = await new Deno.Command(python, {
    args: [
      script,
      "--threads",
      String(threads),
      "--batches",
      triplets.join(","),
      "--steps",
      String(steps),
      "--warmup",
      String(options.warmup ?? 2),
      "--dropout",
      String(options.dropout ?? dropoutRate),
    ],
  }).output();
  if (!success) {
    return `pytorch_triplet.py failed: ${
      new TextDecoder().decode(stderr).trim().split("\n").at(-1)
    }`;
  }
  return new TextDecoder().decode(stdout).trim().split("\n").map((line) => {
    const r = JSON.parse(line) as { batch: number; images_per_s: number; params: number };
    return {
      backend: "pytorch-cpu",
      triplets: r.batch,
      imagesPerSecond: r.images_per_s,
      steps,
      threads,
      note: `${r.params.toLocaleString("en")} params`,
    };
  });
}

/**
 * Measures training images/s of the classic network on each available backend, plus
 * PyTorch on CPU when available. Backends that cannot start give a row with
 * `imagesPerSecond: NaN` and the reason in `note`. Leaves the backend set to wasm.
 */
export async function trainThroughput(options: ThroughputOptions = {}): Promise<ThroughputRow[]> {
  const backends = options.backends ?? ["wasm", "cpu", "webgpu", "tensorflow"];
  const triplets = options.triplets ?? [32, 128];
  const steps = options.steps ?? 5;
  const warmup = options.warmup ?? 2;
  const rows: ThroughputRow[] = [];
  const add = (row: ThroughputRow) => {
    rows.push(row);
    options.onRow?.(row);
  };
  for (const name of backends) {
    let info;
    try {
      info = await useBackend(name);
    } catch (e) {
      add({
        backend: name,
        triplets: triplets[0],
        imagesPerSecond: NaN,
        steps: 0,
        threads: 0,
        note: (e as Error).message.split(". ")[0],
      });
      continue;
    }
    // cpu (~1 image/s) and webgpu on a software adapter (~10) are too slow for more.
    const software = /llvmpipe|lavapipe|swiftshader|software/i.test(info.adapter ?? "");
    const slow = name === "cpu" || (name === "webgpu" && software);
    for (const t of slow ? triplets.slice(0, 1) : triplets) {
      const s = name === "cpu" ? Math.min(2, steps) : slow ? Math.min(3, steps) : steps;
      const ips = await measure(t, s, slow ? 1 : warmup);
      add({
        backend: name,
        triplets: t,
        imagesPerSecond: ips,
        steps: s,
        threads: info.threads,
        note: info.adapter ??
          (info.kernels.length > 0 ? `likeness kernels: ${info.kernels.join(", ")}` : ""),
      });
    }
  }
  if (options.pytorch ?? true) {
    const threads = options.pytorchThreads ?? 2;
    const torch = await pytorchRows(triplets, steps, threads);
    if (typeof torch === "string") {
      add({
        backend: "pytorch-cpu",
        triplets: triplets[0],
        imagesPerSecond: NaN,
        steps: 0,
        threads,
        note: torch,
      });
    } else torch.forEach(add);
  }
  await useBackend("wasm");
  return rows;
}

/** A row's images/s as a ratio to PyTorch CPU's at the same batch ("" where there is none). */
export function pytorchRatio(
  rows: readonly { backend: string; triplets: number; imagesPerSecond: number }[],
): (row: { backend: string; triplets: number; imagesPerSecond: number }) => string {
  const torch = new Map(
    rows.filter((r) => r.backend === "pytorch-cpu").map((r) => [r.triplets, r.imagesPerSecond]),
  );
  return (r) => {
    const ref = torch.get(r.triplets);
    return r.backend !== "pytorch-cpu" && ref !== undefined && Number.isFinite(ref) &&
        Number.isFinite(r.imagesPerSecond)
      ? `${(r.imagesPerSecond / ref).toFixed(2)}×`
      : "";
  };
}

/** The rows as a markdown table, with each backend's ratio to PyTorch at the same batch. */
export function throughputTable(rows: readonly ThroughputRow[]): string {
  const ratioOf = pytorchRatio(rows);
  const lines = [
    "| backend | triplets/batch | images/s | vs PyTorch CPU | steps | threads | note |",
    "|---|---:|---:|---:|---:|---:|---|",
  ];
  for (const r of rows) {
    const ratio = ratioOf(r);
    const ips = Number.isFinite(r.imagesPerSecond) ? r.imagesPerSecond.toFixed(1) : "—";
    lines.push(
      `| ${r.backend} | ${r.triplets} | ${ips} | ${ratio} | ${r.steps} | ${r.threads} | ${r.note} |`,
    );
  }
  return lines.join("\n");
}

if (import.meta.main) {
  const rows = await trainThroughput({
    onRow: (r) =>
      console.error(
        `measured ${r.backend} ×${r.triplets}: ${r.imagesPerSecond.toFixed(1)} images/s`,
      ),
  });
  console.log(throughputTable(rows));
}
