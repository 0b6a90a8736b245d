#!/usr/bin/env -S deno run --allow-read --allow-write=runs
/**
 * A Siamese network with binary cross-entropy, the lecture's first comparison network:
 *
 *     deno run --allow-read --allow-write=runs examples/siamese_bce.ts
 *
 * Permissions: `--allow-read` and `--allow-write=runs` (widen it with `--out`); the optional
 * ones are in examples/triplet.ts. `--quick` uses only the bundled sample.
 *
 * Random pairs, half same-class; the lecture's `pipe(vgg(), embedding(32))` embeds both; a dense
 * head on the two embeddings says "same" (sigmoid), trained with binary cross-entropy. Reports
 * the head's P(same) on 400 test pairs; evaluates the embedding with `distances.euclidean`.
 *
 * @module
 */
import { pipe } from "../lib/pipe.ts";
import { useBackend } from "../lib/backend/mod.ts";
import { vgg } from "../lib/backbones/mod.ts";
import { embedding, siamese } from "../lib/branches/mod.ts";
import { compile } from "../lib/compile/mod.ts";
import { disposeTensors, fashionMnistOrSample, tensorBatches, toTensors } from "../lib/data/mod.ts";
import { euclidean } from "../lib/distances/mod.ts";
import { embedderOf, evaluate, saveEmbedder } from "../lib/embedder/mod.ts";
import { pairBce } from "../lib/losses/mod.ts";
import { auc, rocCurve } from "../lib/metrics/mod.ts";
import { pairGallery, standard } from "../lib/report/mod.ts";
import { batch, pairs, repeat, seeded, take } from "../lib/samplers/mod.ts";
import { fitToEnd } from "../lib/train/mod.ts";
import { fitOptions, parseExampleArgs, reportOptions } from "./_common.ts";

const args = parseExampleArgs({
  name: "siamese_bce",
  summary: "Siamese pairs → concatenated embeddings → dense → sigmoid, binary cross-entropy",
  permissions: "--allow-read --allow-write=runs",
  defaults: { epochs: 1, batch: 32, embedding: 32, lr: 1e-3 },
});
if (args) {
  const backend = (await useBackend(args.backend)).name;
  const data = await fashionMnistOrSample({ sample: args.quick, seed: args.seed });
  const { train, test, description } = data;
  const model = siamese(pipe(vgg({ dropout: 0 }), embedding(args.embedding)));
  const loss = pairBce({ hidden: [64] });
  const { lr: learningRate, seed } = args;
  const program = compile({ model, loss, inputShape: train.shape, learningRate, seed });
  console.error(`siamese_bce: ${description.train} → ${args.out} (backend ${backend})`);
  const half = { positiveFraction: 0.5 };
  const sampler = pipe(pairs(train, half), batch(args.batch), repeat(), seeded(seed));
  const history = await fitToEnd(program, tensorBatches(train)(sampler), fitOptions(args, data));
  // The head's P(same) on 400 test pairs, about half of them same-class (seeded).
  const chosen = [...seeded(seed)(pipe(pairs(test, half), take(400)))];
  const inputs = toTensors(test)(chosen), scored = program.scorePairs(inputs.left, inputs.right);
  const scores = Array.from(await scored.data()), same = chosen.map((p) => p.same);
  scored.dispose(), disposeTensors(inputs);
  const correct = scores.filter((p, i) => (p >= 0.5) === same[i]).length;
  const headAuc = auc(rocCurve(scores.map((p) => 1 - p), same)); // rocCurve takes distances
  const shown = chosen.slice(0, 16)
    .map((p, i) => ({ ...p, score: scores[i], predictedSame: scores[i] >= 0.5 }));
  // The 32-d embedding, compared with euclidean distances.
  const classNames = train.classNames, distance = euclidean;
  const embedder = embedderOf(program, { model, distance, seed, history, classNames });
  const evaluation = await evaluate(embedder, test, { seed });
  const threshold = evaluation.verification.eerThreshold, extra = { example: "siamese_bce" };
  await saveEmbedder(embedder, `${args.out}/model`, { overwrite: true, threshold, extra });
  const accuracyAtHalf = correct / scores.length;
  const svg = pairGallery(test, shown, { scoreName: "P(same)" });
  const caption = `P(same) ≥ 0.5 is right on ${correct} of ${scores.length} test pairs.`;
  const run = standard(evaluation, history, {
    ...reportOptions(args, backend, data),
    extra: { pairPredictions: { pairs: scores.length, accuracyAtHalf, auc: headAuc } },
    figures: [{ title: "Pair predictions of the head", svg, caption }],
  });
  await run.write(args.out);
  const head = `accuracy at P(same) ≥ 0.5 ${accuracyAtHalf.toFixed(4)}, AUC ${headAuc.toFixed(4)}`;
  console.log(`siamese_bce → ${args.out}\n${run.summary}\n  head: ${head}`);
  program.dispose();
}
