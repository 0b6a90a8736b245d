/**
 * Child process for the bounded-reading tests: reads an IDX file with readIdx (or the
 * Fashion-MNIST test split with LIKENESS_DATA set by the parent) and prints, as one JSON
 * line, the outcome and the process's peak resident memory (VmHWM) before and after.
 * Arguments: "idx" or "fashion", then the path (for "idx").
 */
import { fashionMnist, readIdx } from "../../lib/data/mod.ts";

const hwmKiB = () => {
  const line = Deno.readTextFileSync("/proc/self/status").split("\n")
    .find((l) => l.startsWith("VmHWM:"));
  return Number(line?.match(/\d+/)?.[0]);
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
