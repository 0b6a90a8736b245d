/**
 * Cost of a training step with a loss that owns parameters, beside the softmax-classifier
 * baseline and SupCon: an MLP 784 → 256 (relu) → 32 on batches of 64 items of 10 classes,
 * Adam, per backend. Run: `deno run -A bench/learned_losses.ts [cpu|wasm|native] [steps]`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../lib/backend/mod.ts";
import { dense, empty, labelled } from "../lib/branches/mod.ts";
import { compile } from "../lib/compile/compile.ts";
import { softmaxCrossEntropy, supCon } from "../lib/losses/mod.ts";
import {
  arcFace,
  cosFace,
  proxyAnchor,
  proxyNca,
  softTriple,
  subCenterArcFace,
} from "../lib/losses/learned/mod.ts";
import { pipe } from "../lib/pipe.ts";
import type { Labelled, Loss } from "../lib/types.ts";

const backend = (Deno.args[0] ?? "cpu") as "cpu" | "wasm" | "native";
const steps = Number(Deno.args[1] ?? 30);
if (backend === "native") {
  const { useNative } = await import("../tests/backend/_native.ts");
  await useNative();
} else await useBackend(backend);

const classes = 10, n = 64;
const losses: [string, Loss<Labelled>][] = [
  ["softmaxCrossEntropy (head)", softmaxCrossEntropy({ classes })],
  ["supCon", supCon()],
  ["arcFace", arcFace({ classes })],
  ["cosFace", cosFace({ classes })],
  ["subCenterArcFace", subCenterArcFace({ classes })],
  ["proxyAnchor", proxyAnchor({ classes })],
  ["proxyNca", proxyNca({ classes })],
  ["softTriple", softTriple({ classes })],
];
const x = tf.randomUniform([n, 784], 0, 1, "float32", 1);
const y = tf.tensor1d(Array.from({ length: n }, (_, i) => i % classes), "int32");
const batch = { kind: "labelled" as const, embeddings: x as tf.Tensor2D, labels: y };
console.log(`backend ${backend}, ${steps} steps of ${n} after 5 warm-up steps`);
console.log("| loss | ms / step |\n|---|---|");
for (const [name, loss] of losses) {
  const program = compile({
    model: labelled(pipe(empty, dense(256, { activation: "relu" }), dense(32))),
    loss,
    inputShape: [784],
    seed: 1,
  });
  const step = () => {
    const l = program.trainStep(batch);
    l.dataSync();
    l.dispose();
  };
  for (let i = 0; i < 5; i++) step();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  const ms = (performance.now() - t0) / steps;
  console.log(`| ${name} | ${ms.toFixed(2)} |`);
  program.dispose();
}
tf.dispose([x, y]);
