/**
 * Training throughput of what a user runs, end to end: `compile` + `train.fit` over seeded
 * triplet batches sampled from Fashion-MNIST's 60,000 training images and turned into tensors
 * by `data.tensorBatches` — the program and data path of `examples/triplet.ts` (the lecture's
 * network `pipe(vgg({ dropout: 0 }), embedding(32), l2Normalize())`, 429,176 weights, triplet
 * margin 1, Adam 1e-3) — beside the same loop written in PyTorch (`bench/pytorch_fit.py`:
 * sampling, gathering, the step, the loss read back) in the same run.
 *
 * Images/s (3 per triplet) over `--steps` timed steps after `--warmup` untimed ones; every
 * step's loss is read back by `fit` (its NaN guard), as PyTorch's `float(loss)`.
 *
 * Run: `deno run -A bench/fit_throughput.ts [--backend native] [--triplets 32,128] [--steps 60]
 * [--warmup 5] [--threads 2] [--no-pytorch]`
 *
 * @module
 */
import { parseArgs } from "node:util";
import { pipe } from "../lib/pipe.ts";
import { useBackend } from "../lib/backend/mod.ts";
import { vgg } from "../lib/backbones/mod.ts";
import { embedding, l2Normalize, triplet } from "../lib/branches/mod.ts";
import { compile } from "../lib/compile/mod.ts";
import { fashionMnist, tensorBatches } from "../lib/data/mod.ts";
import { tripletMargin } from "../lib/losses/mod.ts";
import { batch, repeat, seeded, triplets } from "../lib/samplers/mod.ts";
import { fit } from "../lib/train/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    backend: { type: "string", default: "native" },
    triplets: { type: "string", default: "32,128" },
    steps: { type: "string", default: "60" },
    warmup: { type: "string", default: "5" },
    threads: { type: "string", default: "2" },
    "no-pytorch": { type: "boolean", default: false },
  },
});
const steps = Number(values.steps), warmup = Number(values.warmup);
const threads = Number(values.threads);
const sizes = values.triplets.split(",").map(Number);
for (const [name, v] of [["steps", steps], ["warmup", warmup], ["threads", threads]] as const) {
  if (!Number.isInteger(v) || v < (name === "warmup" ? 0 : 1)) {
    throw new RangeError(`--${name} must be a positive integer: current value is ${v}`);
  }
}
const backend = (await useBackend(values.backend as "native", { threads })).name;
const train = await fashionMnist({ split: "train", download: false });

const rows: string[] = [];
for (const n of sizes) {
  const model = triplet(pipe(vgg({ dropout: 0 }), embedding(32), l2Normalize()));
  const program = compile({
    model,
    loss: tripletMargin({ margin: 1 }),
    inputShape: train.shape,
    learningRate: 1e-3,
    seed: 1,
  });
  const batches = tensorBatches(train)(pipe(triplets(train), batch(n), repeat(), seeded(1)));
  let start = 0;
  let last = 0;
  for await (const report of fit(program, batches, { steps: warmup + steps, progress: "none" })) {
    if (report.step === warmup) start = performance.now();
    last = performance.now();
  }
  if (warmup === 0) throw new RangeError("--warmup 0 leaves no start mark; use ≥ 1");
  const seconds = (last - start) / 1000;
  const ips = (3 * n * steps) / seconds;
  program.dispose();
  rows.push(`likeness ${backend} compile + fit | ${n} | ${ips.toFixed(0)}`);
  console.log(JSON.stringify({ who: `likeness-${backend}`, batch: n, images_per_s: ips, seconds }));
}
if (!values["no-pytorch"]) {
  const out = await new Deno.Command("/usr/bin/python3", {
    args: [
      "bench/pytorch_fit.py",
      "--threads",
      String(threads),
      "--batches",
      sizes.join(","),
      "--steps",
      String(steps),
      "--warmup",
      String(warmup),
    ],
    env: { PYTHONPATH: "bench" },
    stderr: "inherit",
  }).output();
  for (const line of new TextDecoder().decode(out.stdout).trim().split("\n")) {
    if (!line) continue;
    const r = JSON.parse(line);
    rows.push(`PyTorch CPU, same loop | ${r.batch} | ${r.images_per_s.toFixed(0)}`);
    console.log(JSON.stringify({ who: "pytorch-cpu", ...r }));
  }
}
console.log(
  `\n| what | triplets | images/s |\n| --- | --: | --: |\n${
    rows.map((r) => `| ${r} |`).join("\n")
  }`,
);
