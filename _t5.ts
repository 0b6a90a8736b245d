import * as tf from "@tensorflow/tfjs";
import { useBackend } from "./lib/backend/mod.ts";
import { classicNetwork, makeTripletStep } from "./bench/_classic.ts";
await useBackend(Deno.args[0] as "wasm");
const m = classicNetwork();
const B = Number(Deno.args[1] ?? 32);
const [a, p, n] = [1, 2, 3].map((s) => tf.randomUniform([B, 28, 28, 1], 0, 1, "float32", s) as tf.Tensor4D);
const step = makeTripletStep(m);
for (let i = 0; i < 2; i++) { const l = step(a, p, n); await l.data(); l.dispose(); }
const prof = await tf.profile(() => step(a, p, n));
const by = new Map<string, number>();
for (const k of prof.kernels) { const key = `${k.name} ${JSON.stringify(k.inputShapes)}->${JSON.stringify(k.outputShapes)}`; by.set(key, (by.get(key) ?? 0) + (k.kernelTimeMs as number)); }
console.log([...by.entries()].sort((x, y) => y[1] - x[1]).slice(0, 40).map(([k, v]) => `${v.toFixed(1)} ${k}`).join("\n"));
