/**
 * The Embedder value: made from a trained program, it embeds, evaluates with the distance it
 * was trained with (never silently another), and survives saveEmbedder → loadEmbedder with
 * its network, distance record, fingerprint and provenance; weights changed after it was
 * made, or on disk after saving, are refused.
 */
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { dense, empty, l2Normalize, labelled, siamese, triplet } from "../../lib/branches/mod.ts";
import { compile } from "../../lib/compile/mod.ts";
import { makeDataset } from "../../lib/data/make_dataset.ts";
import { cosine, distance, euclidean, manhattan } from "../../lib/distances/mod.ts";
import { embed, embedderOf, evaluate, loadEmbedder, saveEmbedder } from "../../lib/embedder/mod.ts";
import { fingerprintWeights } from "../../lib/gallery/mod.ts";
import { contrastive, pairBce, softmaxCrossEntropy, tripletMargin } from "../../lib/losses/mod.ts";
import * as metrics from "../../lib/metrics/mod.ts";
import { saveModel } from "../../lib/train/mod.ts";
import type { Stage } from "../../lib/types.ts";

await tf.setBackend("cpu");

/** 60 items of 4 values in 3 classes (class k near k · 80 per value), seeded. */
function toyData(seed = 1) {
  let s = seed;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const labels = Array.from({ length: 60 }, (_, i) => i % 3);
  const images = Uint8Array.from(
    labels.flatMap((k) => Array.from({ length: 4 }, () => Math.floor(k * 80 + next() * 60))),
  );
  return makeDataset({ images, labels, shape: [4], classNames: ["a", "b", "c"] });
}

const tripletProgram = () => {
  const model = triplet(l2Normalize()(dense(3)(dense(8)(empty))));
  return { model, program: compile({ model, loss: tripletMargin(), inputShape: [4], seed: 3 }) };
};

Deno.test("embedderOf: the loss's distance, normalisation read from the network, fingerprint, provenance with the model's stages", () => {
  const { model, program } = tripletProgram();
  try {
    const e = embedderOf(program, { model, seed: 3, history: { steps: 7 }, classNames: ["x"] });
    assert.equal(e.distance, euclidean);
    assert.equal(e.normalisation, "l2");
    assert.equal(e.network, program.embedder, "the program's network, not a copy");
    assert.deepEqual([e.inputShape, e.embeddingSize], [[4], 3]);
    const weights = program.embedder.getWeights().map((w) => w.dataSync() as Float32Array);
    assert.equal(e.fingerprint, fingerprintWeights(weights));
    assert.deepEqual(
      { ...e.provenance, spec: undefined },
      { kind: "triplet", loss: program.loss.name, seed: 3, steps: 7, spec: undefined },
    );
    const stages = (e.provenance.spec as { model: { branch: { stages: Stage[] } } }).model.branch
      .stages;
    assert.deepEqual(stages.map((s) => s.kind), ["dense", "dense", "l2Normalize"]);
    // An explicit distance wins over the loss's.
    assert.equal(embedderOf(program, { distance: cosine }).distance, cosine);
    assert.throws(
      () => embedderOf(program, { distance: "cosine" as never }),
      /Cannot make embedder as options.distance must be a Distance record.*"cosine"/,
    );
    assert.throws(
      () => embedderOf(program, { seed: Number.NaN }),
      /options.seed must be a finite number: current value is NaN/,
    );
  } finally {
    program.dispose();
  }
  // A classifier's loss has no distance: it must be named, not silently euclidean.
  const classifier = compile({
    model: labelled(dense(2)(empty)),
    loss: softmaxCrossEntropy({ classes: 3 }),
    inputShape: [4],
  });
  try {
    assert.throws(
      () => embedderOf(classifier),
      /loss softmax\S* compares no embeddings with a distance: pass options.distance/,
    );
    const e = embedderOf(classifier, { distance: manhattan });
    assert.equal(e.normalisation, "none");
    assert.equal(e.head, classifier.head);
  } finally {
    classifier.dispose();
  }
});

Deno.test("embed: the program's embeddings in chunks of any size, labels kept, no tensor left", async () => {
  const { model, program } = tripletProgram();
  const data = toyData();
  try {
    const e = embedderOf(program, { model });
    const x = tf.tensor(data.images, [data.size, 4]);
    const want = program.embed(x);
    const expected = Array.from(want.dataSync());
    tf.dispose([x, want]);
    const before = tf.memory().numTensors;
    for (const batchSize of [1, 7, 60, 500]) {
      const set = await embed(e, data, { batchSize });
      assert.equal(set.dim, 3);
      assert.equal(set.labels, data.labels);
      assert.ok(set.embeddings instanceof Float32Array);
      assert.deepEqual(Array.from(set.embeddings), expected, `batch size ${batchSize}`);
    }
    assert.equal(tf.memory().numTensors, before, "embed leaks no tensor");
    // Bad input names the argument and the value.
    await assert.rejects(
      () =>
        embed(
          e,
          makeDataset({
            images: new Uint8Array(6),
            labels: [0, 1],
            shape: [3],
            classNames: ["a", "b"],
          }),
        ),
      /dataset items have shape \[3\] but the embedder takes \[4\]/,
    );
    await assert.rejects(
      () => embed(e, data, { batchSize: 0 }),
      /options.batchSize must be a positive integer: current value is 0/,
    );
    await assert.rejects(() => embed(null as never, data), /embedder must be an Embedder/);
    assert.equal(tf.memory().numTensors, before, "errors leak no tensor");
  } finally {
    program.dispose();
  }
});

Deno.test("embed: a network that outputs NaN is an error naming the item, not NaN passed on", async () => {
  // log of a negative input: NaN for items with a negative value only
  const input = tf.input({ shape: [4] });
  const logLayer = new (class extends tf.layers.Layer {
    static className = "TestLog";
    override call(x: tf.Tensor | tf.Tensor[]) {
      return tf.log(Array.isArray(x) ? x[0] : x);
    }
  })({});
  const net = tf.model({ inputs: input, outputs: logLayer.apply(input) as tf.SymbolicTensor });
  const embedder = {
    network: net,
    inputShape: [4],
    embeddingSize: 4,
    normalisation: "none",
    distance: euclidean,
    fingerprint: "",
    provenance: { kind: null, loss: null, seed: null, steps: null, spec: null },
  };
  const data = {
    images: Float32Array.from([1, 1, 1, 1, 1, 1, 1, 1, 1, -1, 1, 1]),
    labels: Int32Array.from([0, 1, 0]),
    shape: [4],
    size: 3,
    classNames: ["a", "b"],
  };
  const before = tf.memory().numTensors;
  await assert.rejects(() => embed(embedder, data), /gives NaN for item 2 of the dataset/);
  assert.equal(tf.memory().numTensors, before);
  net.dispose();
});

Deno.test("evaluate: the numbers are metrics.evaluate's with the EMBEDDER's distance, and the AUC is the area under the returned ROC", async () => {
  const model = siamese(dense(3)(empty));
  const program = compile({ model, loss: contrastive({ distance: cosine }), inputShape: [4] });
  const data = toyData(5);
  try {
    const e = embedderOf(program, { model });
    assert.equal(e.distance, cosine, "the loss's distance");
    const evaluation = await evaluate(e, data, { seed: 4 });
    const set = await embed(e, data);
    const want = metrics.evaluate(set, { distance: cosine, seed: 4 });
    assert.deepEqual(
      {
        verification: evaluation.verification,
        identification: evaluation.identification,
        retrieval: evaluation.retrieval,
      },
      want,
    );
    // not the euclidean numbers (the thresholds are cosine distances)
    const other = metrics.evaluate(set, { seed: 4 });
    assert.notEqual(evaluation.verification.eerThreshold, other.verification.eerThreshold);
    assert.equal(metrics.auc(evaluation.curves.roc), evaluation.verification.auc);
    assert.equal(evaluation.curves.cmc.accuracy[0], evaluation.identification.rank1);
    const pairs = 60 * 59 / 2;
    assert.equal(evaluation.curves.roc.positives + evaluation.curves.roc.negatives, pairs);
    const counted = [
      ...evaluation.curves.histogram.same.counts,
      ...evaluation.curves.histogram
        .different.counts,
    ].reduce((a, b) => a + b, 0);
    assert.equal(counted, pairs, "the histogram holds the same pairs as the ROC");
    // neighbour lists: one per class (3), 8 each, with the evaluation's distance
    assert.equal(evaluation.curves.neighbours.length, 3);
    for (const { query, neighbours } of evaluation.curves.neighbours) {
      assert.equal(neighbours.length, 8);
      for (const n of neighbours) {
        const d = cosine.host.pair(
          set.embeddings.subarray(query * 3, query * 3 + 3),
          set.embeddings.subarray(n.index * 3, n.index * 3 + 3),
        );
        assert.ok(Math.abs(d - n.distance) < 1e-6);
        assert.equal(n.correct, data.labels[n.index] === data.labels[query]);
      }
    }
  } finally {
    program.dispose();
  }
});

Deno.test("saveEmbedder → loadEmbedder: same embeddings, distance record, fingerprint, provenance, threshold, head", async () => {
  const model = siamese(dense(3)(empty));
  const program = compile({ model, loss: pairBce({ hidden: [4] }), inputShape: [4], seed: 2 });
  const dir = `${await Deno.makeTempDir()}/model`;
  const data = toyData(2);
  try {
    const e = embedderOf(program, {
      model,
      distance: manhattan,
      seed: 2,
      history: { steps: 11 },
      classNames: data.classNames,
    });
    const metadata = await saveEmbedder(e, dir, { threshold: 0.5, extra: { run: "test" } });
    assert.equal(metadata.distance, "manhattan");
    assert.equal(metadata.extra.fingerprint, e.fingerprint);
    const loaded = await loadEmbedder(dir);
    try {
      assert.equal(loaded.distance, manhattan);
      assert.equal(loaded.fingerprint, e.fingerprint);
      assert.equal(loaded.threshold, 0.5);
      assert.deepEqual(loaded.classNames, data.classNames);
      assert.deepEqual(
        { ...loaded.provenance, spec: undefined },
        { ...e.provenance, spec: undefined },
      );
      assert.deepEqual(loaded.provenance.spec, JSON.parse(JSON.stringify(e.provenance.spec)));
      assert.equal(loaded.metadata.extra.run, "test");
      assert.ok(loaded.head !== undefined, "the pair head is saved and loaded");
      const [a, b] = [await embed(e, data), await embed(loaded, data)];
      assert.deepEqual(Array.from(b.embeddings), Array.from(a.embeddings));
    } finally {
      loaded.dispose();
    }
    // saveModel's guarantees hold: a second save must ask to overwrite.
    await assert.rejects(() => saveEmbedder(e, dir), /pass \{ overwrite: true \}/);
    await saveEmbedder(e, dir, { overwrite: true });
    // Weights changed after the embedder was made: refused, nothing written.
    const [kernel] = program.embedder.getWeights();
    program.embedder.layers[1].setWeights([
      tf.add(kernel, 1) as tf.Tensor,
      ...program.embedder.layers[1].getWeights().slice(1),
    ]);
    await assert.rejects(
      () => saveEmbedder(e, `${dir}-2`, {}),
      /weights changed after it was made.*make a new embedder with embedderOf/,
    );
    await assert.rejects(() => Deno.stat(`${dir}-2`), Deno.errors.NotFound);
  } finally {
    program.dispose();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("loadEmbedder: user distances must be passed with the recorded name; old name-only and distance-less models", async () => {
  const base = await Deno.makeTempDir();
  const network = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 2 })] });
  const chebyshev = distance({
    name: "chebyshev",
    rows: (a, b) => tf.max(tf.abs(tf.sub(a, b)), 1),
  });
  try {
    await saveModel({ embedder: network }, `${base}/user`, { distance: chebyshev });
    await assert.rejects(
      () => loadEmbedder(`${base}/user`),
      /records distance "chebyshev", which is not a built-in one: pass \{ distance \}/,
    );
    await assert.rejects(
      () => loadEmbedder(`${base}/user`, { distance: cosine }),
      /records distance "chebyshev" but options.distance is "cosine"/,
    );
    const user = await loadEmbedder(`${base}/user`, { distance: chebyshev });
    assert.equal(user.distance, chebyshev);
    user.dispose();
    // A model saved before distances were records (a plain name): the record comes back.
    await saveModel({ embedder: network }, `${base}/old`, { distance: "cosine", seed: 9 });
    const old = await loadEmbedder(`${base}/old`);
    assert.equal(old.distance, cosine);
    assert.equal(old.normalisation, "none", "read from the network when not recorded");
    assert.equal(old.provenance.seed, 9);
    old.dispose();
    // No distance recorded: the caller says which; never a silent default.
    await saveModel({ embedder: network }, `${base}/none`);
    await assert.rejects(() => loadEmbedder(`${base}/none`), /records no distance/);
    const none = await loadEmbedder(`${base}/none`, { distance: euclidean });
    assert.equal(none.distance, euclidean);
    none.dispose();
    const before = tf.memory().numTensors;
    await assert.rejects(() => loadEmbedder(`${base}/user`), /not a built-in one/);
    assert.equal(tf.memory().numTensors, before, "a refused load frees what it built");
  } finally {
    network.dispose();
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("loadEmbedder: weights changed on disk after saving (same size) are refused by the fingerprint", async () => {
  const { model, program } = tripletProgram();
  const dir = `${await Deno.makeTempDir()}/model`;
  try {
    await saveEmbedder(embedderOf(program, { model }), dir);
    const bytes = await Deno.readFile(`${dir}/weights.bin`);
    const view = new DataView(bytes.buffer);
    view.setFloat32(0, view.getFloat32(0, true) + 0.5, true); // still finite, same size
    await Deno.writeFile(`${dir}/weights.bin`, bytes);
    const before = tf.memory().numTensors;
    await assert.rejects(
      () => loadEmbedder(dir),
      /weights' fingerprint .* is not the .* recorded in .*metadata.json: weights.bin changed after it was saved/,
    );
    assert.equal(tf.memory().numTensors, before);
  } finally {
    program.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("embed: an image dataset streaming from disk embeds chunk by chunk, as its in-memory copy does", async () => {
  const { encode } = await import("@jsquash/png");
  const { imageDataset } = await import("../../lib/data/mod.ts");
  const dir = await Deno.makeTempDir();
  const network = tf.sequential({
    layers: [tf.layers.flatten({ inputShape: [2, 2, 1] }), tf.layers.dense({ units: 3 })],
  });
  try {
    const files: string[] = [];
    for (let i = 0; i < 5; i++) {
      const rgba = new Uint8ClampedArray(16).map((
        _,
        j,
      ) => (j % 4 === 3 ? 255 : (i * 50 + j) % 256));
      const png = await encode({ data: rgba, width: 2, height: 2 } as ImageData);
      files.push(`${dir}/${i}.png`);
      await Deno.writeFile(files[i], new Uint8Array(png));
    }
    const lazy = imageDataset({ files, labels: [0, 1, 0, 1, 0], classNames: ["a", "b"] }, {
      size: 2,
      channels: 1,
    });
    const embedder = {
      network,
      inputShape: [2, 2, 1],
      embeddingSize: 3,
      normalisation: "none",
      distance: euclidean,
      fingerprint: "",
      provenance: { kind: null, loss: null, seed: null, steps: null, spec: null },
    };
    const streamed = await embed(embedder, lazy, { batchSize: 2 });
    const inMemory = await embed(embedder, await lazy.materialize());
    assert.deepEqual(Array.from(streamed.embeddings), Array.from(inMemory.embeddings));
    assert.deepEqual(Array.from(streamed.labels), [0, 1, 0, 1, 0]);
  } finally {
    network.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});
