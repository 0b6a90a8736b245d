// Checkpoints and fit's rollback cover the loss's own parameters and their optimisers.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { dense, empty, labelled } from "../../lib/branches/mod.ts";
import { compile } from "../../lib/compile/compile.ts";
import { mean } from "../../lib/losses/mean.ts";
import { supCon } from "../../lib/losses/mod.ts";
import { arcFace, proxyAnchor, softTriple } from "../../lib/losses/learned/mod.ts";
import { fit, fitToEnd, loadCheckpoint, saveCheckpoint } from "../../lib/train/mod.ts";
import { pipe } from "../../lib/pipe.ts";
import { BACKENDS, use } from "./_compiled.ts";
import type {
  Labelled,
  Loss,
  LossContext,
  Optimizer,
  Program,
  Tensor,
  Tensor1D,
} from "../../lib/types.ts";

await tf.setBackend("cpu");

type LabelledBatch = { kind: "labelled"; embeddings: tf.Tensor2D; labels: tf.Tensor1D };

const net = () => pipe(empty, dense(8, { activation: "relu" }), dense(4));

/** An endless seeded stream of labelled 4-d batches of 3 classes (label `flag` at batch `at`). */
function* stream(seed: number, flag?: { at: number; label: number }): Generator<LabelledBatch> {
  let s = seed >>> 0 || 1;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) - 0.5;
  const centres = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 1]];
  for (let i = 1;; i++) {
    const rows: number[][] = [], labels: number[] = [];
    for (let k = 0; k < 2; k++) {
      centres.forEach((c, y) => {
        rows.push(c.map((v) => v + 0.3 * next()));
        labels.push(flag?.at === i && y === 0 ? flag.label : y);
      });
    }
    yield {
      kind: "labelled",
      embeddings: tf.tensor2d(rows),
      labels: tf.tensor1d(labels, "int32"),
    };
  }
}

/** Every number of the program's training state: model, loss parameters, all optimisers. */
async function everything(p: Program<Labelled>): Promise<number[][]> {
  const out = p.trainableWeights().map((w) => Array.from(w.dataSync()));
  const optimizers: Optimizer[] = [
    p.optimizer,
    ...(p.lossState?.parameters.flatMap((q) => q.optimizer ? [q.optimizer] : []) ?? []),
  ];
  for (const o of optimizers) {
    for (const w of await o.getWeights()) {
      out.push(Array.from(w.tensor.dataSync()));
      if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose();
    }
  }
  return out;
}

const make = (loss: Loss<Labelled>, seed = 1, optimizer?: Optimizer) =>
  compile({
    model: labelled(net()),
    loss,
    inputShape: [4],
    seed,
    learningRate: 0.01,
    ...(optimizer ? { optimizer } : {}),
  });

Deno.test("checkpoint round trip: a program resumed from a checkpoint continues identically (arcFace, own Adam at 10×)", async () => {
  const dir = await Deno.makeTempDir();
  const before = tf.memory().numTensors;
  const loss = () => arcFace({ classes: 3, scale: 16, learningRateMultiplier: 10 });
  // Straight: 6 steps.
  const straight = make(loss());
  const full = await fitToEnd(straight, stream(7), { steps: 6, progress: "none" });
  // Interrupted at step 3 with a checkpoint; a program of ANOTHER seed resumes from it.
  const first = make(loss());
  await fitToEnd(first, stream(7), {
    steps: 3,
    progress: "none",
    checkpoint: { dir, every: 3 },
  });
  first.dispose();
  const second = make(loss(), 99);
  assert.notDeepEqual(await everything(second), await everything(straight));
  const resumed = await fitToEnd(second, stream(7), {
    steps: 6,
    progress: "none",
    resume: true,
    checkpoint: { dir, every: 3 },
  });
  assert.deepEqual(resumed.loss, full.loss);
  assert.deepEqual(await everything(second), await everything(straight));
  straight.dispose();
  second.dispose();
  assert.equal(tf.memory().numTensors, before, "tensors left behind");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("checkpoint round trip with the loss parameters in a given shared optimiser (softTriple, sgd)", async () => {
  const dir = await Deno.makeTempDir();
  const sgdA = tf.train.momentum(0.05, 0.9), sgdB = tf.train.momentum(0.05, 0.9);
  const a = make(softTriple({ classes: 3, centersPerClass: 2 }), 1, sgdA);
  const b = make(softTriple({ classes: 3, centersPerClass: 2 }), 2, sgdB);
  assert.equal(a.lossState!.parameters[0].optimizer, undefined);
  const batches = [...Array(4)].map((_, i) => stream(3 + i).next().value as LabelledBatch);
  const run = (p: Program<Labelled>, bs: LabelledBatch[]) =>
    bs.map((x) => {
      const l = p.trainStep(x);
      const v = l.dataSync()[0];
      l.dispose();
      return v;
    });
  run(a, batches.slice(0, 2));
  const path = await saveCheckpoint(a, dir, { step: 2 });
  await loadCheckpoint(b, path);
  assert.deepEqual(await everything(b), await everything(a));
  assert.deepEqual(run(b, batches.slice(2)), run(a, batches.slice(2)));
  assert.deepEqual(await everything(b), await everything(a));
  for (const x of batches) tf.dispose([x.embeddings, x.labels]);
  a.dispose();
  b.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("loadCheckpoint refuses loss state that is not the program's, naming it, and changes nothing", async () => {
  const dir = await Deno.makeTempDir();
  const withProxies = make(proxyAnchor({ classes: 3 }));
  const path = await saveCheckpoint(withProxies, dir, { step: 1 });
  const state = JSON.parse(await Deno.readTextFile(`${path}/state.json`));
  assert.deepEqual(state.loss.parameters, ["proxies"]);
  assert.deepEqual(state.weights.manifest.loss.map((e: { shape: number[] }) => e.shape), [[3, 4]]);
  const cases: [Program<Labelled>, RegExp][] = [
    [make(supCon()), /holds loss parameters \(proxies\) but the program's loss has none/],
    [
      make(proxyAnchor({ classes: 4 })),
      /loss parameter proxies has shape \[4,4\] in the program but \[3,4\] in the checkpoint/,
    ],
    [
      make(arcFace({ classes: 3 })),
      /loss parameters \[proxies\] but the program's loss has \[classWeights\]/,
    ],
    [
      make(proxyAnchor({ classes: 3 }), 1, tf.train.sgd(0.1)),
      /loss parameter proxies has no optimiser of its own in the program but one in the checkpoint/,
    ],
  ];
  for (const [program, message] of cases) {
    const was = await everything(program);
    await assert.rejects(() => loadCheckpoint(program, path), message);
    assert.deepEqual(await everything(program), was);
    program.dispose();
  }
  // ... and a checkpoint without loss state into a program with one
  const plain = make(supCon());
  const plainPath = await saveCheckpoint(plain, `${dir}/plain`, { step: 1 });
  await assert.rejects(
    () => loadCheckpoint(withProxies, plainPath),
    /holds no loss parameters but the program's loss has proxies/,
  );
  plain.dispose();
  withProxies.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("saveCheckpoint refuses a non-finite loss parameter and writes nothing", async () => {
  const dir = await Deno.makeTempDir();
  const p = make(arcFace({ classes: 3 }));
  const v = p.lossState!.parameters[0].variable;
  const values = v.dataSync().slice();
  values[5] = NaN;
  v.assign(tf.tensor(values, v.shape));
  await assert.rejects(
    () => saveCheckpoint(p, dir, { step: 1 }),
    /Cannot save checkpoint step-000000001 .* as loss\/0 holds NaN at index 5 of 12: a checkpoint of non-finite weights is never written/,
  );
  assert.deepEqual([...Deno.readDirSync(dir)], []);
  p.dispose();
  await Deno.remove(dir, { recursive: true });
});

/** The identity with a NaN gradient. */
const nanGradient = tf.customGrad(
  // deno-lint-ignore no-explicit-any
  ((x: Tensor): any => ({ value: tf.clone(x), gradFunc: (dy: Tensor) => tf.mul(dy, NaN) })) as any,
) as unknown as (x: Tensor) => Tensor;

/** A loss with one parameter whose gradient is NaN on a batch holding label 9. */
const poisonable: Loss<Labelled> = {
  name: "poisonable",
  reduce: mean,
  parameters: [{
    name: "w",
    shape: [1, "embeddingSize"],
    init: { kind: "normal", mean: 0, stddev: 1 },
  }],
  perItem: (input: Labelled, context?: LossContext): Tensor1D =>
    tf.tidy(() => {
      const w = context!.parameters!.w;
      const poison = Array.from(input.labels.dataSync()).includes(9);
      const g = poison ? nanGradient(w) : w;
      return tf.sum(tf.square(tf.sub(input.embeddings, g)), 1) as Tensor1D;
    }),
};

Deno.test("fit rolls the loss parameters and their optimiser back when a step makes them non-finite", async () => {
  const before = tf.memory().numTensors;
  const p = make(poisonable);
  const w = p.lossState!.parameters[0];
  let atStep2: number[][] = [];
  const run = fit(p, stream(5, { at: 3, label: 9 }), { steps: 5, progress: "none" });
  await assert.rejects(
    async () => {
      for await (const report of run) {
        if (report.step === 2) atStep2 = await everything(p);
      }
    },
    /weights became non-finite at step 3 .*loss parameter w holds NaN at index 0 of 4; the weights and optimiser state of step 2 are restored/,
  );
  assert.ok(atStep2.length > 0);
  assert.deepEqual(await everything(p), atStep2);
  assert.ok(w.variable.dataSync().every(Number.isFinite));
  p.dispose();
  assert.equal(tf.memory().numTensors, before, "tensors left behind");
});

Deno.test("early stopping with restoreBest puts back the loss parameters of the best epoch too", async () => {
  // (e − w)² per row: epoch 1's rows sit near 0, later epochs' far away, so the epoch loss
  // rises after epoch 1 and patience 0 stops at the end of epoch 2, restoring epoch 1's end.
  const squared: Loss<Labelled> = {
    name: "squared",
    reduce: mean,
    parameters: [{
      name: "w",
      shape: [1, "embeddingSize"],
      init: { kind: "normal", mean: 0, stddev: 1 },
    }],
    perItem: (input: Labelled, context?: LossContext): Tensor1D =>
      tf.tidy(() =>
        tf.sum(tf.square(tf.sub(input.embeddings, context!.parameters!.w)), 1) as Tensor1D
      ),
  };
  const p = make(squared);
  const perEpoch = (epoch: number) =>
    (function* () {
      let n = 0;
      for (const b of stream(11 + epoch)) {
        const far = tf.add(b.embeddings, epoch * 5) as tf.Tensor2D;
        b.embeddings.dispose();
        yield { ...b, embeddings: far };
        if (++n === 2) return;
      }
    })();
  let best: number[] = [];
  const run = fit(p, perEpoch, {
    epochs: 4,
    progress: "none",
    earlyStopping: { monitor: "loss", patience: 0, restoreBest: true },
  });
  let last = 0;
  for await (const report of run) {
    if (report.step === 2) best = Array.from(p.lossState!.parameters[0].variable.dataSync());
    last = report.step;
  }
  assert.equal(last, 4, "stopped at the end of epoch 2");
  assert.deepEqual(Array.from(p.lossState!.parameters[0].variable.dataSync()), best);
  p.dispose();
});

for (const backend of BACKENDS) {
  Deno.test({
    name: `${backend.name}: a learned loss trains and resumes from a checkpoint bit for bit`,
    ignore: backend.ignore,
    fn: async () => {
      await use(backend.name);
      try {
        const dir = await Deno.makeTempDir();
        const loss = () => proxyAnchor({ classes: 3, learningRateMultiplier: 100 });
        const batches = [...Array(6)].map((_, i) => stream(20 + i).next().value as LabelledBatch);
        const run = (p: Program<Labelled>, bs: LabelledBatch[]) =>
          bs.map((x) => {
            const l = p.trainStep(x);
            const v = l.dataSync()[0];
            l.dispose();
            return v;
          });
        const straight = make(loss());
        const all = run(straight, batches);
        assert.ok(all[5] < all[0], `${backend.name}: the loss did not fall: ${all}`);
        const first = make(loss());
        run(first, batches.slice(0, 3));
        const path = await saveCheckpoint(first, dir, { step: 3 });
        first.dispose();
        const second = make(loss(), 8);
        await loadCheckpoint(second, path);
        assert.deepEqual(run(second, batches.slice(3)), all.slice(3));
        assert.deepEqual(await everything(second), await everything(straight));
        for (const x of batches) tf.dispose([x.embeddings, x.labels]);
        straight.dispose();
        second.dispose();
        await Deno.remove(dir, { recursive: true });
      } finally {
        await use("cpu");
      }
    },
  });
}

Deno.test("loadCheckpoint refuses a state.json whose loss state was tampered with, naming it", async () => {
  const dir = await Deno.makeTempDir();
  const p = make(arcFace({ classes: 3 }));
  const batch = stream(1).next().value as LabelledBatch;
  tf.dispose(p.trainStep(batch));
  const path = await saveCheckpoint(p, dir, { step: 1 });
  const file = `${path}/state.json`;
  const original = await Deno.readTextFile(file);
  const edits: [(s: Record<string, unknown>) => void, RegExp][] = [
    [(s) => {
      (s.loss as { optimizerNames: string[][] }).optimizerNames[0].pop();
    }, /it names 2 loss optimiser weights but holds 3/],
    [(s) => {
      (s.loss as { optimizerNames: unknown[] }).optimizerNames[0] = [1, 2, 3];
    }, /the optimiser names of loss parameter classWeights are not a list of names/],
    [(s) => {
      (s.loss as { parameters: unknown }).parameters = "classWeights";
    }, /it holds no loss parameters but the program's loss has classWeights/],
    [(s) => {
      (s.loss as { optimizerNames: unknown[] }).optimizerNames[0] = null;
    }, /loss parameter classWeights has an optimiser of its own in the program but none/],
  ];
  const was = await everything(p);
  for (const [edit, message] of edits) {
    const state = JSON.parse(original);
    edit(state);
    await Deno.writeTextFile(file, JSON.stringify(state));
    await assert.rejects(() => loadCheckpoint(p, path), message);
    assert.deepEqual(await everything(p), was);
  }
  tf.dispose([batch.embeddings, batch.labels]);
  p.dispose();
  await Deno.remove(dir, { recursive: true });
});
