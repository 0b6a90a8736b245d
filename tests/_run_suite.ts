/**
 * Runs the whole test suite (every test file and every doc example) in two passes and ends with
 * one summary line for both, in `deno test`'s own format (`ok | N passed | M failed | K ignored`),
 * which `.ci/run` reads:
 *
 * 1. everything but the files below, with `deno test --parallel` (one worker per CPU);
 * 2. the files below, one at a time: they measure this process's memory (RSS), hold SQLite or
 *    Postgres locks against child processes on a clock, kill children mid-write, or drive a
 *    browser with timeouts, or set an environment variable (process-wide) — run beside other
 *    test files they would measure, race or mislead the others.
 *
 * Both passes always run (a failure in the first does not hide the second); the exit status is
 * non-zero if either failed. Extra arguments are passed to both `deno test` calls.
 *
 *     deno run --allow-run --allow-read --allow-env tests/_run_suite.ts
 *
 * @module
 */

/** Test files that must not share the process or the CPU with other test files. */
const SERIAL = [
  "tests/gallery/concurrent_test.ts",
  "tests/gallery/write_lock_test.ts",
  "tests/gallery/postgres_concurrent_test.ts",
  "tests/gallery/open_gallery_test.ts",
  "tests/gallery/verify_memory_test.ts",
  "tests/data/image_stream_memory_test.ts",
  "tests/data/fashion_mnist_test.ts", // sets LIKENESS_DATA, which is process-wide
  "tests/train/checkpoint_kill_test.ts",
  "tests/train/save_model_kill_test.ts",
  "tests/export/kill_test.ts",
  "tests/browser/",
  "tests/report/compare_browser_test.ts",
  "tests/report/interactive_browser_test.ts",
];

interface Summary {
  passed: number;
  failed: number;
  ignored: number;
  found: boolean;
}

/** Runs one `deno test`, echoing its output, and returns its exit code and summary counts. */
async function pass(args: string[]): Promise<{ code: number; summary: Summary }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["test", ...args],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const decoder = new TextDecoder();
  let tail = "";
  const summary: Summary = { passed: 0, failed: 0, ignored: 0, found: false };
  for await (const chunk of child.stdout) {
    await Deno.stdout.write(chunk);
    tail += decoder.decode(chunk, { stream: true });
    const lines = tail.split("\n");
    tail = lines.pop() ?? "";
    for (const line of lines) read(line, summary);
  }
  read(tail, summary);
  const { code } = await child.status;
  return { code, summary };
}

function read(line: string, summary: Summary): void {
  // deno test's last line: "ok | 12 passed (3 steps) | 0 failed | 1 ignored (5s)"
  // deno-lint-ignore no-control-regex
  const plain = line.replace(/\x1b\[[0-9;]*m/g, "");
  const m = /^(ok|FAILED) \| (\d+) passed.*\| (\d+) failed(?:.*\| (\d+) ignored)?/.exec(plain);
  if (!m) return;
  summary.passed = Number(m[2]);
  summary.failed = Number(m[3]);
  summary.ignored = Number(m[4] ?? 0);
  summary.found = true;
}

const extra = Deno.args;
const started = performance.now();
const first = await pass(["-A", "--doc", "--parallel", `--ignore=${SERIAL.join(",")}`, ...extra]);
const second = await pass(["-A", ...extra, ...SERIAL]);
const passed = first.summary.passed + second.summary.passed;
// A pass that failed without printing a summary (e.g. a type error) counts as one failure.
const failedOf = (r: { code: number; summary: Summary }) =>
  r.summary.found
    ? r.summary.failed + (r.code !== 0 && r.summary.failed === 0 ? 1 : 0)
    : (r.code !== 0 ? 1 : 0);
const failed = failedOf(first) + failedOf(second);
const ignored = first.summary.ignored + second.summary.ignored;
const seconds = Math.round((performance.now() - started) / 1000);
console.log(
  `\n${
    failed === 0 ? "ok" : "FAILED"
  } | ${passed} passed | ${failed} failed | ${ignored} ignored (${seconds}s, both passes)`,
);
Deno.exit(failed === 0 ? 0 : 1);
