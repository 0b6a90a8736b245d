import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import fc from "fast-check";
import { fit, type StepReport } from "../../lib/train/fit.ts";
import { historyLog, readHistory } from "../../lib/train/history_log.ts";

await tf.setBackend("cpu");

const CHILD = new URL("./_history_child.ts", import.meta.url).pathname;

/** A program whose loss is its batch's mean (it trains nothing). */
function meanProgram() {
  const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });
  return {
    embedder,
    optimizer: tf.train.sgd(0.1),
    setLearningRate: () => {},
    trainStep: (x: tf.Tensor) => tf.mean(x) as tf.Scalar,
  };
}

function* endless() {
  for (let i = 1;; i++) yield tf.fill([1, 1], i);
}

function* from(start: number) {
  for (let i = start;; i++) yield tf.fill([1, 1], 100 + i);
}

async function drain<T, R>(run: AsyncGenerator<T, R, void>): Promise<{ seen: T[]; value: R }> {
  const seen: T[] = [];
  let result = await run.next();
  while (!result.done) {
    seen.push(result.value);
    result = await run.next();
  }
  return { seen, value: result.value };
}

Deno.test("historyLog writes every step, epoch end and validation, and passes fit's reports and history through", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const program = meanProgram();
    const path = `${dir}/run/history.jsonl`;
    const validation = { every: 2, run: ({ step }: { step: number }) => ({ p1: step / 10 }) };
    const before = tf.memory().numTensors;
    const { seen, value } = await drain(
      historyLog(path, { config: { seed: 7, batch: 2 } })(
        fit(program, () => [1, 2, 3, 4, 5].map((v) => tf.fill([2, 1], v)), {
          epochs: 2,
          validation,
          learningRate: 0.05,
          progress: "none",
        }),
      ),
    );
    assert.equal(tf.memory().numTensors, before);
    assert.equal(value.steps, 10);
    assert.equal(seen.length, 10);
    const h = await readHistory(path);
    assert.deepEqual(h.config, { seed: 7, batch: 2 });
    assert.deepEqual(h.steps.map((s) => s.step), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(h.steps.map((s) => s.loss), [1, 2, 3, 4, 5, 1, 2, 3, 4, 5]);
    assert.deepEqual(h.steps.map((s) => s.epoch), [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    assert.ok(h.steps.every((s) => s.learningRate === 0.05));
    assert.deepEqual(
      h.steps.map((s) => s.imagesPerSecond),
      seen.map((r: StepReport) => r.imagesPerSecond),
    );
    assert.deepEqual(h.validation.map((v) => [v.step, v.metrics.p1]), [
      [2, 0.2],
      [4, 0.4],
      [6, 0.6],
      [8, 0.8],
      [10, 1],
    ]);
    assert.deepEqual(h.epochs.map((e) => [e.step, e.meanLoss]), [[5, 3], [10, 3]]);
    assert.equal(h.end?.stopReason, "completed");
    assert.equal(h.end?.steps, 10);
    assert.equal(h.tornLines, 0);
    program.embedder.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("historyLog refuses to replace a file that is not a history log, and an existing log without append or overwrite", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const program = meanProgram();
    const mine = `${dir}/notes.txt`;
    await Deno.writeTextFile(mine, "my notes\n");
    const batches = () => [tf.fill([1, 1], 1)];
    await assert.rejects(
      drain(historyLog(mine, { overwrite: true })(fit(program, batches, { progress: "none" }))),
      /notes\.txt" exists and is not a likeness history log/,
    );
    assert.equal(await Deno.readTextFile(mine), "my notes\n");
    await Deno.mkdir(`${dir}/folder`);
    await assert.rejects(
      drain(historyLog(`${dir}/folder`)(fit(program, batches, { progress: "none" }))),
      /folder" is not a file/,
    );
    const log = `${dir}/history.jsonl`;
    await drain(historyLog(log)(fit(program, batches, { progress: "none" })));
    await assert.rejects(
      drain(historyLog(log)(fit(program, batches, { progress: "none" }))),
      /already exists: pass append: true .* or overwrite: true/,
    );
    await drain(historyLog(log, { overwrite: true })(fit(program, batches, { progress: "none" })));
    assert.equal((await readHistory(log)).steps.length, 1);
    assert.throws(() => historyLog(""), /path must be a non-empty string: current value is ""/);
    program.embedder.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("breaking out of a logged run closes the log and stops fit (no tensors left)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const program = meanProgram();
    const before = tf.memory().numTensors;
    const run = historyLog(`${dir}/h.jsonl`)(
      fit(program, endless(), { steps: 1000, progress: "none" }),
    );
    for await (const report of run) if (report.step === 3) break;
    assert.equal(tf.memory().numTensors, before);
    const h = await readHistory(`${dir}/h.jsonl`);
    assert.deepEqual(h.steps.map((s) => s.step), [1, 2, 3]);
    assert.equal(h.end, null, "a run stopped from outside has no end record");
    program.embedder.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readHistory ignores a torn last line; append cuts it off and continues; a resumed run replaces repeated steps", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/history.jsonl`;
    const header =
      '{"format":"likeness-history/1","kind":"run","started":"2026-01-01T00:00:00.000Z","config":{}}';
    const step = (n: number, loss: number) =>
      JSON.stringify({
        kind: "step",
        step: n,
        epoch: 0,
        loss,
        lr: null,
        imagesPerSecond: 1,
        elapsedMs: n,
      });
    await Deno.writeTextFile(
      path,
      [header, step(1, 9), step(2, 8), step(3, 7).slice(0, 20)].join("\n"),
    );
    const torn = await readHistory(path);
    assert.deepEqual(torn.steps.map((s) => s.step), [1, 2]);
    assert.equal(torn.tornLines, 1);
    assert.ok(Number.isNaN(torn.steps[0].learningRate), "null lr reads as NaN");
    // a corrupt line in the middle is not a crash's doing: an error naming file and line
    await Deno.writeTextFile(`${dir}/bad.jsonl`, [header, "garbage", step(1, 1), ""].join("\n"));
    await assert.rejects(
      readHistory(`${dir}/bad.jsonl`),
      /bad\.jsonl" as line 2 is not a log record/,
    );
    await assert.rejects(
      readHistory(`${dir}/missing.jsonl`),
      /Cannot read the history log ".*missing\.jsonl"/,
    );
    // resume with append: the torn line goes, the new run's steps 2… replace the old ones
    const program = meanProgram();
    await drain(
      historyLog(path, { append: true })(fit(program, from(0), { steps: 3, progress: "none" })),
    );
    const text = await Deno.readTextFile(path);
    assert.ok(!text.includes(step(3, 7).slice(0, 20) + "{"), "the torn line was cut off");
    const h = await readHistory(path);
    assert.equal(h.tornLines, 0);
    assert.deepEqual(h.steps.map((s) => [s.step, s.loss]), [[1, 100], [2, 101], [3, 102]]);
    assert.equal(h.end?.steps, 3);
    program.embedder.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("kill -9 while logging: the log always reads (torn last line ignored), steps contiguous; append continues it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/history.jsonl`;
    for (const [round, mode] of [[0, "new"], [1, "append"], [2, "append"]] as const) {
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", CHILD, path, mode, "100000"],
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const reader = child.stdout.getReader();
      const first = await reader.read();
      assert.equal(new TextDecoder().decode(first.value).trim(), "started");
      // let it log for a while (a different moment each round), then kill it
      await new Promise((resolve) => setTimeout(resolve, 150 + 170 * round));
      child.kill("SIGKILL");
      const status = await child.status;
      reader.releaseLock();
      await child.stdout.cancel();
      await child.stderr.cancel();
      assert.equal(status.signal, "SIGKILL");
      const h = await readHistory(path);
      assert.ok(h.steps.length >= 1, `round ${round}: some steps logged`);
      assert.deepEqual(h.steps.map((s) => s.step), h.steps.map((_, i) => i + 1));
      assert.deepEqual(h.steps.map((s) => s.loss), h.steps.map((_, i) => i + 1));
      assert.ok(h.validation.every((v) => v.step % 5 === 0 && v.metrics.score === v.step));
      assert.equal(h.end, null);
      assert.equal(h.config.mode, "new", "the header (and its configuration) is the first run's");
      const text = await Deno.readTextFile(path);
      assert.equal(text.split("\n").filter((l) => l.includes('"kind":"resume"')).length, round);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readHistory on arbitrary bytes returns a history or throws an Error naming the file", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/fuzz.jsonl`;
  const header =
    '{"format":"likeness-history/1","kind":"run","started":"2026-01-01T00:00:00.000Z","config":{}}\n';
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.array(
            fc.oneof(
              fc.json(),
              fc.record({
                kind: fc.constantFrom("step", "epoch", "validation", "end"),
                step: fc.anything(),
              }),
            ),
            { maxLength: 6 },
          ).map((rows) => new TextEncoder().encode(rows.map((r) => JSON.stringify(r)).join("\n"))),
        ),
        async (withHeader, body) => {
          const head = withHeader ? new TextEncoder().encode(header) : new Uint8Array();
          await Deno.writeFile(path, new Uint8Array([...head, ...body]));
          try {
            const h = await readHistory(path);
            assert.ok(h.steps.every((s) => Number.isSafeInteger(s.step) && s.step >= 1));
          } catch (error) {
            assert.ok(error instanceof Error);
            assert.match(error.message, /fuzz\.jsonl/);
          }
        },
      ),
      { numRuns: 150 },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
