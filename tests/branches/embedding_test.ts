import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { pipe } from "../../lib/pipe.ts";
import { dense, embedding, empty, l2Normalize, siamese } from "../../lib/branches/mod.ts";
import { compile } from "../../lib/compile/mod.ts";
import { contrastive } from "../../lib/losses/mod.ts";

await tf.setBackend("cpu");

Deno.test("embedding: a linear dense stage marked as the embedding; options reach the stage", () => {
  assert.deepEqual(embedding(32)(empty).stages, [
    { kind: "dense", units: 32, activation: "linear", useBias: true, role: "embedding" },
  ]);
  assert.deepEqual(embedding(3, { useBias: false })(empty).stages[0], {
    kind: "dense",
    units: 3,
    activation: "linear",
    useBias: false,
    role: "embedding",
  });
  // a plain dense stage is not the embedding
  assert.equal(
    dense(32)(empty).stages[0].kind === "dense" && "role" in dense(32)(empty).stages[0],
    false,
  );
  // appends, leaves the input branch as it was, and is plain data
  const features = dense(4, { activation: "relu" })(empty);
  const net = pipe(features, embedding(2), l2Normalize());
  assert.equal(features.stages.length, 1);
  assert.deepEqual(net.stages.map((s) => s.kind), ["dense", "dense", "l2Normalize"]);
  assert.deepEqual(JSON.parse(JSON.stringify(net)), net);
});

Deno.test("embedding: compiles to one linear layer, features · W + b, of `size` outputs", () => {
  const program = compile({
    model: siamese(pipe(empty, embedding(3))),
    loss: contrastive(),
    inputShape: [2],
    seed: 4,
  });
  assert.equal(program.embeddingSize, 3);
  assert.equal(program.embedder.countParams(), 2 * 3 + 3);
  const [kernel, bias] = program.embedder.layers.at(-1)!.getWeights().map((w) =>
    Array.from(w.dataSync())
  );
  const x = tf.tensor2d([[1, -2], [0.5, 3]]);
  const y = program.embed(x);
  const got = Array.from(y.dataSync());
  const rows = [[1, -2], [0.5, 3]];
  const want = rows.flatMap((r) =>
    [0, 1, 2].map((j) => r[0] * kernel[j] + r[1] * kernel[3 + j] + bias[j])
  );
  got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-5, `${got} vs ${want}`));
  tf.dispose([x, y]);
  program.dispose();

  const noBias = compile({
    model: siamese(pipe(empty, embedding(3, { useBias: false }))),
    loss: contrastive(),
    inputShape: [2],
  });
  assert.equal(noBias.embedder.countParams(), 6);
  noBias.dispose();
});

Deno.test("embedding: a bad size or useBias is an error naming the argument and the value", () => {
  for (const size of [0, -1, 2.5, NaN, Infinity]) {
    assert.throws(
      () => embedding(size),
      new RegExp(
        `^Error: Cannot create embedding stage as size must be a positive integer: current value is ${size}$`,
      ),
    );
  }
  assert.throws(
    () => embedding(4, { useBias: "yes" as unknown as boolean }),
    /Cannot create embedding stage as useBias must be true or false: current value is yes/,
  );
});
