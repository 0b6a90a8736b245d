/**
 * A tfjs graph model as a frozen feature extractor: fromGraphModel loads one saved in a folder
 * (a hand-written GraphDef: y = relu(x · w)), the program trains only the layers piped after
 * it, the graph's output is unchanged by training, and weight paths leaving the folder are
 * refused.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { fromGraphModel } from "../../lib/backbones/from_graph_model.ts";
import { embedding, l2Normalize, triplet } from "../../lib/branches/mod.ts";
import { compile } from "../../lib/compile/mod.ts";
import { tripletMargin } from "../../lib/losses/mod.ts";
import { pipe } from "../../lib/pipe.ts";

await tf.setBackend("cpu");

const W = [1, 0, 1, -1, 0, 1, 1, 1, 0.5, -0.5, 2, 0]; // 3 × 4
const topology = {
  node: [
    {
      name: "x",
      op: "Placeholder",
      attr: {
        dtype: { type: "DT_FLOAT" },
        shape: { shape: { dim: [{ size: "-1" }, { size: "3" }] } },
      },
    },
    {
      name: "w",
      op: "Const",
      attr: {
        dtype: { type: "DT_FLOAT" },
        value: {
          tensor: { dtype: "DT_FLOAT", tensorShape: { dim: [{ size: "3" }, { size: "4" }] } },
        },
      },
    },
    { name: "y", op: "MatMul", input: ["x", "w"], attr: { T: { type: "DT_FLOAT" } } },
    { name: "features", op: "Relu", input: ["y"], attr: { T: { type: "DT_FLOAT" } } },
  ],
  library: {},
  versions: {},
};

async function saveGraph(paths: string[] = ["w.bin"]): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "likeness_graph_" });
  await Deno.writeTextFile(
    `${dir}/model.json`,
    JSON.stringify({
      format: "graph-model",
      modelTopology: topology,
      weightsManifest: [{ paths, weights: [{ name: "w", shape: [3, 4], dtype: "float32" }] }],
    }),
  );
  await Deno.writeFile(`${dir}/w.bin`, new Uint8Array(new Float32Array(W).buffer));
  return dir;
}

Deno.test("a saved graph model is a frozen feature extractor; the embedding after it trains", async () => {
  const dir = await saveGraph();
  const spec = await fromGraphModel(`${dir}/model.json`);
  const stage = spec.stages[0];
  assert.equal(stage.kind, "layersModel");
  if (stage.kind !== "layersModel") return;
  assert.equal(stage.model.trainableWeights.length, 0);
  const x = tf.tensor2d([[1, 2, 3], [-1, 0, 2]]);
  const features = () => Array.from((stage.model.predict(x) as tf.Tensor).dataSync());
  // relu(x · w) by hand
  const want = [[1, 2, 3], [-1, 0, 2]].flatMap((row) =>
    [0, 1, 2, 3].map((j) => Math.max(0, row.reduce((s, v, i) => s + v * W[i * 4 + j], 0)))
  );
  assert.deepEqual(features(), want);

  const program = compile({
    model: triplet(pipe(spec, embedding(2), l2Normalize())),
    loss: tripletMargin(),
    inputShape: [3],
    learningRate: 0.05,
    seed: 1,
  });
  assert.equal(program.trainableWeights().length, 2, "only the embedding layer trains");
  const a = tf.tensor2d([[1, 0, 0], [0, 1, 0]]), n = tf.tensor2d([[0, 0, 1], [1, 1, 1]]);
  const batch = { kind: "triplet" as const, anchor: a, positive: a, negative: n };
  const losses: number[] = [];
  for (let i = 0; i < 20; i++) {
    const loss = program.trainStep(batch);
    losses.push(loss.dataSync()[0]);
    loss.dispose();
  }
  assert.ok(losses.every(Number.isFinite), `${losses}`);
  assert.ok(losses[19] < losses[0], `the loss falls: ${losses[0]} → ${losses[19]}`);
  assert.deepEqual(features(), want, "the graph is unchanged");
  program.dispose();
  tf.dispose([x, a, n]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("graph weight paths outside the folder and bad sources are refused by name", async () => {
  const dir = await saveGraph(["../w.bin"]);
  await assert.rejects(
    () => fromGraphModel(dir),
    /weightsManifest path "..\/w.bin" in .*model.json is not a file name inside the model folder/,
  );
  await Deno.remove(dir, { recursive: true });
  assert.throws(
    () => fromGraphModel({} as tf.GraphModel),
    /graph must be a tf.GraphModel, a path or a URL/,
  );
});
