// Writers and readers in separate processes on one SQLite gallery at the same time: no
// committed enrolment is lost, no reader sees half of one, and no "database is locked"
// reaches anyone (writers wait for each other; readers never wait in write-ahead-log mode).
import assert from "node:assert/strict";
import { openGallery, sqliteStore } from "../../lib/gallery/mod.ts";
import { DIM, rowOf, ROWS } from "./_concurrent_child.ts";

const WRITERS = 3, READERS = 2;
/** How long the processes work together, and the most the whole test may take. */
const WORK_MS = 4000, LIMIT_MS = 25_000;

interface Run {
  readonly role: string;
  readonly index: number;
  readonly code: number | "killed";
  readonly lines: string[];
  readonly stderr: string;
}

async function spawn(
  role: string,
  index: number,
  path: string,
  start: number,
  stop: number,
): Promise<Run> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./_concurrent_child.ts", import.meta.url).pathname,
      role,
      path,
      String(index),
      String(start),
      String(stop),
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill("SIGKILL");
  }, LIMIT_MS);
  const { code, stdout, stderr } = await child.output();
  clearTimeout(timer);
  return {
    role,
    index,
    code: killed ? "killed" : code,
    lines: new TextDecoder().decode(stdout).trim().split("\n").filter((l) => l !== ""),
    stderr: new TextDecoder().decode(stderr),
  };
}

Deno.test("writers and readers in separate processes share one gallery safely", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "likeness-concurrent-" });
  try {
    const path = `${dir}/shared.db`; // not there yet: the processes race to create it
    // Start together once every process has loaded (a few seconds on a busy machine).
    const start = Date.now() + 3000, stop = start + WORK_MS;
    const runs = await Promise.all([
      ...Array.from({ length: WRITERS }, (_, i) => spawn("writer", i, path, start, stop)),
      ...Array.from({ length: READERS }, (_, i) => spawn("reader", i, path, start, stop)),
    ]);
    for (const run of runs) {
      const said = `${run.role} ${run.index}: ${run.lines.slice(-3).join(" | ")} ${run.stderr}`;
      assert.equal(run.code, 0, said);
      assert.ok(!/locked|busy/i.test(run.lines.join("\n") + run.stderr), said);
    }

    // What the writers committed, in order: enrolled and not removed must be in the file.
    const expected = new Set<string>();
    let commits = 0;
    for (const run of runs.filter((r) => r.role === "writer")) {
      assert.match(run.lines[run.lines.length - 1], /^done \d+$/);
      for (const line of run.lines.slice(0, -1)) {
        const [sign, ...names] = line.split(" ");
        for (const name of names) sign === "+" ? expected.add(name) : expected.delete(name);
        commits++;
      }
    }
    assert.ok(commits >= WRITERS * 10, `only ${commits} commits: the writers barely ran`);

    const store = sqliteStore(path, { dim: DIM, fingerprint: "concurrent" });
    const gallery = openGallery(store);
    assert.deepEqual(new Set(gallery.identities()), expected, "no enrolment lost or revived");
    assert.equal(gallery.count(), expected.size * ROWS);
    for (const identity of expected) {
      const [, w, s] = /^w(\d+)-(\d+)/.exec(identity)!;
      const want = Array.from({ length: ROWS }, (_, r) => [...rowOf(Number(w), Number(s), r)]);
      assert.deepEqual([...store.embeddings(identity)], want.flat(), identity);
    }
    gallery.close();

    // The readers really read while the writers wrote.
    for (const run of runs.filter((r) => r.role === "reader")) {
      const seen = JSON.parse(run.lines[run.lines.length - 1]) as {
        snapshots: number;
        distinctCounts: number;
        queries: number;
      };
      assert.ok(seen.snapshots >= 5, `reader ${run.index}: ${JSON.stringify(seen)}`);
      assert.ok(
        seen.distinctCounts >= 3,
        `reader ${run.index} saw too few states: ${JSON.stringify(seen)}`,
      );
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
