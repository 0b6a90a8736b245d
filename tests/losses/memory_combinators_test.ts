// The loss combinators carry a cross-batch memory's buffers to compile: before, plus, weighted
// and perAnchor dropped them, so `plus(crossBatchMemory(x), lpRegularizer())` failed at the first
// step ("context.buffers.memory must be …").
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { dense, empty, labelled } from "../../lib/branches/mod.ts";
import { compile } from "../../lib/compile/compile.ts";
import {
  crossBatchMemory,
  lpRegularizer,
  multiSimilarity,
  perAnchor,
  plus,
  weighted,
} from "../../lib/losses/mod.ts";
import { multiSimilarityMiner } from "../../lib/miners/mod.ts";
import { pipe } from "../../lib/pipe.ts";
import type { Labelled, Loss } from "../../lib/types.ts";

await tf.setBackend("cpu");

const memory = () =>
  crossBatchMemory(multiSimilarity({ miner: multiSimilarityMiner() }), { size: 8 });
const batch = (seed: number): Labelled => ({
  kind: "labelled",
  embeddings: tf.tensor2d(Array.from({ length: 6 }, (_, i) => [
    Math.sin(seed + i),
    Math.cos(2 * seed + i),
    (i % 3) / 3,
    seed / 7,
  ])),
  labels: tf.tensor1d([0, 0, 1, 1, 2, 2], "int32"),
});

/** Trains two steps of 6 rows and returns the memory's "rows filled" (its state's 2nd value). */
function twoSteps(loss: Loss<Labelled>): number {
  const program = compile({
    model: labelled(pipe(empty, dense(5, { activation: "relu" }), dense(3))),
    loss,
    inputShape: [4],
    seed: 2,
  });
  let before = 0;
  for (const seed of [1, 2]) {
    if (seed === 2) before = tf.memory().numTensors; // after the optimiser made its slots
    const b = batch(seed);
    const l = program.trainStep(b);
    assert.ok(Number.isFinite(l.dataSync()[0]), `${loss.name}: loss ${l.dataSync()[0]}`);
    tf.dispose([l, b.embeddings, b.labels]);
  }
  assert.equal(tf.memory().numTensors, before, `${loss.name} leaked`);
  const state = program.lossState?.buffers?.find((x) => x.name === "memoryState");
  assert.ok(state, `${loss.name}: the program owns no memory`);
  const filled = state.variable.dataSync()[1];
  program.dispose();
  return filled;
}

Deno.test("plus, weighted and perAnchor keep a memory's buffers: the program owns and fills it", () => {
  // 2 steps of 6 rows into 8 slots: all 8 filled
  assert.equal(twoSteps(plus(memory(), lpRegularizer())), 8);
  assert.equal(twoSteps(plus(lpRegularizer(), memory())), 8);
  assert.equal(twoSteps(weighted(memory(), 0.5)), 8);
  assert.equal(twoSteps(perAnchor(memory())), 8);
});

Deno.test("plus refuses two memories (one buffer name twice), naming the buffer", () => {
  assert.throws(
    () => plus(memory(), memory()),
    /as both declare the buffer 'memory': wrap only one of them in a memory/,
  );
});

Deno.test("a memory can wrap a sum only when both terms take reference rows", () => {
  const both = plus(multiSimilarity(), multiSimilarity({ alpha: 1 }));
  assert.equal(both.acceptsReference, true);
  assert.ok(crossBatchMemory(both, { size: 8 }).buffers?.length === 3);
  const mixed = plus(multiSimilarity(), lpRegularizer<Labelled>());
  assert.notEqual(mixed.acceptsReference, true);
  assert.throws(() => crossBatchMemory(mixed, { size: 8 }), /reference|memory/);
});
