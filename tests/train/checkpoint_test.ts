import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { fit, latestCheckpoint, loadCheckpoint, saveCheckpoint } from "../../lib/train/mod.ts";
import { drain, fakeProgram, poisonKernel, stream, weightsOf } from "./_fake_program.ts";
import {
  BACKENDS,
  smallProgram,
  triplets,
  use,
  weightsOf as weightsOfProgram,
} from "./_compiled.ts";

await tf.setBackend("cpu");

/** Equal bit for bit: checkpoints keep Adam's running powers β₁ᵗ, β₂ᵗ (tfjs's optimiser weights
 * leave them out, and its setWeights recomputes them with pow, whose last bits differ). */
const close = (actual: number[], expected: number[], what: string) => {
  assert.equal(actual.length, expected.length, what);
  assert.deepEqual(
    Array.from(new Float32Array(actual)),
    Array.from(new Float32Array(expected)),
    what,
  );
};

const names = async (dir: string) => {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out.sort();
};

Deno.test("an interrupted run resumed from its checkpoint ends with the same weights and losses", async () => {
  const dir = await Deno.makeTempDir();
  const before = tf.memory().numTensors;
  // Straight through: 7 steps, epochs of 3 steps over one seeded stream.
  const straight = fakeProgram({ withHead: true });
  const full = await drain(
    fit(straight, stream(21), { steps: 7, stepsPerEpoch: 3, progress: "none" }),
  );

  // Interrupted after step 5 (checkpoints every 2 steps, and one when it stops).
  const first = fakeProgram({ withHead: true });
  const controller = new AbortController();
  const partial = fit(first, stream(21), {
    steps: 7,
    stepsPerEpoch: 3,
    progress: "none",
    signal: controller.signal,
    checkpoint: { dir, every: 2, keep: 3 },
  });
  const written: string[] = [];
  let r = await partial.next();
  while (!r.done) {
    if (r.value.checkpoint) written.push(r.value.checkpoint);
    if (r.value.step === 5) controller.abort();
    r = await partial.next();
  }
  assert.equal(r.value.stopReason, "aborted");
  assert.deepEqual(await names(dir), ["step-000000002", "step-000000004", "step-000000005"]);
  assert.deepEqual(written, [`${dir}/step-000000002`, `${dir}/step-000000004`]);
  first.dispose();

  // A fresh program (as in a new process) resumes: same stream, same seed.
  const second = fakeProgram({ withHead: true });
  const resumed = await drain(
    fit(second, stream(21), {
      steps: 7,
      stepsPerEpoch: 3,
      progress: "none",
      resume: true,
      checkpoint: { dir, every: 2, keep: 3 },
    }),
  );
  assert.deepEqual(resumed.yields.map((y) => y.step), [6, 7]);
  assert.deepEqual(resumed.yields.map((y) => `${y.epoch}:${y.stepInEpoch}`), ["1:3", "2:1"]);
  close(resumed.value.loss, full.value.loss, "loss");
  close(resumed.value.epochLoss, full.value.epochLoss, "epochLoss");
  assert.deepEqual(resumed.value.loss.slice(0, 5), full.value.loss.slice(0, 5)); // from the checkpoint
  assert.equal(resumed.value.steps, 7);
  close(weightsOf(second).flat(), weightsOf(straight).flat(), "weights");
  straight.dispose();
  second.dispose();
  assert.equal(tf.memory().numTensors, before);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("resume without stepsPerEpoch skips the consumed batches of the current epoch", async () => {
  const dir = await Deno.makeTempDir();
  const perEpoch = (epoch: number) =>
    (function* () {
      let n = 0;
      for (const b of stream(100 + epoch)) {
        yield b;
        if (++n === 4) return;
      }
    })();
  const straight = fakeProgram();
  const full = await drain(fit(straight, perEpoch, { epochs: 2, progress: "none" }));
  const first = fakeProgram();
  await drain(
    fit(first, perEpoch, {
      epochs: 2,
      steps: 6,
      progress: "none",
      checkpoint: { dir, every: 100 },
    }),
  );
  assert.equal(await latestCheckpoint(dir), `${dir}/step-000000006`);
  const second = fakeProgram();
  const resumed = await drain(
    fit(second, perEpoch, {
      epochs: 2,
      progress: "none",
      resume: true,
      checkpoint: { dir, every: 100 },
    }),
  );
  assert.deepEqual(resumed.yields.map((y) => `${y.epoch}:${y.stepInEpoch}`), ["1:3", "1:4"]);
  close(resumed.value.loss, full.value.loss, "loss");
  close(weightsOf(second).flat(), weightsOf(straight).flat(), "weights");
  for (const p of [straight, first, second]) p.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("saveCheckpoint keeps the newest `keep` and leaves no temp files", async () => {
  const dir = await Deno.makeTempDir();
  const program = fakeProgram();
  await drain(fit(program, stream(1), { steps: 2, stepsPerEpoch: 2, progress: "none" }));
  for (const step of [10, 20, 30, 40]) await saveCheckpoint(program, dir, { step, keep: 2 });
  assert.deepEqual(await names(dir), ["step-000000030", "step-000000040"]);
  assert.deepEqual(await names(`${dir}/step-000000040`), ["state.json", "weights.bin"]);
  // Saving the same step again replaces it whole.
  await saveCheckpoint(program, dir, { step: 40, state: { again: true }, keep: 2 });
  const again = fakeProgram();
  const restored = await loadCheckpoint(again, `${dir}/step-000000040`);
  assert.deepEqual(restored.state, { again: true });
  assert.deepEqual(await names(dir), ["step-000000030", "step-000000040"]);
  await assert.rejects(
    saveCheckpoint(program, dir, { step: -1 }),
    /step must be a non-negative integer: current value is -1/,
  );
  program.dispose();
  again.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a corrupt newest checkpoint gives a clear error and names the previous good one", async () => {
  const dir = await Deno.makeTempDir();
  const program = fakeProgram();
  await drain(
    fit(program, stream(3), {
      steps: 4,
      stepsPerEpoch: 2,
      progress: "none",
      checkpoint: { dir, every: 2 },
    }),
  );
  const latest = `${dir}/step-000000004`;
  const bytes = await Deno.readFile(`${latest}/weights.bin`);
  bytes[7] ^= 0xff;
  await Deno.writeFile(`${latest}/weights.bin`, bytes);
  const fresh = fakeProgram();
  const untouched = weightsOf(fresh);
  await assert.rejects(
    drain(
      fit(fresh, stream(3), {
        steps: 6,
        stepsPerEpoch: 2,
        progress: "none",
        resume: true,
        checkpoint: { dir, every: 2 },
      }),
    ),
    (error: Error) => {
      assert.match(
        error.message,
        /Cannot load checkpoint .*step-000000004 as weights.bin is corrupt: its SHA-256 is/,
      );
      assert.match(
        error.message,
        /the previous good checkpoint .*step-000000002 is kept: pass resume:/,
      );
      return true;
    },
  );
  assert.deepEqual(weightsOf(fresh), untouched, "a failed load changes nothing");
  // The named previous checkpoint resumes.
  const resumed = await drain(
    fit(fresh, stream(3), {
      steps: 6,
      stepsPerEpoch: 2,
      progress: "none",
      resume: `${dir}/step-000000002`,
    }),
  );
  assert.deepEqual(resumed.yields.map((y) => y.step), [3, 4, 5, 6]);
  // A truncated weights file and a broken state.json are named too.
  await Deno.writeFile(`${latest}/weights.bin`, bytes.subarray(0, 10));
  await assert.rejects(
    loadCheckpoint(fresh, latest),
    /weights.bin is corrupt: it holds 10 bytes but the manifest needs \d+/,
  );
  await Deno.writeTextFile(`${latest}/state.json`, '{"format":');
  await assert.rejects(loadCheckpoint(fresh, latest), /state.json is not valid JSON/);
  await Deno.remove(`${latest}/state.json`);
  await assert.rejects(loadCheckpoint(fresh, latest), /state.json does not exist/);
  program.dispose();
  fresh.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("loadCheckpoint refuses a checkpoint of another architecture", async () => {
  const dir = await Deno.makeTempDir();
  const small = fakeProgram({ units: 3 });
  const path = await saveCheckpoint(small, dir, { step: 1 });
  const big = fakeProgram({ units: 5 });
  await assert.rejects(
    loadCheckpoint(big, path),
    /embedder weight 0 \(.*\) has shape \[4,5\] in the program but \[4,3\] in the checkpoint/,
  );
  const withHead = fakeProgram({ units: 3, withHead: true });
  await assert.rejects(loadCheckpoint(withHead, path), /holds no head weights/);
  for (const p of [small, big, withHead]) p.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("resume: true with no checkpoint yet starts from scratch", async () => {
  const dir = await Deno.makeTempDir();
  const program = fakeProgram();
  const run = await drain(
    fit(program, stream(5), {
      steps: 3,
      progress: "none",
      resume: true,
      checkpoint: { dir: `${dir}/none-yet`, every: 10 },
    }),
  );
  assert.deepEqual(run.yields.map((y) => y.step), [1, 2, 3]);
  // The final checkpoint is written when training stops.
  assert.equal(await latestCheckpoint(`${dir}/none-yet`), `${dir}/none-yet/step-000000003`);
  program.dispose();
  await Deno.remove(dir, { recursive: true });
});

// ---- reliability (issue #12, items 2, 5 and 12) -------------------------------------------

Deno.test("saveCheckpoint refuses non-finite weights and keeps the last good checkpoint (keep: 1)", async () => {
  const dir = await Deno.makeTempDir();
  const program = fakeProgram();
  await drain(fit(program, stream(8), { steps: 2, progress: "none" }));
  await saveCheckpoint(program, dir, { step: 2, keep: 1 });
  poisonKernel(program, Infinity, 3, 1);
  await assert.rejects(
    saveCheckpoint(program, dir, { step: 3, keep: 1 }),
    /Cannot save checkpoint step-000000003 in .* as embedder\/0 holds Infinity at index 10 of 12: a checkpoint of non-finite weights is never written/,
  );
  assert.deepEqual(await names(dir), ["step-000000002"]);
  const fresh = fakeProgram();
  assert.equal((await loadCheckpoint(fresh, `${dir}/step-000000002`)).step, 2);
  program.dispose();
  fresh.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("loadCheckpoint refuses a checkpoint whose weights are NaN, even with a matching SHA-256", async () => {
  const dir = await Deno.makeTempDir();
  const program = fakeProgram();
  const path = await saveCheckpoint(program, dir, { step: 1 });
  // What an older likeness wrote after a poisoned step: NaN weights, a valid digest.
  const bytes = await Deno.readFile(`${path}/weights.bin`);
  new DataView(bytes.buffer).setFloat32(8, NaN, true);
  await Deno.writeFile(`${path}/weights.bin`, bytes);
  const state = JSON.parse(await Deno.readTextFile(`${path}/state.json`));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  state.weights.sha256 = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  await Deno.writeTextFile(`${path}/state.json`, JSON.stringify(state));
  const fresh = fakeProgram();
  const untouched = weightsOf(fresh);
  await assert.rejects(
    loadCheckpoint(fresh, path),
    /Cannot load checkpoint .*step-000000001 as embedder\/0 holds NaN at index 2 of 12: its weights are not finite/,
  );
  assert.deepEqual(weightsOf(fresh), untouched);
  program.dispose();
  fresh.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("loadCheckpoint into a trained program disposes the optimiser slots it replaces", async () => {
  const dir = await Deno.makeTempDir();
  const program = fakeProgram();
  await drain(fit(program, stream(4), { steps: 2, progress: "none" }));
  const path = await saveCheckpoint(program, dir, { step: 2 });
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) await loadCheckpoint(program, path);
  assert.equal(tf.memory().numTensors, before);
  program.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the next fit removes what killed checkpoint writes left and puts back a replaced checkpoint", async () => {
  const dir = await Deno.makeTempDir();
  const program = fakeProgram();
  await drain(
    fit(program, stream(2), { steps: 2, progress: "none", checkpoint: { dir, every: 1, keep: 3 } }),
  );
  program.dispose();
  // A write killed mid-way: a temp folder with part of a weights file (1 MB).
  const temp = `${dir}/.step-000000003.tmp-4194301-1764547200000-1`;
  await Deno.mkdir(temp);
  await Deno.writeFile(`${temp}/weights.bin.tmp-4194301-1764547200001-2`, new Uint8Array(1 << 20));
  // A replacement killed between its renames: step 2 moved aside, its successor not in place.
  await Deno.rename(
    `${dir}/step-000000002`,
    `${dir}/.old-step-000000002.tmp-4194301-1764547200002-3`,
  );
  await Deno.mkdir(`${dir}/.step-000000002.tmp-4194301-1764547200003-4`);
  // A removal killed mid-way (retention renames a checkpoint away before deleting it).
  await Deno.mkdir(`${dir}/.del-step-000000000.tmp-4194301-1764547200004-5`);
  // Not ours: left alone.
  await Deno.mkdir(`${dir}/.step-notes`);
  await Deno.writeTextFile(`${dir}/notes.tmp-1-2-3`, "mine");
  await Deno.mkdir(`${dir}/step-000000002.tmp-1-2-3`);

  const fresh = fakeProgram();
  const resumed = await drain(
    fit(fresh, stream(2), {
      steps: 3,
      progress: "none",
      resume: true,
      checkpoint: { dir, every: 1, keep: 3 },
    }),
  );
  assert.deepEqual(resumed.yields.map((y) => y.step), [3], "resumed from the put-back step 2");
  assert.deepEqual(await names(dir), [
    ".step-notes",
    "notes.tmp-1-2-3",
    "step-000000001",
    "step-000000002",
    "step-000000002.tmp-1-2-3",
    "step-000000003",
  ]);
  fresh.dispose();
  await Deno.remove(dir, { recursive: true });
});

for (const { name, ignore } of BACKENDS) {
  Deno.test({
    name: `${name}: with spatial dropout 0.2, 12 steps straight == 6 + resume + 6, bit for bit`,
    ignore,
    fn: async () => {
      await use(name);
      try {
        const dir = await Deno.makeTempDir();
        const before = tf.memory().numTensors;
        const options = { steps: 12, stepsPerEpoch: 5, progress: "none" as const };
        const straight = smallProgram();
        const full = await drain(fit(straight, triplets(9, 2), options));

        const first = smallProgram();
        await drain(
          fit(first, triplets(9, 2), { ...options, steps: 6, checkpoint: { dir, every: 4 } }),
        );
        first.dispose();
        // Both dropout layers drew 6 masks; the checkpoint says so.
        const saved = JSON.parse(await Deno.readTextFile(`${dir}/step-000000006/state.json`));
        assert.deepEqual(saved.random, { embedder: [6, 6], head: [] });

        const second = smallProgram();
        const resumed = await drain(
          fit(second, triplets(9, 2), { ...options, resume: true, checkpoint: { dir, every: 4 } }),
        );
        assert.deepEqual(resumed.yields.map((y) => y.step), [7, 8, 9, 10, 11, 12]);
        assert.deepEqual(resumed.value.loss, full.value.loss);
        assert.deepEqual(weightsOfProgram(second), weightsOfProgram(straight));
        straight.dispose();
        second.dispose();
        assert.equal(tf.memory().numTensors, before);
        await Deno.remove(dir, { recursive: true });
      } finally {
        await tf.setBackend("cpu");
      }
    },
  });
}

Deno.test("loadCheckpoint refuses dropout states that do not fit the program, changing nothing", async () => {
  const dir = await Deno.makeTempDir();
  const program = smallProgram();
  const path = await saveCheckpoint(program, dir, { step: 1 });
  const state = JSON.parse(await Deno.readTextFile(`${path}/state.json`));
  const fresh = smallProgram();
  const untouched = weightsOfProgram(fresh);
  for (
    const [random, message] of [
      [
        { embedder: [4], head: [] },
        /holds 1 embedder random states but the program has 2 layers with one/,
      ],
      [
        { embedder: [4, -1], head: [] },
        /embedder random state 1 must be a non-negative integer: current value is -1/,
      ],
    ] as const
  ) {
    await Deno.writeTextFile(`${path}/state.json`, JSON.stringify({ ...state, random }));
    await assert.rejects(loadCheckpoint(fresh, path), message);
    assert.deepEqual(weightsOfProgram(fresh), untouched);
  }
  program.dispose();
  fresh.dispose();
  await Deno.remove(dir, { recursive: true });
});
