// kill -9 while checkpointing (issue #19): a child process trains a compiled VGG (spatial
// dropout on) with a checkpoint after every step; the parent kills it at seeded random
// moments, a bounded number of times. After every kill each remaining checkpoint verifies;
// the next start resumes from the newest one and removes what the killed write left; the
// run that finally completes ends with the losses and weights of an uninterrupted run.
import assert from "node:assert/strict";
import { listCheckpointDirs, readCheckpoint } from "../../lib/train/_checkpoint.ts";

const here = new URL(".", import.meta.url).pathname;
const root = new URL("../../", import.meta.url).pathname;
const STEPS = 48; // more than the kills reach: each run makes at most 4 steps
const KILLS = 10;

/** A child run: its stdout lines as they come, and its process. */
function start(dir: string, paced = false) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "-A",
      "--config",
      `${root}deno.json`,
      `${here}_checkpoint_child.ts`,
      dir,
      String(STEPS),
      ...(paced ? ["paced"] : []),
    ],
    stdin: paced ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const nextLine = async (): Promise<string | undefined> => {
    while (true) {
      const newline = buffer.indexOf("\n");
      if (newline >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        return line;
      }
      const r = await lines.read();
      if (r.done) {
        const rest = buffer;
        buffer = "";
        return rest.length > 0 ? rest : undefined;
      }
      buffer += r.value;
    }
  };
  const stderr = new Response(child.stderr).text();
  const writer = paced ? child.stdin.getWriter() : undefined;
  /** Lets a paced child start its next step. */
  const go = async () => {
    await writer?.write(new Uint8Array([1])).catch(() => {});
  };
  const close = async () => {
    await writer?.close().catch(() => {});
  };
  return { child, nextLine, stderr, go, close };
}

const entries = async (dir: string): Promise<string[]> => {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out.sort();
};

const temps = (names: string[]) => names.filter((n) => !/^step-\d{9}$/.test(n));

/** Runs a child to its end; returns its last line, parsed. */
async function finish(run: ReturnType<typeof start>) {
  let last: string | undefined;
  const steps: number[] = [];
  for (let line = await run.nextLine(); line !== undefined; line = await run.nextLine()) {
    last = line;
    const parsed = JSON.parse(line);
    if (parsed.step !== undefined) steps.push(parsed.step);
  }
  const status = await run.child.status;
  assert.equal(status.code, 0, `the child failed: ${await run.stderr}`);
  return { steps, result: JSON.parse(last!) as { loss: number[]; weights: string } };
}

Deno.test("checkpoints survive kill -9 at random moments; resume is exact and cleans up", async () => {
  const dir = await Deno.makeTempDir();
  let seed = 20261201;
  const random = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  const leftoversSeen: string[] = [];
  let killed = 0;
  for (let k = 0; k < KILLS; k++) {
    const newest = (await listCheckpointDirs(dir)).at(-1)?.step ?? 0;
    const before = temps(await entries(dir).catch(() => []));
    const run = start(dir, true);
    // Let it make 2–3 whole steps (each with its checkpoint), timing them; then start one
    // more and kill it after a random fraction of that time: inside the step or the write.
    try {
      const wanted = 2 + Math.floor(random() * 2);
      let stepMs = 0;
      for (let i = 0; i < wanted; i++) {
        const t0 = performance.now();
        await run.go();
        const line = await run.nextLine();
        stepMs = performance.now() - t0;
        if (line === undefined) {
          assert.fail(`kill ${k}: the child ended early: ${await run.stderr}`);
        }
        const parsed = JSON.parse(line);
        if (i === 0) {
          // The start resumed from the newest checkpoint and removed the killed run's leftovers.
          assert.equal(parsed.step, newest + 1, `kill ${k}: resumed after step ${newest}`);
          const now = await entries(dir);
          for (const name of before) assert.ok(!now.includes(name), `kill ${k}: ${name} remains`);
        }
      }
      await run.go();
      await new Promise((resolve) => setTimeout(resolve, random() * stepMs));
    } finally {
      // The kill; on a failed assertion too, so no child is left behind.
      try {
        run.child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
      if ((await run.child.status).signal === "SIGKILL") killed += 1;
      await run.close();
      await run.stderr;
    }
    // Every checkpoint left verifies (weights, digest, finiteness).
    const left = await listCheckpointDirs(dir);
    // keep: 2, plus one when the kill came between a new checkpoint and the removal of the
    // oldest (the next write trims it).
    assert.ok(left.length >= 1 && left.length <= 3, `kill ${k}: ${left.length} checkpoints`);
    for (const c of left) await readCheckpoint(c.path);
    leftoversSeen.push(...temps(await entries(dir)));
  }
  // The run that completes: resumes, trains to the end, leaves only checkpoints.
  const completed = await finish(start(dir));
  assert.deepEqual(temps(await entries(dir)), [], "no temp leftovers after the next start");
  assert.equal((await listCheckpointDirs(dir)).length, 2, "keep: 2");
  const straight = await finish(start("-"));
  assert.deepEqual(straight.steps, Array.from({ length: STEPS }, (_, i) => i + 1));
  assert.equal(killed, KILLS);
  assert.deepEqual(completed.result.loss, straight.result.loss, "the same losses, bit for bit");
  assert.equal(completed.result.weights, straight.result.weights, "the same weights, bit for bit");
  console.log(
    `${killed} kills; leftovers of killed writes seen (and then removed): ${leftoversSeen.length}`,
  );
  await Deno.remove(dir, { recursive: true });
});
