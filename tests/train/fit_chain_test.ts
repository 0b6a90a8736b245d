/**
 * `fit` as a composition: a user-assembled chain of the step stream and transformers, one owner
 * of batches, and no tensor left behind on any way out (end, error, early stop, break, abort).
 */
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import {
  chain,
  checkpoints,
  earlyStopping,
  finiteGuard,
  fit,
  fitToEnd,
  historyOf,
  lazyBatches,
  loadCheckpoint,
  recordHistory,
  resume,
  schedule,
  steps,
  transformer,
  validate,
} from "../../lib/train/mod.ts";
import { pipe } from "../../lib/pipe.ts";
import { drain, type FakeBatch, fakeProgram } from "./_fake_program.ts";

await tf.setBackend("cpu");

/** Labelled batches of 4 rows from a seeded LCG, as index batches (the batch number). */
const makeBatch = (i: number): FakeBatch => {
  let s = (i + 1) * 2654435761 >>> 0;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const x: number[] = [];
  const labels: number[] = [];
  for (let r = 0; r < 4; r++) {
    const label = Math.floor(next() * 3);
    labels.push(label);
    for (let j = 0; j < 4; j++) x.push(next() + (j === label ? 1 : 0));
  }
  return { kind: "labelled", embeddings: tf.tensor2d(x, [4, 4]), labels: tf.tensor1d(labels) };
};
function* counting(): Generator<number> {
  for (let i = 0;; i++) yield i;
}
/** Endless lazy batches; `alive` tracks the converted batches not yet disposed. */
const lazySource = (track?: { alive: () => number; made: FakeBatch[] }) => {
  const made: FakeBatch[] = track?.made ?? [];
  return lazyBatches(counting(), (i: number) => {
    const b = makeBatch(i);
    made.push(b);
    return b;
  });
};
const aliveIn = (made: FakeBatch[]) =>
  made.filter((b) => !b.embeddings.isDisposed || !b.labels.isDisposed).length;

Deno.test("a user-assembled chain: its own transformer, state saved in checkpoints and resumed", async () => {
  const dir = await Deno.makeTempDir();
  const before = tf.memory().numTensors;
  // a user transformer: counts steps in run.state (so checkpoints keep it) and passes on
  // only the even steps
  const evenSteps = transformer<FakeBatch>(async function* (up, run) {
    for await (const r of up) {
      const mine = (run.state.mine ?? { count: 0 }) as { count: number };
      run.state.mine = { count: mine.count + 1 };
      if (r.step % 2 === 0) yield r;
    }
  });
  const a = fakeProgram();
  const run = pipe(
    steps(a, lazySource(), { steps: 6, stepsPerEpoch: 4 }),
    schedule((step) => 0.01 * (step + 1)),
    finiteGuard(),
    evenSteps,
    recordHistory(),
    checkpoints({ dir, every: 2 }),
  );
  const seen: number[] = [];
  for await (const r of run) seen.push(r.step);
  assert.deepEqual(seen, [2, 4, 6]);
  assert.deepEqual(a.rates.map((r) => +r.toFixed(6)), [0.01, 0.02, 0.03, 0.04, 0.05, 0.06]);
  const h = historyOf(run.run)!;
  assert.equal(h.loss.length, 3, "the history sees what reaches it");
  assert.equal(h.stopReason, "steps");
  a.dispose();

  // resume into a new program and a chain of its own
  const b = fakeProgram();
  const start = await resume(b, true, dir);
  assert.equal(start?.step, 6);
  assert.deepEqual((start?.state as { mine: unknown }).mine, { count: 6 });
  const converted: number[] = [];
  const source = lazyBatches(counting(), (i: number, at) => {
    converted.push(at.step);
    return makeBatch(i);
  });
  const more = chain<FakeBatch>(finiteGuard(), evenStepsOf(), recordHistory())(
    steps(b, source, { steps: 8, stepsPerEpoch: 4, start }),
  );
  for await (const _ of more);
  assert.deepEqual(converted, [6, 7]);
  assert.deepEqual(more.run.state.mine2, { count: 2 });
  assert.equal(historyOf(more.run)!.steps, 8);
  b.dispose();
  assert.equal(tf.memory().numTensors, before);
  await Deno.remove(dir, { recursive: true });
});

/** A transformer factory (a fresh one per chain). */
const evenStepsOf = () =>
  transformer<FakeBatch>(async function* (up, run) {
    for await (const r of up) {
      const mine = (run.state.mine2 ?? { count: 0 }) as { count: number };
      run.state.mine2 = { count: mine.count + 1 };
      yield r;
    }
  });

Deno.test("a transformer stops the run with run.stop; a stream runs once", async () => {
  const p = fakeProgram();
  const stopAt3 = transformer<FakeBatch>(async function* (up, run) {
    for await (const r of up) {
      if (r.step === 3) run.stop("early-stopping");
      yield r;
    }
  });
  const s = pipe(steps(p, lazySource(), { steps: 10, stepsPerEpoch: 4 }), stopAt3);
  const seen: number[] = [];
  for await (const r of s) seen.push(r.step);
  assert.deepEqual(seen, [1, 2, 3]);
  assert.equal(s.run.stopReason, "early-stopping");
  assert.throws(() => s[Symbol.asyncIterator](), /runs once/);
  p.dispose();
});

Deno.test("one owner: each converted batch is freed after its step, before the next is made", async () => {
  const before = tf.memory().numTensors;
  const made: FakeBatch[] = [];
  let most = 0;
  const p = fakeProgram();
  const source = lazyBatches(counting(), (i: number) => {
    most = Math.max(most, aliveIn(made));
    const b = makeBatch(i);
    made.push(b);
    return b;
  });
  // without stepsPerEpoch the stream looks one batch ahead: only at the indices
  const limited = lazyBatches(
    (function* () {
      for (let i = 0; i < 5; i++) yield i;
    })(),
    source.convert,
  );
  await fitToEnd(p, limited, { progress: "none" });
  assert.equal(made.length, 5);
  assert.equal(most, 0, "no batch was alive when the next was made");
  assert.equal(aliveIn(made), 0);
  p.dispose();
  assert.equal(tf.memory().numTensors, before);
});

/** Runs `f` and checks that numTensors is back where it was, whatever `f` did. */
const noLeak = async (what: string, f: () => Promise<unknown>) => {
  const before = tf.memory().numTensors;
  await f();
  assert.equal(tf.memory().numTensors, before, what);
};

Deno.test("no tensor is left behind on an error, an early stop, a break or an abort", async () => {
  const dir = await Deno.makeTempDir();
  const made: FakeBatch[] = [];
  const p = fakeProgram();
  const snapshot = () => p.embedder.getWeights().map((w) => Array.from(w.dataSync()).join());
  // Adam makes its slots on the first step: take one before counting
  await fitToEnd(p, lazySource(), { steps: 1, progress: "none" });
  await noLeak("NaN loss", async () => {
    const q = fakeProgram({ nanAt: 3 });
    try {
      await assert.rejects(
        fitToEnd(q, lazySource({ alive: () => 0, made }), { steps: 5, progress: "none" }),
        /loss is NaN at step 3/,
      );
    } finally {
      q.dispose();
    }
  });
  await noLeak("a conversion that throws", async () => {
    const source = lazyBatches(counting(), (i: number) => {
      if (i === 2) throw new Error("no such image 2");
      const b = makeBatch(i);
      made.push(b);
      return b;
    });
    const w = snapshot();
    await assert.rejects(fitToEnd(p, source, { steps: 5, progress: "none" }), /no such image 2/);
    assert.notDeepEqual(snapshot(), w, "two steps were taken before it");
  });
  await noLeak("a batch with a NaN, rejected before its step", async () => {
    const source = lazyBatches(counting(), (i: number) => {
      const b = makeBatch(i);
      made.push(b);
      if (i < 1) return b;
      const bad = { ...b, embeddings: tf.fill([4, 4], NaN) as tf.Tensor2D };
      b.embeddings.dispose();
      made.push(bad);
      return bad;
    });
    await assert.rejects(
      fitToEnd(p, source, { steps: 5, progress: "none" }),
      /step 2 .* batch\.embeddings holds NaN/,
    );
  });
  await noLeak("a transformer downstream that throws (no final checkpoint)", async () => {
    const boom = transformer<FakeBatch>(async function* (up) {
      for await (const r of up) {
        if (r.step === 2) throw new Error("boom at 2");
        yield r;
      }
    });
    const run = pipe(
      steps(p, lazySource({ alive: () => 0, made }), { steps: 5 }),
      finiteGuard(),
      recordHistory(),
      checkpoints({ dir: `${dir}/boom`, every: 10 }),
      boom,
    );
    await assert.rejects(
      (async () => {
        for await (const _ of run);
      })(),
      /boom at 2/,
    );
    const written = await Array.fromAsync(Deno.readDir(`${dir}/boom`)).catch(() => []);
    assert.equal(written.length, 0, "an error writes no final checkpoint");
  });
  await noLeak("validation that throws", async () => {
    await assert.rejects(
      fitToEnd(p, lazySource({ alive: () => 0, made }), {
        steps: 5,
        progress: "none",
        validation: {
          every: 2,
          run: () => {
            throw new Error("validation failed");
          },
        },
      }),
      /validation failed/,
    );
  });
  await noLeak("early stopping with restoreBest", async () => {
    const scores = [5, 4, 6, 7, 8, 9];
    const h = await fitToEnd(p, lazySource({ alive: () => 0, made }), {
      steps: 6,
      progress: "none",
      validation: { every: 1, run: ({ step }) => ({ score: scores[step - 1] }) },
      earlyStopping: { monitor: "score", patience: 1, restoreBest: true },
      checkpoint: { dir: `${dir}/early`, every: 100 },
    });
    assert.equal(h.stopReason, "early-stopping");
    assert.equal(h.steps, 4);
  });
  await noLeak("a consumer that breaks out (lookahead mode, plain tensor batches)", async () => {
    const perEpoch = function* () {
      for (let i = 0; i < 4; i++) yield makeBatch(i);
    };
    const run = fit(p, perEpoch, { epochs: 2, progress: "none" });
    for await (const r of run) if (r.step === 2) break;
  });
  await noLeak("a consumer that breaks out (lazy, per-epoch indices)", async () => {
    const source = lazyBatches(() => [0, 1, 2, 3], (i: number) => makeBatch(i));
    const run = fit(p, source, { epochs: 2, progress: "none" });
    for await (const r of run) if (r.step === 5) break;
  });
  await noLeak("an abort, with a checkpoint", async () => {
    const controller = new AbortController();
    const run = fit(p, lazySource({ alive: () => 0, made }), {
      steps: 9,
      progress: "none",
      signal: controller.signal,
      checkpoint: { dir: `${dir}/abort`, every: 100 },
    });
    const { value } = await drain(
      (async function* () {
        for await (const r of run) {
          if (r.step === 3) controller.abort();
          yield r;
        }
        return undefined;
      })(),
    );
    assert.equal(value, undefined);
    const other = fakeProgram();
    const saved = await loadCheckpoint(other, `${dir}/abort/step-000000003`);
    other.dispose();
    assert.equal(saved.step, 3);
  });
  assert.equal(aliveIn(made), 0, "every converted batch was disposed");
  p.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("transformers reject bad options, naming the option and its value", () => {
  assert.throws(() => schedule(-1), /positive number.*current value is -1/);
  assert.throws(() => validate({ every: 0, run: () => ({}) }), /every must be an integer ≥ 1/);
  assert.throws(
    () => earlyStopping({ monitor: "x", mode: "up" as "min" }),
    /mode must be "min" or "max": current value is "up"/,
  );
  assert.throws(() => checkpoints({ dir: "x", every: 1.5 }), /checkpoint.every.*1.5/);
  const p = fakeProgram();
  assert.throws(() => steps(p, [], { stepsPerEpoch: 0 }), /stepsPerEpoch must be an integer/);
  assert.throws(
    () => steps(p, [], { start: { step: -1, epoch: 0, stepInEpoch: 0 } }),
    /start.step must be an integer ≥ 0: current value is -1/,
  );
  p.dispose();
});
