/**
 * Benchmark of the data pipeline: reading and decoding the 60,000-image Fashion-MNIST
 * training set (target < 1.5 s), and producing 1,000 batches of 128 triplets of 28×28 images
 * as tensors (target < 10% of a training step). For scale, it also times one step of a small
 * reference model (an MLP 784→128→32 with a triplet margin loss, batch 128): a lower bound of
 * a real conv-net step, so the ratio shown is pessimistic.
 *
 * Run: `deno run -A bench/data_pipeline.ts [backend]` (prints a markdown table).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../lib/backend/mod.ts";
import { fashionMnist, tensorBatches } from "../lib/data/mod.ts";
import { batch, repeat, seeded, take, triplets } from "../lib/samplers/mod.ts";
import { pipe } from "../lib/pipe.ts";
import type { Dataset, Tensor } from "../lib/types.ts";

/** One benchmark result. */
export interface DataPipelineBenchRow {
  /** What was measured. */
  readonly name: string;
  /** Wall-clock milliseconds (per item where the name says so). */
  readonly ms: number;
  /** The target, in words. */
  readonly target: string;
  /** Whether the target was met (undefined when there is no target). */
  readonly ok: boolean | undefined;
  /** Details. */
  readonly result: string;
}

/** Options of {@linkcode benchDataPipeline}. */
export interface DataPipelineBenchOptions {
  /** tfjs backend (default "cpu"; "wasm" needs lib/backend's kernels). */
  readonly backend?: "cpu" | "wasm";
  /** Number of triplet batches (default 1,000). */
  readonly batches?: number;
  /** Triplets per batch (default 128). */
  readonly batchSize?: number;
}

/** Runs the benchmark and returns its rows. */
export async function benchDataPipeline(
  options: DataPipelineBenchOptions = {},
): Promise<DataPipelineBenchRow[]> {
  const backend = options.backend ?? "cpu";
  const batches = options.batches ?? 1000;
  const size = options.batchSize ?? 128;
  await useBackend(backend);
  const rows: DataPipelineBenchRow[] = [];

  let train: Dataset;
  try {
    const t0 = performance.now();
    train = await fashionMnist({ split: "train", download: false });
    const ms = performance.now() - t0;
    rows.push({
      name: "read + decode Fashion-MNIST train (60k, gunzip, IDX, scale to float32)",
      ms,
      target: "< 1500 ms",
      ok: ms < 1500,
      result: `${train.size} images`,
    });
  } catch (e) {
    train = await fashionMnist({ split: "sample" });
    rows.push({
      name: "read + decode Fashion-MNIST train: skipped (no local copy)",
      ms: NaN,
      target: "< 1500 ms",
      ok: undefined,
      result: (e as Error).message.split("\n")[0],
    });
  }

  // Index tuples alone.
  let t0 = performance.now();
  let n = 0;
  for (const b of pipe(triplets(train), repeat(), batch(size), take(batches), seeded(1))) {
    n += b.length;
  }
  const indexMs = performance.now() - t0;
  rows.push({
    name: `sample ${batches} batches × ${size} triplet indices`,
    ms: indexMs / batches,
    target: "per batch",
    ok: undefined,
    result: `${n} triplets, ${indexMs.toFixed(0)} ms total`,
  });

  // Index tuples → tensors, created lazily and disposed after each "step".
  const before = tf.memory().numTensors;
  t0 = performance.now();
  let checksum = 0;
  const stream = pipe(triplets(train), repeat(), batch(size), take(batches), seeded(1));
  for (const t of tensorBatches(train)(stream)) checksum += t.anchor.shape[0];
  const pipelineMs = (performance.now() - t0) / batches;
  if (tf.memory().numTensors !== before) throw new Error("data pipeline leaked tensors");

  // A reference training step.
  const stepMs = referenceStep(train, size);
  rows.push({
    name: `${batches} batches × ${size} triplets of 28×28 as tensors (${backend})`,
    ms: pipelineMs,
    target: "< 10% of a training step",
    ok: pipelineMs < 0.1 * stepMs,
    result: `${(100 * pipelineMs / stepMs).toFixed(1)}% of the reference step; ${checksum} anchors`,
  });
  rows.push({
    name: `reference step: MLP 784→128→32, triplet loss, batch ${size} (${backend})`,
    ms: stepMs,
    target: "",
    ok: undefined,
    result: "lower bound of a conv-net step",
  });
  return rows;
}

function referenceStep(train: Dataset, size: number): number {
  const w1 = tf.variable(tf.randomNormal([784, 128], 0, 0.05, "float32", 1));
  const w2 = tf.variable(tf.randomNormal([128, 32], 0, 0.05, "float32", 2));
  const optimizer = tf.train.sgd(0.01);
  const embed = (x: Tensor) =>
    tf.matMul(tf.relu(tf.matMul(tf.reshape(x, [-1, 784]) as tf.Tensor2D, w1)), w2);
  const distance = (a: Tensor, b: Tensor) => tf.sum(tf.square(tf.sub(a, b)), 1);
  const steps = 20;
  let ms = 0;
  const stream = pipe(triplets(train), repeat(), batch(size), take(steps + 3), seeded(2));
  let i = 0;
  for (const t of tensorBatches(train)(stream)) {
    const t0 = performance.now();
    const loss = optimizer.minimize(() => {
      const a = embed(t.anchor), p = embed(t.positive), n = embed(t.negative);
      return tf.mean(tf.relu(tf.add(tf.sub(distance(a, p), distance(a, n)), 1))) as tf.Scalar;
    }, true);
    loss?.dataSync();
    loss?.dispose();
    if (i++ >= 3) ms += performance.now() - t0; // 3 warm-up steps
  }
  w1.dispose();
  w2.dispose();
  optimizer.dispose();
  return ms / steps;
}

if (import.meta.main) {
  const backend = (Deno.args[0] ?? "cpu") as "cpu" | "wasm";
  const rows = await benchDataPipeline({ backend });
  console.log("| measurement | ms | target | met | result |");
  console.log("|---|---:|---|---|---|");
  for (const r of rows) {
    const met = r.ok === undefined ? "" : r.ok ? "yes" : "NO";
    console.log(`| ${r.name} | ${r.ms.toFixed(3)} | ${r.target} | ${met} | ${r.result} |`);
  }
}
