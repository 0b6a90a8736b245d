// On GPU backends the learned losses and classWeighted check labels on the device: the same
// values as the host check for good labels, NaN (never a silent wrong value) for a bad one,
// and no read-back. labelChecks.onDevice is switched on here to run that path on cpu.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { classWeighted, multiSimilarity } from "../../lib/losses/mod.ts";
import { arcFace, proxyAnchor } from "../../lib/losses/learned/mod.ts";
import { labelChecks } from "../../lib/losses/_device_labels.ts";
import type { Labelled, Loss, LossContext } from "../../lib/types.ts";

await tf.setBackend("cpu");

function readBacks<T>(f: () => T): { value: T; count: number } {
  const proto = tf.Tensor.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const names = ["dataSync", "arraySync", "data", "array"];
  const saved = names.map((n) => proto[n]);
  let count = 0;
  names.forEach((n, i) => {
    proto[n] = function (this: unknown, ...a: unknown[]) {
      count++;
      return saved[i].apply(this, a);
    };
  });
  try {
    return { value: f(), count };
  } finally {
    names.forEach((n, i) => (proto[n] = saved[i]));
  }
}

function onDevice<T>(f: () => T): T {
  const saved = labelChecks.onDevice;
  labelChecks.onDevice = () => true;
  try {
    return f();
  } finally {
    labelChecks.onDevice = saved;
  }
}

const e = tf.randomNormal([6, 4], 0, 1, "float32", 2) as tf.Tensor2D;
const input = (labels: number[]): Labelled => ({
  kind: "labelled",
  embeddings: e,
  labels: tf.tensor1d(labels, "int32"),
});
const context: LossContext = {
  training: true,
  parameters: {
    proxies: tf.randomNormal([3, 4], 0, 1, "float32", 3),
    classWeights: tf.randomNormal([3, 4], 0, 1, "float32", 4),
  },
};
const losses: Loss<Labelled>[] = [
  proxyAnchor({ classes: 3 }),
  arcFace({ classes: 3 }),
  classWeighted(multiSimilarity(), [1, 2, 0.5]),
];

Deno.test("device label checks: the host's values for good labels, with no read-back", () => {
  const good = input([0, 1, 2, 0, 1, 2]);
  for (const loss of losses) {
    const host = loss.perItem(good, context);
    const { value, count } = onDevice(() => readBacks(() => loss.perItem(good, context)));
    assert.equal(count, 0, `${loss.name}: ${count} read-backs`);
    assert.deepEqual(Array.from(value.dataSync()), Array.from(host.dataSync()), loss.name);
    tf.dispose([host, value]);
  }
});

Deno.test("device label checks: a label out of range or not an integer makes the loss NaN, never a wrong number", () => {
  for (const labels of [[0, 1, 2, 0, 1, 3], [0, 1, 2, 0, 1, -1], [0, 1, 2, 0, 1, 1.5]]) {
    const bad = {
      ...input([0, 0, 0, 0, 0, 0]),
      labels: tf.tensor1d(labels, "float32"),
    };
    for (const loss of losses) {
      const value = onDevice(() => loss.reduce(loss.perItem(bad, context)));
      assert.ok(Number.isNaN(value.dataSync()[0]), `${loss.name} with labels ${labels}`);
      value.dispose();
      // the host check (cpu, wasm, native) throws, naming the label
      assert.throws(() => loss.perItem(bad, context), /labels must be integers in \[0, 3\)/);
    }
  }
});
