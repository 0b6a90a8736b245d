#!/usr/bin/env -S deno run --allow-read --allow-write=runs --allow-ffi
/**
 * The open-world study: train on Fashion-MNIST classes 0–4, enrol classes 5–9 from `--shots`
 * images each, identify and verify them (thresholds calibrated on classes 0–4), over `--seeds`
 * seeds, for seven metric-learning losses and the softmax classifier's penultimate layer.
 *
 *     deno run --allow-read --allow-write=runs --allow-ffi examples/open_world.ts
 *
 * Permissions: `--allow-read` (data), `--allow-write=runs` (the run folder; widen with `--out`),
 * `--allow-ffi` (the native backend; without it, wasm). `--quick`: the bundled sample only.
 *
 * Every configuration trains `pipe(vgg({ dropout: 0 }), embedding(32))` (+ `l2Normalize()`
 * for the metric-learning losses; the classifier's embedding is its raw 32-d bottleneck,
 * compared with euclidean distance) for `--steps` steps (default 938) of 3 × `--batch` images
 * (default 384: 128 random triplets, or P×K batches of 5 classes × ⌈384 / 5⌉ = 385 images),
 * Adam at `--lr` 1e-3. Loss settings are pytorch-metric-learning's defaults or the paper's.
 * Writes runs.json after every configuration × seed (`--resume` continues from it), then
 * open_world.md (table), .svg/.png (figure), .json. Seeds: `--seed` … `--seed + --seeds − 1`.
 *
 * @module
 */
import { pipe } from "../lib/pipe.ts";
import { useBackend } from "../lib/backend/mod.ts";
import { vgg } from "../lib/backbones/mod.ts";
import { embedding, l2Normalize, labelled, triplet } from "../lib/branches/mod.ts";
import { fashionMnist, filterClasses, stratifiedSplit } from "../lib/data/mod.ts";
import { euclidean } from "../lib/distances/mod.ts";
import * as L from "../lib/losses/mod.ts";
import { batchHard, mined, multiSimilarityMiner } from "../lib/miners/mod.ts";
import { fitRecipe, openWorldStudy } from "../lib/protocols/mod.ts";
import { writeOpenSet } from "../lib/report/open_set.ts";
import { batch, pk, triplets } from "../lib/samplers/mod.ts";
import type { Distance, Labelled, Loss } from "../lib/types.ts";
import { parseExampleArgs } from "./_common.ts";

const int = (fallback: number, min: number, help: string) => ({ fallback, min, help });
const args = parseExampleArgs({
  name: "open_world",
  summary: "train on classes 0–4, enrol 5–9: seven losses and a classifier, over seeds",
  permissions: "--allow-read --allow-write=runs --allow-ffi",
  defaults: { epochs: 1, batch: 128, embedding: 32, lr: 1e-3 },
  integers: {
    seeds: int(3, 2, "seeds per configuration"),
    shots: int(5, 1, "images enrolled per unseen class"),
    configs: int(8, 1, "run only the first N configurations"),
  },
  notes: ["--steps: steps per configuration and seed (default 938; 20 with --quick)."],
});
if (args) {
  const backend = (await useBackend(args.backend)).name, { out, signal, lr, quick } = args;
  const sample = quick ? await fashionMnist({ split: "sample" }) : undefined, seed = args.seed;
  const s = sample && stratifiedSplit(sample, { validationFraction: 0.4, seed });
  const train = s?.train ?? await fashionMnist({ split: "train" });
  const test = s?.validation ?? await fashionMnist({ split: "test" });
  const [seen, unseen] = [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]], seenTrain = filterClasses(train, seen);
  const steps = args.steps ?? (quick ? 20 : 938), k = Math.ceil((3 * args.batch) / seen.length);
  const body = () => pipe(vgg({ dropout: 0 }), embedding(args.embedding));
  const base = { train: seenTrain, steps, learningRate: lr, signal };
  const P = pk(seenTrain, { p: 5, k }), T = pipe(triplets(seenTrain), batch(args.batch));
  const l2 = () => pipe(body(), l2Normalize()), sce = L.softmaxCrossEntropy({ classes: 5 });
  const r = (name: string, loss: Loss<Labelled>, model = labelled(l2()), distance?: Distance) =>
    fitRecipe({ ...base, name, loss, sampler: P, distance, model });
  const random = { name: "triplet, random (m 1)", loss: L.tripletMargin(), model: triplet(l2()) };
  const configs = [
    r("softmax classifier (baseline)", sce, labelled(body()), euclidean),
    fitRecipe({ ...base, ...random, sampler: T }),
    r("triplet, batch-hard (m 0.2)", mined(batchHard(), L.tripletMargin({ margin: 0.2 }))),
    r("multi-similarity + miner", L.multiSimilarity({ miner: multiSimilarityMiner() })),
    r("ArcFace", L.arcFace({ classes: 5 })),
    r("ProxyAnchor (proxies lr ×100)", L.proxyAnchor({ classes: 5, learningRateMultiplier: 100 })),
    r("SupCon (τ 0.1)", L.supCon()),
    r("contrastive (pml: 0, 1)", L.pmlContrastiveLoss()),
  ].slice(0, args.integers.configs);
  const seeds = Array.from({ length: args.integers.seeds }, (_, i) => args.seed + i);
  await Deno.mkdir(out, { recursive: true });
  console.error(`open_world: ${configs.length} configs × seeds ${seeds} → ${out} (${backend})`);
  const study = await openWorldStudy({
    configs,
    seeds,
    shots: args.integers.shots,
    record: `${out}/runs.json`,
    resume: args.resume,
    seen: filterClasses(test, seen),
    unseen: { enrol: filterClasses(train, unseen), probes: filterClasses(test, unseen) },
    log: console.error,
  });
  const minutes = study.runs.reduce((t, r) => t + r.trainSeconds + r.evaluationSeconds, 0) / 60;
  const header =
    `${steps} steps × ${3 * args.batch} images (${args.batch} triplets, or P×K 5×${k}` +
    `), Adam ${lr}, seeds ${seeds.join(", ")}, ${args.integers.shots} shots, ${backend}, ` +
    `${minutes.toFixed(1)} min of training and evaluation`;
  const json = { header, backend, steps, batch: args.batch, k, seeds, ...study };
  const table = await writeOpenSet(out, study.summaries, { header, json });
  console.log(`open_world → ${out}\n${header}\n\n${table}`);
}
