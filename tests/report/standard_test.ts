/**
 * report.standard draws what evaluate computed, with nothing recomputed: the ROC figure is the
 * evaluation's own curve (so its AUC caption is the area under the drawn curve), metrics.json
 * carries the evaluation's numbers and the training history's figures, and a figure that
 * cannot be drawn is listed, not fatal.
 */
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { makeDataset } from "../../lib/data/make_dataset.ts";
import { cosine } from "../../lib/distances/mod.ts";
import { evaluate } from "../../lib/embedder/mod.ts";
import { auc } from "../../lib/metrics/mod.ts";
import { type PlotSpec, standard } from "../../lib/report/mod.ts";

await tf.setBackend("cpu");

/** 90 two-value items of 3 overlapping classes, embedded by the identity. */
async function evaluated(seed = 1) {
  let s = seed;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const labels = Array.from({ length: 90 }, (_, i) => i % 3);
  const images = Uint8Array.from(
    labels.flatMap((k) => [Math.floor(60 * k + next() * 120), Math.floor(next() * 255)]),
  );
  const test = makeDataset({ images, labels, shape: [2], classNames: ["a", "b", "c"] });
  const network = tf.sequential({
    layers: [tf.layers.dense({
      inputShape: [2],
      units: 2,
      useBias: false,
      weights: [tf.tensor2d([[1, 0], [0, 1]])],
    })],
  });
  const embedder = {
    network,
    inputShape: [2],
    embeddingSize: 2,
    normalisation: "none",
    distance: cosine,
    fingerprint: "f",
    provenance: { kind: "pair", loss: "contrastive", seed, steps: 3, spec: null },
  };
  const evaluation = await evaluate(embedder, test, { seed });
  network.dispose();
  return evaluation;
}

const history = {
  loss: [0.9, 0.7, 0.6],
  epochLoss: [],
  steps: 3,
  images: 96,
  imagesPerSecond: 48,
  elapsedMs: 2000,
  stopReason: "steps" as const,
};

Deno.test("standard: the ROC drawn is the evaluation's curve and the caption its AUC; metrics.json holds evaluate's numbers", async () => {
  const e = await evaluated();
  const run = standard(e, history, {
    name: "t",
    backend: "cpu",
    batch: 32,
    stepsPerEpoch: 2,
    trainImages: 64,
    map: "pca",
  });
  const roc = run.content.figures?.find((f) => f.title === "ROC");
  assert.ok(roc?.spec, "a ROC figure");
  const drawn = (roc.spec as PlotSpec & { data: { values: { far: number; tar: number }[] } })
    .data.values.map(({ far, tar }) => ({ far, tar }));
  // every drawn point is a point of the evaluation's ROC, first and last included
  const points = new Set(e.curves.roc.far.map((far, i) => `${far},${e.curves.roc.tar[i]}`));
  assert.ok(drawn.every((p) => points.has(`${p.far},${p.tar}`)));
  assert.deepEqual(drawn[0], { far: e.curves.roc.far[0], tar: e.curves.roc.tar[0] });
  assert.deepEqual(drawn.at(-1), { far: e.curves.roc.far.at(-1), tar: e.curves.roc.tar.at(-1) });
  assert.equal(roc.caption, `AUC ${auc(e.curves.roc).toFixed(4)}`);
  assert.equal(e.verification.auc, auc(e.curves.roc));
  const cmc = run.content.figures?.find((f) => f.title === "CMC");
  const cmcValues = (cmc?.spec as PlotSpec & { data: { values: { rate: number }[] } }).data
    .values.map((v) => v.rate);
  assert.deepEqual(cmcValues, e.curves.cmc.accuracy);

  const m = run.metrics as Record<string, unknown> & {
    verification: Record<string, unknown>;
    identification: Record<string, unknown>;
  };
  assert.equal(m.example, "t");
  assert.equal(m.epochs, 1.5);
  assert.equal(m.steps, 3);
  assert.equal(m.trainSeconds, 2);
  assert.equal(m.finalLoss, 0.6);
  assert.equal(m.distance, "cosine");
  assert.equal(m.loss, "contrastive");
  assert.equal(m.verification.auc, e.verification.auc);
  assert.equal(m.verification.threshold, e.verification.eerThreshold);
  assert.equal(m.verification.bestAccuracyThreshold, e.verification.threshold);
  assert.equal(m.identification.rank5, e.identification.rank5);
  assert.match(run.summary, /P@1 \d\.\d{4}/);

  const dir = await Deno.makeTempDir();
  try {
    const path = await run.write(dir);
    assert.equal(path, `${dir}/report.html`);
    assert.deepEqual(
      JSON.parse(await Deno.readTextFile(`${dir}/metrics.json`)),
      JSON.parse(JSON.stringify(run.metrics)),
    );
    const html = await Deno.readTextFile(path);
    assert.ok(html.includes(`AUC ${e.verification.auc.toFixed(4)}`));
    assert.ok(html.includes('href="metrics.json"'));
    assert.ok(!html.includes("model/model.json"), "no link to a model that is not there");
    const names = [];
    for await (const f of Deno.readDir(dir)) names.push(f.name);
    assert.deepEqual(names.sort(), ["figures", "metrics.json", "report.html"], "no temp files");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("standard: a figure that cannot be drawn is listed in skipped and the report is still written", async () => {
  const e = await evaluated(2);
  // a ranking gallery needs the images in memory: an image dataset streaming from disk has none
  const lazy = {
    ...e,
    dataset: {
      ...e.dataset,
      get images(): Float32Array {
        throw new Error("streams from disk");
      },
    },
  };
  const run = standard(lazy, undefined, { map: "none" });
  assert.deepEqual(run.skipped.map((s) => s.title), ["Nearest neighbours of a few test images"]);
  assert.match(run.skipped[0].reason, /streams from disk/);
  assert.deepEqual(run.content.figures?.map((f) => f.title), [
    "Matched and mismatched distances",
    "ROC",
    "CMC",
  ]);
  assert.match(String(run.content.info?.["figures left out"]), /Nearest neighbours/);
  assert.equal(run.metrics.steps, undefined, "no history, no training fields");
  assert.throws(
    () => standard({} as never),
    /evaluation must be what evaluate\(embedder, dataset\) returned/,
  );
});
