/**
 * Property tests of the Embedder on hostile input: for arbitrary datasets and batch sizes,
 * `embed` either returns exactly the network's rows with the dataset's labels or throws an
 * Error naming the argument, leaking no tensor; for arbitrary `distance`, `extra.fingerprint`
 * and `extra.steps` fields in metadata.json, `loadEmbedder` either gives back the recorded
 * distance's record and the weights' fingerprint or throws an Error naming the folder or the
 * option, leaking no tensor.
 */
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import fc from "fast-check";
import { embed, loadEmbedder, saveEmbedder } from "../../lib/embedder/mod.ts";
import { builtInDistance, cosine, euclidean } from "../../lib/distances/mod.ts";
import { fingerprintWeights } from "../../lib/gallery/mod.ts";

await tf.setBackend("cpu");

const NUM_RUNS = Number(Deno.env.get("LIKENESS_FUZZ_RUNS") ?? 60);

const network = tf.sequential({
  layers: [
    tf.layers.dense({
      inputShape: [3],
      units: 2,
      kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
    }),
  ],
});
const fingerprint = fingerprintWeights(
  network.getWeights().map((w) => w.dataSync() as Float32Array),
);
const embedder = {
  network,
  inputShape: [3],
  embeddingSize: 2,
  normalisation: "none",
  distance: euclidean,
  fingerprint,
  provenance: { kind: "pair", loss: "contrastive", seed: 1, steps: 4, spec: null },
};

Deno.test("fuzz: embed returns the network's rows or an error naming the argument", async () => {
  const before = tf.memory().numTensors;
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: 40 }),
      fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 3 }),
      fc.oneof(
        fc.constant(undefined),
        fc.integer({ min: -3, max: 50 }),
        fc.double(),
        fc.constantFrom(Number.NaN, Infinity, 1.5),
      ),
      fc.boolean(),
      async (size, shape, batchSize, labelsMatch) => {
        const per = shape.reduce((a, b) => a * b, 1);
        const images = Float32Array.from({ length: size * per }, (_, i) => (i % 7) / 7);
        const labels = Int32Array.from({ length: labelsMatch ? size : size + 1 }, (_, i) => i % 2);
        const dataset = { images, labels, shape, size, classNames: ["a", "b"] };
        let set;
        try {
          set = await embed(embedder, dataset, { batchSize });
        } catch (error) {
          assert.ok(error instanceof Error);
          assert.match(
            error.message,
            /^Cannot embed dataset as (dataset|options\.batchSize)/,
            error.message,
          );
          return;
        }
        assert.deepEqual(shape, [3]);
        const x = tf.tensor(images, [size, 3]);
        const y = network.predict(x) as tf.Tensor;
        assert.deepEqual(Array.from(set.embeddings), Array.from(y.dataSync()));
        tf.dispose([x, y]);
        assert.equal(set.labels, labels);
      },
    ),
    { numRuns: NUM_RUNS },
  );
  assert.equal(tf.memory().numTensors, before, "no tensor leaked");
});

Deno.test("fuzz: loadEmbedder restores the recorded distance and checks the fingerprint, or names what is wrong", async () => {
  const root = await Deno.makeTempDir({ prefix: "likeness-embedder-fuzz-" });
  try {
    const dir = `${root}/model`;
    await saveEmbedder(embedder, dir);
    const original = JSON.parse(await Deno.readTextFile(`${dir}/metadata.json`));
    const before = tf.memory().numTensors;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constant(undefined),
          fc.constantFrom("euclidean", "cosine", "manhattan", "dot", "chebyshev", "", null),
          fc.string(),
          fc.integer(),
        ),
        fc.oneof(fc.constant(fingerprint), fc.string(), fc.integer(), fc.constant(undefined)),
        fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null)),
        fc.boolean(),
        async (distance, print, steps, passCosine) => {
          const metadata = {
            ...original,
            distance,
            extra: { ...original.extra, fingerprint: print, steps },
          };
          await Deno.writeTextFile(`${dir}/metadata.json`, JSON.stringify(metadata));
          let loaded;
          try {
            loaded = await loadEmbedder(dir, passCosine ? { distance: cosine } : {});
          } catch (error) {
            assert.ok(error instanceof Error);
            assert.match(error.message, /^Cannot load (embedder|model)/, error.message);
            assert.ok(
              error.message.includes(dir) || error.message.includes("options.distance"),
              error.message,
            );
            return;
          }
          try {
            const name = distance ?? null;
            if (name === null) assert.equal(loaded.distance, cosine);
            else assert.equal(loaded.distance, builtInDistance(String(name)));
            assert.ok(!passCosine || loaded.distance === cosine);
            assert.equal(loaded.fingerprint, fingerprint);
            assert.ok(print === undefined || print === fingerprint);
            const s = loaded.provenance.steps;
            assert.ok(s === null || (typeof s === "number" && Number.isFinite(s)));
          } finally {
            loaded.dispose();
          }
        },
      ),
      { numRuns: NUM_RUNS },
    );
    assert.equal(tf.memory().numTensors, before, "no tensor leaked");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
