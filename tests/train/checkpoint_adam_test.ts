// saveCheckpoint / loadCheckpoint alone (not through fit) resume Adam exactly: tfjs's optimiser
// weights leave out the running powers β₁ᵗ, β₂ᵗ and its setWeights recomputes them with pow,
// whose last bits differ from the products a straight run accumulates. The checkpoint keeps them.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { loadCheckpoint, saveCheckpoint } from "../../lib/train/mod.ts";
import { smallProgram, triplets, weightsOf } from "./_compiled.ts";

await tf.setBackend("cpu");

const bits = (xs: number[]) => Array.from(new Float32Array(xs));
const powers = (p: { optimizer: tf.Optimizer }) =>
  (["accBeta1", "accBeta2"] as const).map((k) =>
    (p.optimizer as unknown as Record<string, tf.Variable>)[k].dataSync()[0]
  );

Deno.test("a checkpoint resumes Adam bit for bit, its running powers included", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const data = triplets(5);
    const batches = Array.from({ length: 12 }, () => data.next().value!);
    const straight = smallProgram();
    const cut = smallProgram();
    for (let i = 0; i < 9; i++) {
      tf.dispose([straight.trainStep(batches[i]), cut.trainStep(batches[i])]);
    }
    const path = await saveCheckpoint(cut, dir, { step: 9 });
    const saved = JSON.parse(await Deno.readTextFile(`${path}/state.json`));
    assert.deepEqual(saved.adamPowers, [{ accBeta1: powers(cut)[0], accBeta2: powers(cut)[1] }]);
    cut.dispose();
    const resumed = smallProgram();
    await loadCheckpoint(resumed, path);
    assert.deepEqual(powers(resumed), powers(straight));
    for (let i = 9; i < 12; i++) {
      const [a, b] = [straight.trainStep(batches[i]), resumed.trainStep(batches[i])];
      assert.deepEqual(bits([b.dataSync()[0]]), bits([a.dataSync()[0]]), `loss at step ${i + 1}`);
      tf.dispose([a, b]);
    }
    assert.deepEqual(bits(weightsOf(resumed).flat()), bits(weightsOf(straight).flat()));
    straight.dispose();
    resumed.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a checkpoint whose adamPowers are malformed is refused, naming the file and the value", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const p = smallProgram();
    const data = triplets(6);
    tf.dispose(p.trainStep(data.next().value!));
    const path = await saveCheckpoint(p, dir, { step: 1 });
    const file = `${path}/state.json`;
    const state = JSON.parse(await Deno.readTextFile(file));
    for (const bad of [[{ accBeta1: 2, accBeta2: 0.5 }], "x", []]) {
      await Deno.writeTextFile(file, JSON.stringify({ ...state, adamPowers: bad }));
      await assert.rejects(
        () => loadCheckpoint(p, path),
        (e: Error) =>
          e.message.startsWith(`Cannot load checkpoint ${path}`) && /adamPowers/.test(e.message),
      );
    }
    p.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
