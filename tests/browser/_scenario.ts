// One small metric-learning run, written once and run twice by core_browser_test.ts: in Deno
// and, bundled, in headless Chromium. It uses only likeness's public entry (passed in as
// `lib` with its tfjs, so the bundle and Deno run the same code) and returns every number it produced.
import type * as likeness from "../../mod.ts";
import type * as tfjs from "@tensorflow/tfjs";

/** What a run produced: compared between Deno and the browser. */
export interface ScenarioResult {
  readonly backend: string;
  readonly losses: number[];
  readonly fitLosses: number[];
  readonly embeddings: number[];
  readonly fingerprint: string;
  readonly ranked: { identity: string; distance: number }[];
  readonly accepted: boolean;
  readonly auc: number;
  readonly numTensors: number;
}

/** Six classes of 4×4 one-channel images: a bright square at a class-specific place, plus a seeded jitter. */
function images(count: number, seed: number): { x: number[][]; labels: number[] } {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const x: number[][] = [], labels: number[] = [];
  for (let i = 0; i < count; i++) {
    const label = i % 6;
    const pixels = Array.from({ length: 16 }, () => next() * 0.3);
    const r = Math.floor(label / 3) * 2, c = label % 3;
    for (const [dr, dc] of [[0, 0], [0, 1], [1, 0], [1, 1]]) pixels[(r + dr) * 4 + c + dc] += 1;
    x.push(pixels);
    labels.push(label);
  }
  return { x, labels };
}

/** Trains a small conv net with the triplet loss, embeds, enrols and identifies. */
export async function scenario(lib: typeof likeness, tf: typeof tfjs): Promise<ScenarioResult> {
  const { backend, branches, compile, data, distances, gallery, losses, metrics, pipe, samplers } =
    lib;
  await backend.useBackend("cpu");
  const before = tf.memory().numTensors;
  const net = pipe(
    branches.empty,
    branches.conv2d(4, { kernelSize: 3, activation: "relu" }),
    branches.maxPool2d(2),
    branches.flatten(),
    branches.embedding(3),
  );
  const { x, labels } = images(48, 7);
  const dataset = data.makeDataset({
    images: Float32Array.from(x.flat().map((v) => Math.min(1, v))),
    labels,
    shape: [4, 4, 1],
    classNames: ["a", "b", "c", "d", "e", "f"],
  });
  const program = compile({
    model: branches.triplet(net),
    loss: losses.tripletMargin({ margin: 0.5 }),
    inputShape: [4, 4, 1],
    learningRate: 0.01,
    seed: 3,
  });
  const toBatches = data.tensorBatches(dataset);
  const lossList: number[] = [];
  const first = pipe(
    samplers.triplets(dataset),
    samplers.batch(8),
    samplers.take(3),
    samplers.seeded(5),
  );
  for (const batch of toBatches(first)) {
    const loss = program.trainStep(batch);
    lossList.push(loss.dataSync()[0]);
    loss.dispose();
  }
  // fit drives the same program over more batches (no files, no console)
  const more = pipe(
    samplers.triplets(dataset),
    samplers.batch(8),
    samplers.take(2),
    samplers.seeded(6),
  );
  const fitLosses: number[] = [];
  for await (const report of lib.train.fit(program, () => toBatches(more), { progress: "none" })) {
    fitLosses.push(report.loss);
  }
  const input = tf.tensor4d(dataset.images, [48, 4, 4, 1]);
  const embedded = program.embed(input);
  const flat = embedded.dataSync() as Float32Array;
  const rows = await embedded.array();
  embedded.dispose();
  input.dispose();
  const weights = program.embedder.getWeights().map((w) => w.dataSync() as Float32Array);
  const fingerprint = gallery.fingerprintWeights(weights);
  const g = gallery.openGallery(
    gallery.memoryStore({ dim: 3, fingerprint, distance: distances.euclidean }),
    { threshold: 1 },
  );
  for (let c = 0; c < 6; c++) {
    g.enrol(
      `class ${c}`,
      rows.filter((_, i) => labels[i] === c && i < 24),
    );
  }
  const ranked = g.identify(rows[31], 3).map((m) => ({
    identity: m.identity,
    distance: m.distance,
  }));
  const accepted = g.verify(`class ${labels[37]}`, rows[37]).accepted;
  const pairs = metrics.pairDistances({
    embeddings: flat,
    labels: Int32Array.from(labels),
    dim: 3,
  });
  const auc = metrics.auc(metrics.rocCurve(pairs.distances, pairs.same));
  g.close();
  program.dispose();
  return {
    backend: tf.getBackend(),
    losses: lossList,
    fitLosses,
    embeddings: [...flat],
    fingerprint,
    ranked,
    accepted,
    auc,
    numTensors: tf.memory().numTensors - before,
  };
}
