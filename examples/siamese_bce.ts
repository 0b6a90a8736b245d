#!/usr/bin/env -S deno run --allow-read --allow-write=runs
/**
 * A Siamese network with binary cross-entropy, the lecture's first comparison network:
 *
 *     deno run --allow-read --allow-write=runs examples/siamese_bce.ts
 *
 * Permissions (the narrowest that work): `--allow-read` (the data, the bundled sample, the
 * wasm binaries) and `--allow-write=runs` (the default run folder; widen it with `--out`).
 * Optional: `--allow-ffi` to train on the `native` backend (oneDNN + OpenBLAS, about 3× wasm)
 * when `libdnnl2` and `libopenblas0` are installed; `--allow-env` to honour
 * LIKENESS_DATA, LIKENESS_BACKEND and the user cache folder when looking for Fashion-MNIST;
 * `--allow-net` to download it when no local copy exists (the Debian package
 * `dataset-fashion-mnist` is found without either). `--quick` uses only the
 * bundled sample.
 *
 * Random pairs, 50% of the same class; one shared branch, the lecture's network
 * `pipe(vgg(), embedding(32))`, embeds both images; the two 32-d embeddings are concatenated
 * and a small dense head with a sigmoid says "same" (1) or "different" (0), trained with
 * binary cross-entropy. The run shows the head's pair predictions and also evaluates the
 * 32-d embedding itself with distances.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { pipe } from "../lib/pipe.ts";
import { vgg } from "../lib/backbones/mod.ts";
import { embedding, siamese } from "../lib/branches/mod.ts";
import { compile } from "../lib/compile/mod.ts";
import { pairBce } from "../lib/losses/mod.ts";
import * as metrics from "../lib/metrics/mod.ts";
import { pairGallery } from "../lib/report/mod.ts";
import { batch, pairs } from "../lib/samplers/mod.ts";
import {
  evaluateEmbedding,
  loadExampleData,
  parseExampleArgs,
  somePairs,
  startBackend,
  summary,
  trainExample,
  writeRun,
} from "./_common.ts";

const args = parseExampleArgs({
  name: "siamese_bce",
  summary: "Siamese pairs → concatenated embeddings → dense → sigmoid, binary cross-entropy",
  permissions: "--allow-read --allow-write=runs",
  defaults: { epochs: 1, batch: 32, embedding: 32, lr: 1e-3 },
});
if (args) {
  const backend = await startBackend(args);
  const data = await loadExampleData(args);
  const model = siamese(pipe(vgg({ dropout: 0 }), embedding(args.embedding)));
  const loss = pairBce({ hidden: [64] });
  const program = compile({
    model,
    loss,
    inputShape: data.train.shape,
    learningRate: args.lr,
    seed: args.seed,
  });
  console.error(`siamese_bce: ${data.description.train} → ${args.out} (backend ${backend})`);
  const sampler = pipe(pairs(data.train, { positiveFraction: 0.5 }), batch(args.batch));
  const trained = await trainExample(program, sampler, data, args);
  const evaluated = evaluateEmbedding((x) => program.embed(x), data.test, args.seed);

  // The head's predictions on balanced test pairs: P(same) for each.
  const test = data.test;
  const chosen = somePairs(test, 400, args.seed);
  const per = test.shape.reduce((a, b) => a * b, 1);
  const gather = (ix: number[]) => {
    const out = new Float32Array(ix.length * per);
    ix.forEach((i, j) => out.set(test.images.subarray(i * per, (i + 1) * per), j * per));
    return tf.tensor(out, [ix.length, ...test.shape]);
  };
  const left = gather(chosen.left);
  const right = gather(chosen.right);
  const scoresTensor = program.scorePairs(left, right);
  const scores = Array.from(scoresTensor.dataSync());
  tf.dispose([left, right, scoresTensor]);
  const correct = scores.filter((p, i) => (p >= 0.5) === chosen.same[i]).length;
  // rocCurve takes distances (smaller = same): use 1 − P(same).
  const headAuc = metrics.auc(metrics.rocCurve(scores.map((p) => 1 - p), chosen.same));
  const shown = scores.slice(0, 16).map((score, i) => ({
    left: chosen.left[i],
    right: chosen.right[i],
    score,
    same: chosen.same[i],
    predictedSame: score >= 0.5,
  }));
  const m = await writeRun({
    name: "siamese_bce",
    args,
    backend,
    program,
    data,
    trained,
    evaluated,
    normalisation: "none",
    // The saved metadata describes the network and the loss's pair head by their values.
    spec: { model, loss: { name: loss.name, head: loss.head ?? null } },
    extra: {
      pairPredictions: {
        pairs: scores.length,
        accuracyAtHalf: correct / scores.length,
        auc: headAuc,
      },
    },
    figures: [{
      title: "Pair predictions of the head",
      svg: pairGallery(test, shown, { scoreName: "P(same)" }),
      caption: `P(same) ≥ 0.5 is right on ${correct} of ${scores.length} balanced test pairs.`,
    }],
  });
  console.log(`siamese_bce → ${args.out}\n${summary(m)}`);
  console.log(
    `  head: accuracy at P(same) ≥ 0.5 ${(correct / scores.length).toFixed(4)}, AUC ${
      headAuc.toFixed(4)
    }`,
  );
  for (const p of shown.slice(0, 6)) {
    console.log(
      `    ${test.classNames[test.labels[p.left]]} vs ${
        test.classNames[test.labels[p.right]]
      }: P(same) ${p.score.toFixed(3)}`,
    );
  }
  program.dispose();
}
