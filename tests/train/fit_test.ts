import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { fit, fitToEnd, type StepReport } from "../../lib/train/mod.ts";
import { loadCheckpoint } from "../../lib/train/mod.ts";
import { tripletMargin } from "../../lib/losses/mod.ts";
import type { Loss, Triplet } from "../../lib/types.ts";
import {
  drain,
  type FakeBatch,
  fakeProgram,
  poisonKernel,
  stream,
  weightsOf,
} from "./_fake_program.ts";
import {
  BACKENDS,
  smallProgram,
  triplets,
  use,
  weightsOf as weightsOfProgram,
} from "./_compiled.ts";

await tf.setBackend("cpu");

/** The first n items (pulls exactly n: each pulled batch holds tensors). */
const take = <T>(it: Iterable<T>, n: number): T[] => {
  const iterator = it[Symbol.iterator]();
  const out: T[] = [];
  while (out.length < n) {
    const r = iterator.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
};

Deno.test("fit runs the given steps, reports each, and keeps numTensors flat", async () => {
  {
    // With stepsPerEpoch there is no look-ahead: exactly flat from step 1 on.
    const program = fakeProgram();
    const counts: number[] = [];
    for await (
      const _ of fit(program, stream(1), { steps: 6, stepsPerEpoch: 2, progress: "none" })
    ) {
      counts.push(tf.memory().numTensors);
    }
    assert.ok(counts.every((c) => c === counts[0]), `numTensors moved: ${counts}`);
    program.dispose();
  }
  const before = tf.memory().numTensors;
  const program = fakeProgram();
  const counts: number[] = [];
  const reports: StepReport[] = [];
  for await (const report of fit(program, stream(1), { steps: 8, progress: "none" })) {
    reports.push(report);
    counts.push(tf.memory().numTensors);
  }
  assert.deepEqual(reports.map((r) => r.step), [1, 2, 3, 4, 5, 6, 7, 8]);
  // Optimiser slots appear at step 1; from then on nothing accumulates. Without
  // stepsPerEpoch fit holds one looked-ahead batch (2 tensors) until the last step.
  assert.ok(counts.slice(0, -1).every((c) => c === counts[0]), `numTensors moved: ${counts}`);
  assert.equal(counts.at(-1), counts[0] - 2);
  assert.ok(reports.every((r) => r.images === 4 && Number.isFinite(r.loss) && r.loss > 0));
  program.dispose();
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("fit's images per second: a step's images over its own time; epoch and run rates", async () => {
  // Each step takes at least busyMs (a busy wait inside trainStep), and at most the time
  // between two reports: so a step of n images runs at n / Δelapsed ≤ rate ≤ n / busyMs.
  const busyMs = 15;
  const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });
  const program = {
    embedder,
    optimizer: tf.train.sgd(0.1),
    setLearningRate: () => {},
    trainStep: (x: tf.Tensor) => {
      const end = performance.now() + busyMs;
      while (performance.now() < end) { /* busy */ }
      return tf.mean(x) as tf.Scalar;
    },
  };
  const sizes = [3, 5, 2];
  const { yields: reports, value: history } = await drain(
    fit(program, () => sizes.map((n) => tf.ones([n, 1])), { epochs: 2, progress: "none" }),
  );
  assert.deepEqual(reports.map((r) => r.images), [...sizes, ...sizes]);
  reports.forEach((r, k) => {
    const gap = r.elapsedMs - (k === 0 ? 0 : reports[k - 1].elapsedMs);
    const low = (r.images / gap) * 1000, high = (r.images / busyMs) * 1000;
    assert.ok(
      r.imagesPerSecond >= low * (1 - 1e-9) && r.imagesPerSecond <= high * (1 + 1e-9),
      `step ${r.step}: ${r.imagesPerSecond} img/s outside [${low}, ${high}] for ${r.images} images`,
    );
  });
  // An epoch's rate is its images over the sum of its steps' times (each step's time is
  // images / rate), not a mean of the step rates.
  const ends = reports.filter((r) => r.epochEnd);
  assert.equal(ends.length, 2);
  ends.forEach((end, e) => {
    const steps = reports.slice(3 * e, 3 * e + 3);
    const images = steps.reduce((a, r) => a + r.images, 0);
    const seconds = steps.reduce((a, r) => a + r.images / r.imagesPerSecond, 0);
    const expected = images / seconds;
    assert.ok(
      Math.abs(end.epochEnd!.imagesPerSecond - expected) <= 1e-9 * expected,
      `epoch ${e}: ${end.epochEnd!.imagesPerSecond} vs ${expected}`,
    );
    assert.equal(history.epochImagesPerSecond[e], end.epochEnd!.imagesPerSecond);
  });
  // The run's rate: every image over the whole elapsed time.
  assert.equal(history.images, 20);
  const run = (history.images / history.elapsedMs) * 1000;
  assert.ok(Math.abs(history.imagesPerSecond - run) <= 1e-9 * run, `${history.imagesPerSecond}`);
  assert.ok(history.imagesPerSecond <= (20 / (6 * busyMs)) * 1000);
  embedder.dispose();
});

Deno.test("fit's history is the step losses, and training lowers the loss", async () => {
  const program = fakeProgram();
  const { yields, value: history } = await drain(
    fit(program, stream(2), { steps: 60, progress: "none" }),
  );
  assert.deepEqual(history.loss, yields.map((r) => r.loss));
  assert.equal(history.steps, 60);
  assert.equal(history.images, 240);
  assert.equal(history.stopReason, "steps");
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(mean(history.loss.slice(-10)) < mean(history.loss.slice(0, 10)) * 0.8);
  program.dispose();
});

Deno.test("fit with stepsPerEpoch: epoch indices, epoch ends and epoch means", async () => {
  const program = fakeProgram();
  const { yields, value: history } = await drain(
    fit(program, stream(3), { epochs: 3, stepsPerEpoch: 4, progress: "none" }),
  );
  assert.deepEqual(yields.map((r) => r.epoch), [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
  assert.deepEqual(yields.map((r) => r.stepInEpoch), [1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4]);
  assert.deepEqual(yields.map((r) => r.epochEnd !== undefined), [
    false,
    false,
    false,
    true,
    false,
    false,
    false,
    true,
    false,
    false,
    false,
    true,
  ]);
  for (let e = 0; e < 3; e++) {
    const losses = yields.slice(e * 4, e * 4 + 4).map((r) => r.loss);
    const mean = losses.reduce((a, b) => a + b, 0) / 4;
    assert.ok(Math.abs(history.epochLoss[e] - mean) < 1e-12);
    assert.equal(yields[e * 4 + 3].epochEnd!.meanLoss, history.epochLoss[e]);
  }
  assert.equal(history.epochs, 3);
  assert.equal(history.stopReason, "completed");
  program.dispose();
});

Deno.test("fit without stepsPerEpoch re-reads the batches each epoch and sees where they end", async () => {
  const before = tf.memory().numTensors;
  const program = fakeProgram();
  const calls: number[] = [];
  const perEpoch = (epoch: number) => {
    calls.push(epoch);
    return take(stream(10 + epoch), 3);
  };
  const { yields, value: history } = await drain(
    fit(program, perEpoch, { epochs: 2, progress: "none" }),
  );
  assert.deepEqual(calls, [0, 1]);
  assert.deepEqual(yields.map((r) => `${r.epoch}:${r.stepInEpoch}`), [
    "0:1",
    "0:2",
    "0:3",
    "1:1",
    "1:2",
    "1:3",
  ]);
  assert.deepEqual(yields.map((r) => r.epochEnd !== undefined), [
    false,
    false,
    true,
    false,
    false,
    true,
  ]);
  assert.equal(history.epochLoss.length, 2);
  program.dispose();
  assert.equal(tf.memory().numTensors, before, "every batch, looked-ahead ones too, disposed");
});

Deno.test("fit with a one-shot generator and two epochs says why the second is empty", async () => {
  const before = tf.memory().numTensors;
  const program = fakeProgram();
  const oneShot = (function* () {
    yield* take(stream(4), 2);
  })();
  await assert.rejects(
    drain(fit(program, oneShot, { epochs: 2, progress: "none" })),
    /Cannot fit epoch 2 as the batches gave no batch: pass a re-iterable/,
  );
  program.dispose();
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("fit applies a learning-rate schedule before the steps it changes", async () => {
  const program = fakeProgram();
  const schedule = (step: number) => (step < 3 ? 0.1 : 0.01);
  const { value: history } = await drain(
    fit(program, stream(5), { steps: 5, learningRate: schedule, progress: "none" }),
  );
  assert.deepEqual(program.rates, [0.1, 0.01]);
  assert.deepEqual(history.learningRate, [0.1, 0.1, 0.1, 0.01, 0.01]);
  program.dispose();
});

Deno.test("fit stops on a NaN loss with an error naming the step, leaking nothing", async () => {
  const program = fakeProgram({ nanAt: 4 });
  const before = tf.memory().numTensors; // the model and Adam's constants
  await assert.rejects(
    drain(fit(program, stream(6), { steps: 10, stepsPerEpoch: 3, progress: "none" })),
    /Cannot continue training as the loss is NaN at step 4 \(epoch 2, step 1 of the epoch\)/,
  );
  // Adam's slots (created at step 1) are the only new tensors.
  const slots = program.embedder.trainableWeights.length * 2; // Adam's m and v
  assert.equal(tf.memory().numTensors, before + slots);
  program.dispose();
});

Deno.test("fit stops after the current step when its AbortSignal fires", async () => {
  const program = fakeProgram();
  const controller = new AbortController();
  const steps: number[] = [];
  const gen = fit(program, stream(7), { steps: 100, signal: controller.signal, progress: "none" });
  let r = await gen.next();
  while (!r.done) {
    steps.push(r.value.step);
    if (r.value.step === 3) controller.abort();
    r = await gen.next();
  }
  assert.deepEqual(steps, [1, 2, 3]);
  assert.equal(r.value.stopReason, "aborted");
  assert.equal(r.value.steps, 3);
  program.dispose();
});

Deno.test("a consumer that breaks out of fit leaks no batch", async () => {
  const before = tf.memory().numTensors;
  const program = fakeProgram();
  // A lazy stream of 5 batches per epoch: fit disposes every batch it took (the trained ones
  // and its look-ahead), and never takes the rest.
  const batches = function* () {
    let n = 0;
    for (const b of stream(8)) {
      yield b;
      if (++n === 5) return;
    }
  };
  for await (const report of fit(program, batches, { epochs: 3, progress: "none" })) {
    if (report.step === 2) break;
  }
  program.dispose();
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("validation runs every N steps; early stopping stops and restores the best weights", async () => {
  const program = fakeProgram();
  const scores = [0.5, 0.4, 0.45, 0.41, 0.42, 0.1];
  const seen: number[] = [];
  let best: number[][] = [];
  const { yields, value: history } = await drain(
    fit(program, stream(9), {
      steps: 100,
      progress: "none",
      validation: {
        every: 2,
        run: ({ step }) => {
          seen.push(step);
          const score = scores[seen.length - 1];
          if (score === 0.4) best = weightsOf(program);
          return { score };
        },
      },
      earlyStopping: { monitor: "score", mode: "min", patience: 2, restoreBest: true },
    }),
  );
  // Best 0.4 at step 4; 0.45, 0.41 do not improve (wait 1, 2); 0.42 is the third → stop.
  assert.deepEqual(seen, [2, 4, 6, 8, 10]);
  assert.equal(history.stopReason, "early-stopping");
  assert.equal(history.steps, 10);
  assert.deepEqual(history.validation.map((v) => v.metrics.score), [0.5, 0.4, 0.45, 0.41, 0.42]);
  assert.deepEqual(yields.filter((r) => r.validation).map((r) => r.step), [2, 4, 6, 8, 10]);
  assert.deepEqual(weightsOf(program), best);
  program.dispose();
});

Deno.test("early stopping on the epoch loss, with minDelta", async () => {
  const program = fakeProgram();
  // A constant batch gives a slowly falling loss: a large minDelta makes it "no improvement".
  const fixed = () =>
    [{
      kind: "labelled" as const,
      embeddings: tf.ones([2, 4]),
      labels: tf.tensor1d([0, 1]),
    }] as FakeBatch[];
  const history = await fitToEnd(program, fixed, {
    epochs: 50,
    progress: "none",
    earlyStopping: { monitor: "loss", patience: 1, minDelta: 100 },
  });
  assert.equal(history.stopReason, "early-stopping");
  assert.equal(history.epochs, 3); // epoch 1 sets the best, 2 and 3 do not beat it by 100
  program.dispose();
});

Deno.test("fit rejects bad options with the option and its value", async () => {
  const program = fakeProgram();
  await assert.rejects(
    drain(fit(program, stream(1), { steps: 0 })),
    /Cannot fit as steps must be an integer ≥ 1: current value is 0/,
  );
  await assert.rejects(
    drain(fit(program, stream(1), { steps: 2, learningRate: -1 })),
    /learningRate must be a positive number: current value is -1/,
  );
  await assert.rejects(
    drain(fit(program, stream(1), { steps: 2, resume: true })),
    /resume: true needs checkpoint.dir/,
  );
  await assert.rejects(
    drain(fit(program, stream(1), { steps: 2, earlyStopping: { monitor: "auc" } })),
    /earlyStopping monitors "auc", which only validation produces/,
  );
  await assert.rejects(
    drain(fit(program, 42 as unknown as Iterable<FakeBatch>, { steps: 2, progress: "none" })),
    /batches must be an iterable/,
  );
  await assert.rejects(
    drain(fit(program, stream(1), { steps: 3, learningRate: () => NaN, progress: "none" })),
    /Cannot set the learning rate at step 1 as the schedule gave NaN \(learningRate\(0, 0\)\): expected a positive number/,
  );
  const file = await Deno.makeTempFile();
  await assert.rejects(
    drain(
      fit(program, stream(1), { steps: 3, progress: "none", checkpoint: { dir: file, every: 1 } }),
    ),
    /Cannot fit as checkpoint.dir must be a folder: current value is ".*", which is a file/,
  );
  await assert.rejects(
    drain(fit(program, stream(1), { steps: 3, checkpoint: { dir: file, every: 1, keep: 0 } })),
    /Cannot fit as checkpoint.keep must be an integer ≥ 1: current value is 0/,
  );
  await assert.rejects(
    drain(
      fit(program, stream(1), {
        steps: 3,
        earlyStopping: { monitor: "loss", mode: "up" as "min" },
      }),
    ),
    /Cannot fit as earlyStopping.mode must be "min" or "max": current value is "up"/,
  );
  assert.equal(await Deno.readTextFile(file), "", "the file is untouched");
  await Deno.remove(file);
  program.dispose();
});

Deno.test("fit prints plain progress lines when asked (and a redrawn bar on a terminal)", async () => {
  const program = fakeProgram();
  let lines = "";
  await fitToEnd(program, stream(11), {
    epochs: 2,
    stepsPerEpoch: 4,
    progress: "lines",
    logEvery: 2,
    write: (t) => (lines += t),
  });
  const rows = lines.trim().split("\n");
  assert.ok(rows[0].startsWith("epoch 1/2 step 2/4 loss "), rows[0]);
  assert.ok(rows.some((r) => r.startsWith("epoch 1 done: mean loss")));
  assert.ok(rows.some((r) => r.startsWith("epoch 2/2 step 4/4")));
  assert.ok(!lines.includes("\r"));
  let bar = "";
  await fitToEnd(program, stream(12), {
    steps: 3,
    progress: "bar",
    write: (t) => (bar += t),
  });
  assert.ok(bar.includes("\r\x1b[2K[") && bar.includes("#"), JSON.stringify(bar));
  assert.ok(bar.endsWith("\n"));
  program.dispose();
});

// ---- non-finite numbers: rejected inputs, rolled-back steps (issue #12, item 2) -------------

/** A triplet-margin loss whose gradient is infinite at its `at`-th call (its value is not). */
const infiniteGradientAt = (at: number): Loss<Triplet> => {
  const base = tripletMargin({ margin: 1 });
  let calls = 0;
  return {
    ...base,
    perItem: (input, context) => {
      const value = base.perItem(input, context);
      calls += 1;
      if (calls !== at) return value;
      const poison = tf.customGrad((x) => ({
        value: tf.clone(x as tf.Tensor),
        gradFunc: (dy: tf.Tensor) => tf.mul(dy, Infinity),
      }));
      return poison(value) as tf.Tensor1D;
    },
  };
};

const entries = async (dir: string) => {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out.sort();
};

const allFinite = (values: number[][]) => values.every((w) => w.every(Number.isFinite));

for (const { name, ignore } of BACKENDS) {
  Deno.test({
    name: `${name}: a batch with an Inf pixel is rejected before its step; no checkpoint is lost`,
    ignore,
    fn: async () => {
      await use(name);
      try {
        const dir = await Deno.makeTempDir();
        const before = tf.memory().numTensors;
        const program = smallProgram();
        let afterStep2: number[][] = [];
        const batches = triplets(5, 4, { at: 3, field: "negative", index: 77, value: Infinity });
        await assert.rejects(
          (async () => {
            for await (
              const r of fit(program, batches, {
                steps: 6,
                progress: "none",
                checkpoint: { dir, every: 1, keep: 1 },
              })
            ) {
              if (r.step === 2) afterStep2 = weightsOfProgram(program);
            }
          })(),
          /Cannot train step 3 \(epoch 1\) as batch\.negative holds Infinity at index 77 of 576: a batch with a non-finite value is rejected before its step/,
        );
        // The weights are those of step 2, bit for bit; the good checkpoint is still there.
        assert.deepEqual(weightsOfProgram(program), afterStep2);
        assert.ok(allFinite(afterStep2));
        assert.deepEqual(await entries(dir), ["step-000000002"]);
        const fresh = smallProgram();
        const restored = await loadCheckpoint(fresh, `${dir}/step-000000002`);
        assert.equal(restored.step, 2);
        assert.deepEqual(weightsOfProgram(fresh), afterStep2);
        fresh.dispose();
        program.dispose();
        batches.return(undefined);
        assert.equal(tf.memory().numTensors, before, "no tensor leaks");
        await Deno.remove(dir, { recursive: true });
      } finally {
        await tf.setBackend("cpu");
      }
    },
  });

  Deno.test({
    name:
      `${name}: infinite gradients stop training at their step, restore weights and Adam, write no checkpoint`,
    ignore,
    fn: async () => {
      await use(name);
      try {
        const dir = await Deno.makeTempDir();
        const before = tf.memory().numTensors;
        const program = smallProgram({ loss: infiniteGradientAt(3) });
        let afterStep2: number[][] = [];
        let slotsAfterStep2: number[][] = [];
        const losses: number[] = [];
        await assert.rejects(
          (async () => {
            for await (
              const r of fit(program, triplets(6), {
                steps: 6,
                progress: "none",
                checkpoint: { dir, every: 1, keep: 1 },
              })
            ) {
              losses.push(r.loss);
              if (r.step === 2) {
                afterStep2 = weightsOfProgram(program);
                const slots = await program.optimizer.getWeights();
                slotsAfterStep2 = slots.map((w) => Array.from(w.tensor.dataSync()));
                tf.dispose(
                  slots.filter((w) => !(w.tensor instanceof tf.Variable)).map((w) => w.tensor),
                );
              }
            }
          })(),
          /Cannot continue training as the weights became non-finite at step 3 \(epoch 1, step 3 of the epoch\) although the loss is [0-9.e-]+: (embedder weight|optimiser slot) .* holds NaN .*; the weights and optimiser state of step 2 are restored/,
        );
        assert.equal(losses.length, 2);
        // Weights, Adam's moments and its iteration count are back at step 2, bit for bit.
        assert.deepEqual(weightsOfProgram(program), afterStep2);
        const slots = await program.optimizer.getWeights();
        assert.deepEqual(slots.map((w) => Array.from(w.tensor.dataSync())), slotsAfterStep2);
        assert.equal(slots[0].tensor.dataSync()[0], 2, "Adam's iteration count");
        tf.dispose(slots.filter((w) => !(w.tensor instanceof tf.Variable)).map((w) => w.tensor));
        // No checkpoint of the poisoned step; the last good one stays (keep: 1).
        assert.deepEqual(await entries(dir), ["step-000000002"]);
        // Training continues from there (the loss's poison was a one-off).
        const rest = await drain(
          fit(program, triplets(7), {
            steps: 4,
            progress: "none",
            checkpoint: { dir, every: 1, keep: 1 },
            resume: true,
          }),
        );
        assert.deepEqual(rest.yields.map((r) => r.step), [3, 4]);
        assert.ok(allFinite(weightsOfProgram(program)));
        assert.deepEqual(await entries(dir), ["step-000000004"]);
        program.dispose();
        assert.equal(tf.memory().numTensors, before, "no tensor leaks");
        await Deno.remove(dir, { recursive: true });
      } finally {
        await tf.setBackend("cpu");
      }
    },
  });
}

Deno.test("fit refuses to start from non-finite weights, naming the weight", async () => {
  const program = fakeProgram();
  poisonKernel(program, NaN, 1, 2);
  await assert.rejects(
    drain(fit(program, stream(1), { steps: 2, progress: "none" })),
    /Cannot fit as the program's state is not finite before step 1: embedder weight 0 \(.*kernel\) holds NaN at index 5 of 12/,
  );
  program.dispose();
});
