// Property tests for `compile` options and `fit` options (issue #12): for arbitrary, hostile
// option values the call either trains correctly (finite losses, finite weights, nothing
// leaked, only whole checkpoints written) or throws an Error naming the bad option and the
// value seen — before any step or file.
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import fc from "fast-check";
import { dense, empty, flatten, l2Normalize, triplet } from "../../lib/branches/mod.ts";
import { compile } from "../../lib/compile/mod.ts";
import { tripletMargin } from "../../lib/losses/mod.ts";
import { pipe } from "../../lib/pipe.ts";
import { fit, type FitOptions } from "../../lib/train/mod.ts";
import { readCheckpoint } from "../../lib/train/_checkpoint.ts";
import { fakeProgram, stream } from "../train/_fake_program.ts";

await tf.setBackend("cpu");

/** A value with whether the option accepts it. */
type Candidate = { value: unknown; valid: boolean };
const ok = (arb: fc.Arbitrary<unknown>) => arb.map((value) => ({ value, valid: true }));
const bad = (arb: fc.Arbitrary<unknown>) => arb.map((value) => ({ value, valid: false }));
/** Mostly valid candidates (most cases then have at most one bad option). */
const mostly = (good: fc.Arbitrary<Candidate>, ...rest: fc.Arbitrary<Candidate>[]) =>
  fc.oneof({ arbitrary: good, weight: 16 * rest.length }, ...rest);

/** Values no numeric option accepts. */
const junk = fc.oneof(
  fc.constantFrom(NaN, -Infinity, -1, -0.5, 0.5, 1.5, "3", null, true, [2], { n: 2 }, 2n),
  fc.double({ noNaN: false }).filter((x) => !Number.isInteger(x)),
  fc.integer({ max: -1 }),
);

/** A count option ≥ `min`: valid integers (small, so runs stay short) or junk. */
const count = (min: number, infinite: boolean): fc.Arbitrary<Candidate> =>
  mostly(
    infinite
      ? fc.oneof(
        { arbitrary: ok(fc.integer({ min, max: min + 6 })), weight: 4 },
        ok(fc.constant(Infinity)),
      )
      : ok(fc.integer({ min, max: min + 6 })),
    ...(infinite ? [] : [bad(fc.constant(Infinity))]),
    bad(min > 0 ? fc.constant(0) : fc.constant(-3)),
    bad(junk),
  );

const optional = (arb: fc.Arbitrary<Candidate>) => fc.option(arb, { nil: undefined, freq: 2 });

const learningRate = mostly(
  fc.oneof(
    ok(fc.double({ min: 1e-6, max: 1, noNaN: true })),
    ok(fc.constant((step: number) => 0.01 / (1 + step))),
  ),
  bad(fc.constantFrom(0, -0.1, NaN, Infinity, "0.01", null)),
);

/** A schedule that goes bad at some step: an error at that step naming learningRate. */
const badSchedule = fc.record({
  at: fc.integer({ min: 0, max: 4 }),
  value: fc.constantFrom(0, -1, NaN, Infinity, "0.1", undefined),
});

const fitCase = fc.record({
  epochs: optional(count(1, true)),
  steps: optional(count(1, true)),
  stepsPerEpoch: optional(count(1, true)),
  logEvery: optional(count(1, true)),
  learningRate: optional(learningRate),
  schedule: fc.option(badSchedule, { nil: undefined, freq: 6 }),
  checkpoint: fc.option(
    fc.record({
      dir: mostly(
        ok(fc.constant("dir")),
        bad(fc.constantFrom("", 7, null)),
      ),
      every: count(1, false),
      keep: optional(count(1, false)),
    }),
    { nil: undefined, freq: 4 },
  ),
  earlyStopping: fc.option(
    fc.record({
      mode: optional(mostly(ok(fc.constantFrom("min", "max")), bad(fc.constantFrom("up", 1)))),
      patience: optional(count(0, true)),
      minDelta: optional(
        mostly(ok(fc.double({ min: 0, max: 1, noNaN: true })), bad(fc.constantFrom(-1, NaN))),
      ),
    }),
    { nil: undefined, freq: 4 },
  ),
  resume: optional(
    mostly(ok(fc.constantFrom(true, false)), bad(fc.constantFrom("", 1, null, {}))),
  ),
  progress: optional(
    mostly(ok(fc.constantFrom("none", "lines", "bar", "auto")), bad(fc.constantFrom("loud", 3))),
  ),
});

type FitCase = typeof fitCase extends fc.Arbitrary<infer T> ? T : never;

const entries = async (dir: string): Promise<string[]> => {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out.sort();
};

/** The options of a case, and the names of its invalid ones. */
function build(c: FitCase, dir: string): { options: FitOptions; invalid: string[] } {
  const options: Record<string, unknown> = { write: () => {} };
  const invalid: string[] = [];
  const take = (name: string, candidate: Candidate | undefined, into = options, key = name) => {
    if (candidate === undefined) return;
    into[key] = candidate.value;
    if (!candidate.valid) invalid.push(name);
  };
  for (const name of ["epochs", "steps", "stepsPerEpoch", "logEvery", "progress"] as const) {
    take(name, c[name]);
  }
  take("learningRate", c.learningRate);
  if (c.checkpoint) {
    const checkpoint: Record<string, unknown> = {};
    const { dir: where, every, keep } = c.checkpoint;
    take("checkpoint.dir", where.valid ? { value: dir, valid: true } : where, checkpoint, "dir");
    take("checkpoint.every", every, checkpoint, "every");
    take("checkpoint.keep", keep, checkpoint, "keep");
    options.checkpoint = checkpoint;
  }
  if (c.earlyStopping) {
    const early: Record<string, unknown> = { monitor: "loss" };
    take("earlyStopping.mode", c.earlyStopping.mode, early, "mode");
    take("earlyStopping.patience", c.earlyStopping.patience, early, "patience");
    take("earlyStopping.minDelta", c.earlyStopping.minDelta, early, "minDelta");
    options.earlyStopping = early;
  }
  take("resume", c.resume);
  if (c.resume?.value === true && !c.checkpoint) invalid.push("resume");
  return { options: options as FitOptions, invalid };
}

Deno.test("fit options: a clear error naming the option, or a correct run", async () => {
  const root = await Deno.makeTempDir();
  let runs = 0;
  let refused = 0;
  let trained = 0;
  await fc.assert(
    fc.asyncProperty(fitCase, async (c) => {
      const dir = `${root}/run-${runs++}`;
      const { options, invalid } = build(c, dir);
      const schedule = c.schedule;
      if (schedule && invalid.length === 0) {
        (options as { learningRate?: unknown }).learningRate = (step: number) =>
          step >= schedule.at ? schedule.value : 0.01;
      }
      const before = tf.memory().numTensors;
      const program = fakeProgram();
      const run = fit(program, stream(runs), options);
      try {
        let steps = 0;
        try {
          for (let r = await run.next(); !r.done && steps < 12; r = await run.next()) {
            steps += 1;
            assert.ok(Number.isFinite(r.value.loss), `a finite loss at step ${r.value.step}`);
          }
          assert.deepEqual(invalid, [], `accepted invalid ${invalid.join(", ")}`);
          if (steps > 0) trained += 1;
        } catch (error) {
          if (error instanceof assert.AssertionError) throw error;
          const message = (error as Error).message;
          if (invalid.length > 0) {
            refused += 1;
            assert.equal(steps, 0, `${message}: refused only after ${steps} steps`);
            assert.ok(
              invalid.some((name) => message.includes(`as ${name} `) || message.includes(name)),
              `"${message}" names none of ${invalid.join(", ")}`,
            );
            assert.match(message, /current value is|needs checkpoint\.dir/);
            assert.ok(!(await Deno.stat(dir).then(() => true, () => false)), "nothing written");
          } else if (schedule) {
            assert.match(
              message,
              new RegExp(
                `^Cannot set the learning rate at step ${
                  steps + 1
                } as the schedule gave .* \\(learningRate\\(${steps}, \\d+\\)\\)`,
              ),
            );
            assert.equal(steps, schedule.at);
          } else {
            throw error;
          }
        }
        // Never a non-finite weight; only whole checkpoints.
        for (const w of program.embedder.getWeights()) {
          assert.ok(w.dataSync().every(Number.isFinite));
        }
        if (await Deno.stat(dir).then(() => true, () => false)) {
          for (const name of await entries(dir)) {
            assert.match(name, /^step-\d{9}$/);
            await readCheckpoint(`${dir}/${name}`);
          }
        }
      } finally {
        await run.return(undefined as never);
        program.dispose();
      }
      assert.equal(tf.memory().numTensors, before, "no tensor leaks");
    }),
    { numRuns: 150, seed: 12 },
  );
  assert.ok(refused > 20 && trained > 20, `${refused} refused cases, ${trained} runs that trained`);
  await Deno.remove(root, { recursive: true });
});

const compileCase = fc.record({
  inputShape: fc.oneof(
    ok(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 })),
    bad(fc.constantFrom([], [0], [3, -1], [2.5], [NaN], [Infinity], [2 ** 31], ["4"], "4", null)),
  ),
  seed: optional(
    fc.oneof(
      ok(fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.constant(2 ** 32 - 1))),
      bad(fc.constantFrom(-1, 0.5, NaN, Infinity, 2 ** 32, 2 ** 40, "1")),
    ),
  ),
  learningRate: optional(
    fc.oneof(
      ok(fc.double({ min: 1e-8, max: 10, noNaN: true })),
      bad(fc.constantFrom(0, -1e-3, NaN, Infinity, -Infinity, "0.1")),
    ),
  ),
  optimizer: optional(
    fc.oneof(
      ok(fc.constantFrom("adam", "sgd", "rmsprop", "adagrad")),
      bad(fc.constantFrom("adamw", "", 3, {})),
    ),
  ),
});

Deno.test("compile options: a clear error naming the option, or a program that trains", () => {
  const model = triplet(
    pipe(empty, flatten(), dense(4, { activation: "relu" }), dense(3), l2Normalize()),
  );
  let refused = 0;
  let trained = 0;
  fc.assert(
    fc.property(compileCase, (c) => {
      const options: Record<string, unknown> = { model, loss: tripletMargin() };
      const invalid: string[] = [];
      for (const [name, candidate] of Object.entries(c)) {
        if (candidate === undefined) continue;
        options[name] = candidate.value;
        if (!candidate.valid) invalid.push(name);
      }
      const before = tf.memory().numTensors;
      let program;
      try {
        program = compile(options as unknown as Parameters<typeof compile>[0]);
      } catch (error) {
        const message = (error as Error).message;
        assert.ok(invalid.length > 0, `refused valid options: ${message}`);
        assert.ok(
          invalid.some((name) => message.includes(`as ${name} must`)),
          `"${message}" names none of ${invalid.join(", ")}`,
        );
        assert.match(message, /current value is/);
        assert.equal(tf.memory().numTensors, before, "no tensor leaks");
        refused += 1;
        return;
      }
      try {
        assert.deepEqual(invalid, [], `accepted invalid ${invalid.join(", ")}`);
        const shape = c.inputShape.value as number[];
        const x = (seed: number) => tf.randomUniform([3, ...shape], 0, 1, "float32", seed);
        const batch = { kind: "triplet" as const, anchor: x(1), positive: x(2), negative: x(3) };
        const loss = program.trainStep(batch);
        assert.ok(Number.isFinite(loss.dataSync()[0]));
        tf.dispose([loss, batch.anchor, batch.positive, batch.negative]);
        assert.equal(program.embeddingSize, 3);
        trained += 1;
      } finally {
        program.dispose();
      }
      assert.equal(tf.memory().numTensors, before, "no tensor leaks");
    }),
    { numRuns: 150, seed: 7 },
  );
  assert.ok(refused > 20 && trained > 20, `${refused} refused cases, ${trained} that trained`);
});
