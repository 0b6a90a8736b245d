// Runs an example as a subprocess with the permissions its header states, on the bundled
// sample (--quick), two steps of 10 unless `extra` overrides them; fails on a non-zero exit.
import assert from "node:assert/strict";

const root = new URL("../../", import.meta.url).pathname;
const decoder = new TextDecoder();

/** Runs `examples/<name>.ts --quick --steps 2 --batch 10 --out <out> ...extra`. */
export async function runExample(name: string, out: string, extra: string[] = []) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--allow-read",
      `--allow-write=${out}`,
      `${root}examples/${name}.ts`,
      "--quick",
      "--steps",
      "2",
      "--batch",
      "10",
      "--out",
      out,
      ...extra,
    ],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const stdout = decoder.decode(output.stdout);
  const stderr = decoder.decode(output.stderr);
  assert.equal(output.code, 0, `${name} failed:\n${stdout}\n${stderr}`);
  return { stdout, stderr };
}
