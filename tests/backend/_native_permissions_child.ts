// Run by native_permissions_test.ts in a child process with narrow permissions: starts the
// native backend, trains one step and prints what it used as JSON (or why it could not).
import * as tf from "@tensorflow/tfjs";
import { nativeStatus, useBackend } from "../../lib/backend/mod.ts";
import {
  batchNorm,
  conv2d,
  dense,
  empty,
  flatten,
  labelled,
  maxPool2d,
} from "../../lib/branches/mod.ts";
import { compile } from "../../lib/compile/mod.ts";
import { tripletMargin } from "../../lib/losses/mod.ts";
import { batchHard, mined } from "../../lib/miners/mod.ts";
import { pipe } from "../../lib/pipe.ts";

const status = nativeStatus();
if (!status.available) {
  console.log(JSON.stringify({ available: false, reason: status.reason }));
} else {
  const info = await useBackend("native", { threads: 1 });
  const net = pipe(
    empty,
    conv2d(4, { kernelSize: 3 }),
    batchNorm(),
    maxPool2d(2),
    flatten(),
    dense(8, { activation: "relu" }),
    dense(3),
  );
  const program = compile({
    model: labelled(net),
    loss: mined(batchHard(), tripletMargin({ margin: 1 })),
    inputShape: [8, 8, 1],
    seed: 1,
  });
  const batch = {
    kind: "labelled" as const,
    embeddings: tf.randomNormal([6, 8, 8, 1], 0, 1, "float32", 2),
    labels: tf.tensor1d([0, 0, 1, 1, 2, 2], "int32"),
  };
  const before = program.trainableWeights().map((w) => Array.from(w.dataSync()));
  const loss = program.trainStep(batch).dataSync()[0];
  const moved = program.trainableWeights().some((w, i) =>
    Array.from(w.dataSync()).some((v, k) => v !== before[i][k])
  );
  console.log(JSON.stringify({
    available: true,
    backend: tf.getBackend(),
    libraries: status.libraries,
    kernels: info.kernels.length,
    loss,
    moved,
  }));
}
