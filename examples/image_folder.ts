#!/usr/bin/env -S deno run --allow-read --allow-write=runs
/**
 * Metric learning on your own images: a folder with one sub-folder of JPEG/PNG files per class
 *
 *     deno run --allow-read --allow-write=runs examples/image_folder.ts --data photos/
 *
 * Permissions (the narrowest that work): `--allow-read` (the images, the codecs, the wasm
 * binaries) and `--allow-write=runs` (the run folder; widen it with `--out`). Optional:
 * `--allow-ffi` for the `native` backend.
 *
 * Images are resized to `--size` px RGB and streamed from disk (decoded by a worker while the
 * step runs, randomly flipped); 30% of each class is held out (stratified, seeded), evaluated
 * in memory. A small ResNet, `pipe(resnet(), embedding(32), l2Normalize())`, learns
 * from triplets with the triplet margin loss. A corrupt or non-image file, an empty class or
 * a single class ends the run with exit code 1 and a message naming it.
 *
 * @module
 */
import { pipe } from "../lib/pipe.ts";
import { useBackend } from "../lib/backend/mod.ts";
import { resnet } from "../lib/backbones/mod.ts";
import { embedding, l2Normalize, triplet } from "../lib/branches/mod.ts";
import { compile } from "../lib/compile/mod.ts";
import * as data from "../lib/data/mod.ts";
import { embedderOf, evaluate, saveEmbedder } from "../lib/embedder/mod.ts";
import { tripletMargin } from "../lib/losses/mod.ts";
import { standard } from "../lib/report/mod.ts";
import { batch, repeat, seeded, triplets } from "../lib/samplers/mod.ts";
import { fitToEnd } from "../lib/train/mod.ts";
import { fitOptions, parseExampleArgs, reportOptions } from "./_common.ts";

// --data DIR is this example's own option; the rest are the examples' common ones.
const at = Deno.args.indexOf("--data"), dir = at < 0 ? undefined : Deno.args[at + 1];
const rest = Deno.args.filter((_, i) => at < 0 || (i !== at && i !== at + 1));
const args = parseExampleArgs({
  name: "image_folder",
  summary: "a small ResNet trained with triplets on a folder of images, one sub-folder per class",
  permissions: "--allow-read --allow-write=runs",
  defaults: { epochs: 5, batch: 32, embedding: 32, lr: 1e-3 },
  integers: { size: { fallback: 64, min: 8, help: "images are resized to N × N RGB" } },
  notes: ["  --data DIR            the image folder (required): DIR/<class>/<image>.jpg|.png"],
}, rest);
if (args && dir === undefined) throw new Error("Cannot run image_folder as --data DIR is missing");
if (args && dir !== undefined) {
  const backend = (await useBackend(args.backend)).name, { seed } = args, size = args.integers.size;
  // a corrupt or non-image file or an empty class: its message and exit code 1 (_common.ts)
  const folder = await data.imageFolder(dir, { size, channels: 3, workers: 1 });
  const split = data.stratifiedSplit(folder, { validationFraction: 0.3, seed });
  const train = split.train, test = await (split.validation as data.ImageDataset).materialize();
  const what = `${dir}: ${folder.size} images, ${folder.classNames.length} classes, ${size} px`;
  const description = { train: `${what}; ${train.size} to train`, test: `${test.size} held out` };
  const backbone = resnet({ stemStride: size >= 128 ? 4 : size >= 48 ? 2 : 1 });
  const model = triplet(pipe(backbone, embedding(args.embedding), l2Normalize()));
  const margin = 1, loss = tripletMargin({ margin }), learningRate = args.lr;
  const program = compile({ model, loss, inputShape: [size, size, 3], learningRate, seed });
  console.error(`image_folder: ${what} → ${args.out} (backend ${backend})`);
  const batches = pipe(triplets(train), batch(args.batch), repeat(), seeded(seed));
  const stream = data.imageBatches(train, { augment: data.augment.flip(), seed })(batches);
  const history = await fitToEnd(program, stream, fitOptions(args, { train }));

  const classNames = folder.classNames;
  const embedder = embedderOf(program, { model, loss: { margin }, seed, history, classNames });
  const evaluation = await evaluate(embedder, test, { seed });
  const threshold = evaluation.verification.eerThreshold, extra = { example: "image_folder" };
  await saveEmbedder(embedder, `${args.out}/model`, { overwrite: true, threshold, extra });
  const options = reportOptions(args, backend, { train, description });
  const run = standard(evaluation, history, options);
  await run.write(args.out);
  console.log(`image_folder → ${args.out}\n${run.summary}`);
  program.dispose();
}
