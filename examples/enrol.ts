#!/usr/bin/env -S deno run --allow-read --allow-write=runs --allow-ffi
/**
 * The open world: enrol classes never seen in training into a gallery, without retraining.
 *
 *     deno run --allow-read --allow-write=runs --allow-ffi examples/enrol.ts
 *
 * Permissions: `--allow-read` (data, gallery), `--allow-write=runs` (the run folder with its
 * SQLite galleries; widen with `--out`), `--allow-ffi` (the native backend; without it, wasm).
 * `--quick` uses only the bundled sample.
 *
 * Five Fashion-MNIST classes (drawn with `--seed`) are seen: the lecture's network
 * `pipe(vgg({ dropout: 0 }), embedding(32))` is trained on them with the triplet margin loss
 * (L2-normalised) and, as the baseline, as a softmax classifier (its 32-d bottleneck compared
 * with euclidean distance). `--shots` images of each unseen class are enrolled into
 * `<out>/gallery.db` (bound to the saved model's weights), every other unseen image is
 * identified and verified, with thresholds calibrated on the seen classes:
 * `protocols.evaluateOpenSet`. One seed; examples/open_world.ts compares losses over seeds.
 *
 * @module
 */
import { pipe } from "../lib/pipe.ts";
import { useBackend } from "../lib/backend/mod.ts";
import { vgg } from "../lib/backbones/mod.ts";
import { embedding, l2Normalize, labelled, triplet } from "../lib/branches/mod.ts";
import * as data from "../lib/data/mod.ts";
import { euclidean } from "../lib/distances/mod.ts";
import { saveEmbedder } from "../lib/embedder/mod.ts";
import { removeGallery, sqliteStore } from "../lib/gallery/mod.ts";
import { softmaxCrossEntropy, tripletMargin } from "../lib/losses/mod.ts";
import { evaluateOpenSet, fitRecipe, pickShots, studyMetrics } from "../lib/protocols/mod.ts";
import { openSetColumns, openSetTable } from "../lib/report/open_set_table.ts";
import { batch, pk, triplets } from "../lib/samplers/mod.ts";
import { parseExampleArgs } from "./_common.ts";

const args = parseExampleArgs({
  name: "enrol",
  summary: "train on 5 Fashion-MNIST classes, enrol the 5 unseen ones from a few shots",
  permissions: "--allow-read --allow-write=runs --allow-ffi",
  defaults: { epochs: 1, batch: 32, embedding: 32, lr: 1e-3, quickEpochs: 8 },
  integers: { shots: { fallback: 5, min: 1, help: "images enrolled per unseen class" } },
  notes: ["A triplet step takes --batch triplets, a classifier step 2 × --batch images."],
});
if (args) {
  const backend = (await useBackend(args.backend)).name, { seed, out, quick } = args;
  const source = await data.fashionMnist({ split: quick ? "sample" : "train" });
  const split = data.classDisjointSplit(source, { unseenCount: 5, seed });
  const q = quick ? data.stratifiedSplit(split.seen, { validationFraction: 0.4, seed }) : undefined;
  const test = quick ? undefined : await data.fashionMnist({ split: "test" });
  const seenTrain = q?.train ?? split.seen,
    [seen, unseen] = [split.seenClasses, split.unseenClasses];
  const protocol = {
    seen: q?.validation ?? data.filterClasses(test!, seen),
    seed,
    shots: args.integers.shots,
    unseen: quick
      ? split.unseen
      : { enrol: split.unseen, probes: data.filterClasses(test!, unseen) },
    classNames: source.classNames,
    fars: [0.01, 0.001],
  };
  const what = `${quick ? "the bundled sample's" : "Fashion-MNIST's"} unseen classes (--shots)`;
  pickShots(split.unseen.labels, unseen, protocol.shots, seed, { leaveOne: quick, what }); // fail early
  const steps = args.steps ?? args.epochs * Math.ceil(seenTrain.size / args.batch);
  const labels = Int32Array.from(seenTrain.labels, (l) => seen.indexOf(l)); // 0…4: a 5-way head
  const train5 = { ...seenTrain, labels },
    body = () => pipe(vgg({ dropout: 0 }), embedding(args.embedding));
  const base = { steps, learningRate: args.lr, signal: args.signal };
  const configs = [
    fitRecipe({
      ...base,
      name: "triplet (L2, 32-d)",
      model: triplet(pipe(body(), l2Normalize())),
      loss: tripletMargin({ margin: 1 }),
      train: seenTrain,
      sampler: pipe(triplets(seenTrain), batch(args.batch)),
    }),
    fitRecipe({
      ...base,
      name: "classifier penultimate (32-d)",
      model: labelled(body()),
      loss: softmaxCrossEntropy({ classes: 5 }),
      distance: euclidean,
      train: train5,
      sampler: pk(train5, { p: 5, k: Math.ceil((2 * args.batch) / 5) }),
    }),
  ];
  const names = (cs: readonly number[]) => cs.map((c) => source.classNames[c]);
  const calibration = "thresholds chosen on the SEEN classes' held-out images, then applied";
  const m: Record<string, unknown> = { example: "enrol", backend, seed, shots: protocol.shots };
  Object.assign(m, {
    seenClasses: names(seen),
    unseenClasses: names(unseen),
    protocol: { calibration },
  });
  const rows = [];
  for (const [i, key] of ["triplet", "classifier"].entries()) {
    const config = configs[i], dir = i === 0 ? out : `${out}/${key}`;
    console.error(`enrol: training ${config.name}, ${steps} steps (${backend})…`);
    const { embedder, info, dispose } = await config.train(seed);
    const { embeddingSize: dim, fingerprint, distance } = embedder;
    await Deno.mkdir(dir, { recursive: true }), removeGallery(`${dir}/gallery.db`); // replaces its own only
    const store = sqliteStore(`${dir}/gallery.db`, { dim, fingerprint, distance });
    const r = await evaluateOpenSet(embedder, { ...protocol, store }).finally(() => store.close());
    const { identification, verification, claims } = r,
      extra = { example: "enrol", gallery: "../gallery.db" };
    const threshold = verification.seenCalibrated["0.01"].threshold;
    await saveEmbedder(embedder, `${dir}/model`, { overwrite: true, threshold, extra });
    m[key] = { ...info, fingerprint, identification, verification, claims };
    rows.push({ config: config.name, metrics: studyMetrics(r, [0.01]) }), dispose?.();
  }
  await Deno.writeTextFile(`${out}/metrics.json.tmp`, JSON.stringify(m, null, 2) + "\n");
  await Deno.rename(`${out}/metrics.json.tmp`, `${out}/metrics.json`);
  const table = openSetTable(rows, { metrics: openSetColumns(0.01), first: "embedding" });
  console.log(`enrol → ${out}\nseen: ${names(seen)}; unseen: ${names(unseen)}\n\n${table}`);
}
