/**
 * Child process for the bounded-reading tests: reads an IDX file with readIdx (or the
 * Fashion-MNIST test split with LIKENESS_DATA set by the parent) and prints, as one JSON
 * line, the outcome and the process's peak resident memory (VmHWM) before and after.
 * Arguments: "idx" or "fashion", then the path (for "idx").
 */
// Not mod.ts: this probe also runs as an unprivileged user with an empty DENO_DIR, so it
// imports only modules without npm dependencies.
import { readIdx } from "../../lib/data/read_idx.ts";
import { fashionMnist } from "../../lib/data/fashion_mnist.ts";

const hwmKiB = () => {
  try {
    const line = Deno.readTextFileSync("/proc/self/status").split("\n")
      .find((l) => l.startsWith("VmHWM:"));
    return Number(line?.match(/\d+/)?.[0]);
  } catch {
    return undefined; // not Linux, or not allowed
  }
};
const [mode, path] = Deno.args;
const before = hwmKiB();
const t0 = performance.now();
let result: Record<string, unknown>;
try {
  const size = mode === "idx"
    ? (await readIdx(path)).data.length
    : (await fashionMnist({ split: "test", download: false })).size;
  result = { ok: true, size };
} catch (e) {
  const error = e as Error & { reason?: string };
  result = { ok: false, name: error.name, reason: error.reason, message: error.message };
}
console.log(JSON.stringify({
  ...result,
  seconds: (performance.now() - t0) / 1000,
  hwmBeforeKiB: before,
  hwmAfterKiB: hwmKiB(),
}));
