/**
 * Evaluation speed beside PyTorch, in the same run: embed N images (the Fashion-MNIST test
 * set's size, 10,000 by default) with the lecture's network — `pipe(vgg({ dropout: 0 }),
 * embedding(32), l2Normalize())`, 429,176 weights, through `compile` and `program.embed` in
 * blocks of 500 — then compute every metric of `metrics.evaluate` (verification over 200,000
 * sampled pairs, identification against one gallery row per class, leave-one-out retrieval
 * over the whole set). PyTorch (`bench/pytorch_evaluate.py`) embeds with the identical network
 * in eval mode and computes the same metrics with torch ops (`torch.cdist`, `topk`, sorting).
 * Inputs are random images with labels `i mod 10` (speed does not depend on what the images
 * show); both sides use 2 threads and embed one block to warm up before timing.
 *
 * Run: `deno run -A bench/evaluate_speed.ts [--n 10000] [--backend native|wasm] [--threads 2]
 * [--rounds 2]` (prints a markdown table; best round per row).
 *
 * @module
 */
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../lib/backend/mod.ts";
import { vgg } from "../lib/backbones/mod.ts";
import { embedding, l2Normalize, triplet } from "../lib/branches/mod.ts";
import { compile } from "../lib/compile/mod.ts";
import { tripletMargin } from "../lib/losses/mod.ts";
import { evaluate } from "../lib/metrics/mod.ts";
import { pipe } from "../lib/pipe.ts";

const args = parseArgs({
  args: Deno.args,
  options: {
    n: { type: "string", default: "10000" },
    backend: { type: "string", default: "native" },
    threads: { type: "string", default: "2" },
    rounds: { type: "string", default: "2" },
  },
});
const n = Number(args.values.n), threads = Number(args.values.threads);
const rounds = Number(args.values.rounds);

/** One side's timings in milliseconds. */
interface Timing {
  embed: number;
  metrics: number;
  total: number;
  note: string;
}

async function likeness(): Promise<Timing> {
  const backend = args.values.backend as "native" | "wasm";
  const info = await useBackend(backend, { threads });
  const program = compile({
    model: triplet(pipe(vgg({ dropout: 0 }), embedding(32), l2Normalize())),
    loss: tripletMargin({ margin: 1 }),
    inputShape: [28, 28, 1],
    seed: 1,
  });
  const images = tf.randomUniform([n, 28, 28, 1], 0, 1, "float32", 0);
  const labels = Int32Array.from({ length: n }, (_, i) => i % 10);
  // warm-up: one block (kernel set-up), as the PyTorch side does
  const first = tf.slice(images, [0, 0, 0, 0], [Math.min(500, n), 28, 28, 1]);
  tf.dispose([first, program.embed(first)]);
  const start = performance.now();
  const out = new Float32Array(n * 32);
  for (let s = 0; s < n; s += 500) {
    const block = tf.slice(images, [s, 0, 0, 0], [Math.min(500, n - s), 28, 28, 1]);
    const e = program.embed(block);
    out.set(await e.data() as Float32Array, s * 32);
    tf.dispose([block, e]);
  }
  const embedded = performance.now();
  const m = evaluate({ embeddings: out, labels, dim: 32 });
  const done = performance.now();
  if (!(m.retrieval.precisionAt1 >= 0)) throw new Error("evaluate gave no result");
  images.dispose();
  program.dispose();
  return {
    embed: embedded - start,
    metrics: done - embedded,
    total: done - start,
    note: `likeness ${info.name}, ${info.threads} threads`,
  };
}

async function pytorch(): Promise<Timing | string> {
  const dir = new URL(".", import.meta.url).pathname;
  try {
    const run = await new Deno.Command("/usr/bin/python3", {
      args: ["pytorch_evaluate.py", "--n", String(n), "--threads", String(threads)],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!run.success) return `pytorch failed: ${new TextDecoder().decode(run.stderr).slice(-300)}`;
    const r = JSON.parse(new TextDecoder().decode(run.stdout).trim().split("\n").pop()!);
    const metrics = r.verification_ms + r.identification_ms + r.retrieval_ms;
    return { embed: r.embed_ms, metrics, total: r.total_ms, note: `torch ${threads} threads` };
  } catch (error) {
    return `no /usr/bin/python3 with torch: ${(error as Error).message}`;
  }
}

const best = new Map<string, Timing>();
const keep = (name: string, t: Timing) => {
  const old = best.get(name);
  if (!old || t.total < old.total) best.set(name, t);
};
let missing = "";
for (let r = 0; r < rounds; r++) {
  keep("likeness", await likeness());
  const torch = await pytorch();
  if (typeof torch === "string") missing = torch;
  else keep("pytorch", torch);
}
const fmt = (ms: number) => (ms / 1000).toFixed(2);
console.log(`| side | embed ${n} s | every metric s | total s | images/s embedding | note |`);
console.log("|---|---|---|---|---|---|");
for (const [name, t] of best) {
  console.log(
    `| ${name} | ${fmt(t.embed)} | ${fmt(t.metrics)} | ${fmt(t.total)} | ${
      Math.round(n / (t.embed / 1000))
    } | ${t.note} |`,
  );
}
if (missing) console.log(`\nPyTorch row missing: ${missing}`);
const a = best.get("likeness"), b = best.get("pytorch");
if (a && b) {
  console.log(
    `\nlikeness / PyTorch: embed ${(b.embed / a.embed).toFixed(2)}× faster, metrics ${
      (b.metrics / a.metrics).toFixed(2)
    }×, total ${(b.total / a.total).toFixed(2)}×`,
  );
}
