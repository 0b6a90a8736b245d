import * as tf from "@tensorflow/tfjs";
import process from "node:process";
import { useBackend } from "./lib/backend/mod.ts";
import { classicNetwork, makeTripletStep } from "./bench/_classic.ts";
await useBackend(Deno.args[0] as "wasm");
const skip = (Deno.args[2] ?? "").split(",").filter(Boolean);
// restore stock kernels named in arg 3 (A/B)
for (const k of skip) { const { restoreStock } = await import("./_ab.ts"); restoreStock(k); }
const m = classicNetwork();
const B = Number(Deno.args[1] ?? 32);
const [a, p, n] = [1, 2, 3].map((s) => tf.randomUniform([B, 28, 28, 1], 0, 1, "float32", s) as tf.Tensor4D);
const step = makeTripletStep(m);
for (let i = 0; i < 2; i++) { const l = step(a, p, n); await l.data(); l.dispose(); }
if (Deno.args[3] === "prof") {
const prof = await tf.profile(() => step(a, p, n));
const by = new Map<string, number>();
for (const k of prof.kernels) { const key = `${k.name}`; by.set(key, (by.get(key) ?? 0) + (k.kernelTimeMs as number)); }
console.log([...by.entries()].sort((x, y) => y[1] - x[1]).slice(0, 14).map(([k, v]) => `${k}:${v.toFixed(1)}`).join(" "));
}
const ts: number[] = [], cs: number[] = [];
for (let i = 0; i < 7; i++) { const c0 = process.cpuUsage(); const t0 = performance.now(); const l = step(a, p, n); await l.data(); l.dispose(); ts.push(performance.now() - t0); const c = process.cpuUsage(c0); cs.push((c.user + c.system) / 1000); }
ts.sort((x, y) => x - y); cs.sort((x, y) => x - y);
console.log(`skip=${skip} wall ${ts[3].toFixed(0)}ms cpu ${cs[3].toFixed(0)}ms img/s(cpu) ${(3 * B / cs[3] * 1000).toFixed(0)} tensors ${tf.memory().numTensors}`);
