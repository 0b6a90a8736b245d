// What tests/compile/global_state_test.ts imports of likeness, after its baseline (a dynamic
// import of lib/branches/mod.ts itself would not resolve: it exports `then`), and a short
// training run of a likeness program with batch norm, ReLU and both dropouts.
import * as tf from "@tensorflow/tfjs";
import { pipe } from "../../lib/pipe.ts";
import { useBackend } from "../../lib/backend/mod.ts";
import {
  activation,
  batchNorm,
  conv2d,
  dense,
  dropout,
  empty,
  flatten,
  l2Normalize,
  spatialDropout2d,
  triplet,
} from "../../lib/branches/mod.ts";
import { tripletMargin } from "../../lib/losses/mod.ts";
import { compile } from "../../lib/compile/mod.ts";

export { pipe } from "../../lib/pipe.ts";
export { nativeStatus, useBackend } from "../../lib/backend/mod.ts";
export {
  activation,
  batchNorm,
  conv2d,
  dense,
  dropout,
  empty,
  flatten,
  l2Normalize,
  spatialDropout2d,
  triplet,
} from "../../lib/branches/mod.ts";
export { tripletMargin } from "../../lib/losses/mod.ts";
export { compile } from "../../lib/compile/mod.ts";
export { loadModel, saveModel } from "../../lib/train/mod.ts";

/** Starts `backend` with `useBackend`, compiles a small triplet program and trains 3 steps. */
export async function trainProgram(backend: "cpu" | "wasm" | "native"): Promise<void> {
  await useBackend(backend, backend === "native" ? { threads: 2 } : {});
  const net = pipe(
    empty,
    conv2d(4),
    batchNorm(),
    activation("relu"),
    spatialDropout2d(0.2),
    flatten(),
    dense(8),
    batchNorm(),
    activation("relu"),
    dropout(0.2),
    dense(4),
    l2Normalize(),
  );
  const program = compile({
    model: triplet(net),
    loss: tripletMargin(),
    inputShape: [6, 6, 1],
    seed: 1,
  });
  const images = (seed: number) => tf.randomUniform([4, 6, 6, 1], 0, 1, "float32", seed);
  const batch = {
    kind: "triplet" as const,
    anchor: images(1),
    positive: images(2),
    negative: images(3),
  };
  for (let i = 0; i < 3; i++) program.trainStep(batch).dispose();
  tf.dispose(Object.values(batch));
  program.dispose();
}
