// A batch in which a miner finds no valid triplet (one class; P×K with K = 1) costs exactly 0
// on every backend, every time. Before the zero-size guard (lib/backend/_empty.ts), wasm and
// native summed the empty per-item vector from uninitialised heap memory: ~3.6e-41, a
// different value each run.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../../lib/backend/mod.ts";
import { pipe } from "../../lib/pipe.ts";
import {
  batchNorm,
  conv2d,
  dense,
  empty,
  flatten,
  labelled,
  maxPool2d,
} from "../../lib/branches/mod.ts";
import { compile } from "../../lib/compile/mod.ts";
import { mean, meanNonZero, softMarginTriplet, sum, tripletMargin } from "../../lib/losses/mod.ts";
import { batchAll, batchHard, mined, semiHard } from "../../lib/miners/mod.ts";
import type { Labelled, Reducer, Tensor2D } from "../../lib/types.ts";
import { skipReason, useNative } from "../backend/_native.ts";
import { missing as missingDependency } from "../_require.ts";

const gpu = (globalThis.navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
const adapter = gpu === undefined ? null : await gpu.requestAdapter().catch(() => null);
const webgpuMissing = missingDependency(
  "webgpu",
  adapter === null || adapter === undefined ? "no WebGPU adapter" : undefined,
);
// Miners read labels and distances with dataSync, which webgpu cannot do in Deno: mined
// losses run on cpu, wasm and native; webgpu is checked on the reducers below.
const backends = ["cpu", "wasm", ...(skipReason === undefined ? ["native"] : [])];

async function activate(backend: string): Promise<void> {
  if (backend === "native") await useNative();
  else await useBackend(backend as "cpu" | "wasm" | "webgpu");
}

/** One class (no negative) and all-distinct labels (K = 1: no positive). */
function degenerate(seed: number): Labelled[] {
  const embeddings = () => tf.randomNormal([6, 4], 0, 1, "float32", seed) as Tensor2D;
  return [
    {
      kind: "labelled",
      embeddings: embeddings(),
      labels: tf.tensor1d([3, 3, 3, 3, 3, 3], "int32"),
    },
    {
      kind: "labelled",
      embeddings: embeddings(),
      labels: tf.tensor1d([0, 1, 2, 3, 4, 5], "int32"),
    },
  ];
}

const miners = { batchAll: batchAll(), batchHard: batchHard(), semiHard: semiHard() };
const reducers: Record<string, Reducer> = { mean, meanNonZero, sum };

Deno.test("mined losses over no triplets are exactly 0 on every backend, every run", async () => {
  for (const backend of backends) {
    await activate(backend);
    for (let run = 0; run < 3; run++) {
      for (const input of degenerate(run + 1)) {
        for (const [minerName, miner] of Object.entries(miners)) {
          assert.equal(miner(input).anchor.length, 0);
          for (const [reducerName, reduce] of Object.entries(reducers)) {
            for (const base of [tripletMargin({ margin: 1 }), softMarginTriplet()]) {
              const loss = mined(miner, base, { reduce });
              const before = tf.memory().numTensors;
              const value = tf.tidy(() => loss.reduce(loss.perItem(input)));
              const v = (await value.data())[0];
              value.dispose();
              assert.equal(tf.memory().numTensors, before, "leak");
              assert.ok(
                Object.is(v, 0),
                `${backend} ${minerName} ${base.name} ${reducerName}: ${v}, want exactly 0`,
              );
            }
          }
        }
      }
    }
  }
});

Deno.test("compile + trainStep on a one-class batch: loss exactly 0, weights unchanged", async () => {
  for (const backend of backends) {
    await activate(backend);
    const net = pipe(
      empty,
      conv2d(4, { kernelSize: 3 }),
      batchNorm(),
      maxPool2d(2),
      flatten(),
      dense(8, { activation: "relu" }),
      dense(3),
    );
    const program = compile({
      model: labelled(net),
      loss: mined(batchHard(), tripletMargin({ margin: 1 })),
      inputShape: [6, 6, 1],
      seed: 3,
      learningRate: 0.05,
    });
    const batch = {
      kind: "labelled" as const,
      embeddings: tf.randomNormal([6, 6, 6, 1], 0, 1, "float32", 7),
      labels: tf.tensor1d([2, 2, 2, 2, 2, 2], "int32"),
    };
    const snapshot = () =>
      Promise.all(program.trainableWeights().map(async (w) => Array.from(await w.data())));
    const before = await snapshot();
    for (let step = 0; step < 3; step++) {
      const loss = program.trainStep(batch);
      const v = (await loss.data())[0];
      loss.dispose();
      assert.ok(Object.is(v, 0), `${backend} step ${step}: loss ${v}, want exactly 0`);
    }
    const after = await snapshot();
    after.forEach((w, i) =>
      assert.ok(
        w.every((x, k) => Object.is(x, before[i][k])),
        `${backend}: weight ${i} changed on a zero loss`,
      )
    );
    tf.dispose([batch.embeddings, batch.labels]);
    program.dispose();
  }
});

Deno.test({
  name: "reducers of an empty per-item vector are exactly 0 on webgpu",
  ignore: webgpuMissing,
  async fn() {
    await activate("webgpu");
    for (const [name, reduce] of Object.entries(reducers)) {
      const value = tf.tidy(() => reduce(tf.zeros([0]) as tf.Tensor1D));
      const v = (await value.data())[0];
      value.dispose();
      assert.ok(Object.is(v, 0), `webgpu ${name}: ${v}, want exactly 0`);
    }
  },
});
