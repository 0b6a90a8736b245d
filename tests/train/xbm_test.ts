// Cross-batch memory: the value against a loop oracle of pml's CrossBatchMemory, the queue's
// FIFO order and wrap-around, no gradient into the memory, checkpoints that resume the same
// queue bit for bit, no tensor leaks, and clear errors for bad options.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { dense, empty, labelled } from "../../lib/branches/mod.ts";
import { compile } from "../../lib/compile/compile.ts";
import { crossBatchMemory } from "../../lib/losses/cross_batch_memory.ts";
import {
  classWeighted,
  multiSimilarity,
  pmlContrastiveLoss,
  softmaxCrossEntropy,
  tripletMargin,
} from "../../lib/losses/mod.ts";
import { batchHard, mined, multiSimilarityMiner } from "../../lib/miners/mod.ts";
import { loadCheckpoint, saveCheckpoint } from "../../lib/train/mod.ts";
import { pipe } from "../../lib/pipe.ts";
import type { Labelled, Loss, LossContext, Program, Tensor } from "../../lib/types.ts";
import { cos, logSumExp, rng } from "../losses/_oracle.ts";
import { BACKENDS, use } from "./_compiled.ts";

await tf.setBackend("cpu");

type Rows = number[][];

/** A loss called by hand as compile calls it: buffers as tensors, staged updates applied. */
function harness(loss: Loss<Labelled>, width: number) {
  const buffers: Record<string, tf.Variable> = {};
  for (const b of loss.buffers ?? []) {
    const shape = b.shape.map((d) => (d === "embeddingSize" ? width : d));
    buffers[b.name] = tf.variable(tf.zeros(shape), false);
  }
  const step = (rows: Rows, labels: number[], training = true): Float32Array => {
    const staged: Record<string, Tensor> = {};
    const input: Labelled = {
      kind: "labelled",
      embeddings: tf.tensor2d(rows, [rows.length, width]),
      labels: tf.tensor1d(labels, "int32"),
    };
    const context: LossContext = {
      training,
      buffers,
      ...(training
        ? { update: (name: string, v: Tensor) => (staged[name] = tf.keep(v.clone())) }
        : {}),
    };
    const perItem = loss.perItem(input, context);
    const values = perItem.dataSync() as Float32Array;
    for (const [name, v] of Object.entries(staged)) buffers[name].assign(v);
    tf.dispose([perItem, input.embeddings, input.labels, ...Object.values(staged)]);
    return values;
  };
  const read = (name: string) => Array.from(buffers[name].dataSync());
  return { step, read, buffers, dispose: () => tf.dispose(Object.values(buffers)) };
}

/** pml's CrossBatchMemory queue, in plain numbers: enqueue, then compare with the memory. */
function oracleQueue(size: number) {
  const slots: { row: number[]; label: number }[] = [];
  let position = 0;
  return {
    /** Enqueues the batch; returns per batch row the memory rows it is compared with. */
    enqueue(rows: Rows, labels: number[]): { row: number[]; label: number }[][] {
      const own: number[] = [];
      rows.forEach((row, i) => {
        slots[position] = { row, label: labels[i] };
        own.push(position);
        position = (position + 1) % size;
      });
      return rows.map((_, i) => slots.filter((_, s) => s !== own[i]));
    },
    slots,
  };
}

/** pml's multi-similarity loss of one row against reference rows (cosine, α 2, β 50, λ 0.5). */
function msOracle(row: number[], label: number, refs: { row: number[]; label: number }[]): number {
  const pos = refs.filter((r) => r.label === label).map((r) => -2 * (cos(row, r.row) - 0.5));
  const neg = refs.filter((r) => r.label !== label).map((r) => 50 * (cos(row, r.row) - 0.5));
  return logSumExp(pos, true) / 2 + logSumExp(neg, true) / 50;
}

function randomBatch(next: () => number, n: number, width: number, classes: number) {
  const rows = Array.from(
    { length: n },
    () => Array.from({ length: width }, () => Math.fround(next())),
  );
  const labels = rows.map(() => Math.floor(((next() + 1) / 2) * classes));
  return { rows, labels };
}

Deno.test("crossBatchMemory(multiSimilarity) equals pml's CrossBatchMemory loop oracle over steps that fill and wrap the queue", () => {
  const size = 7, width = 3;
  const xbm = harness(crossBatchMemory(multiSimilarity(), { size }), width);
  const queue = oracleQueue(size);
  const next = rng(5);
  let worst = 0;
  for (let step = 0; step < 6; step++) {
    const { rows, labels } = randomBatch(next, 3, width, 3);
    const refs = queue.enqueue(rows, labels);
    const got = xbm.step(rows, labels);
    rows.forEach((row, i) => {
      const want = msOracle(row, labels[i], refs[i]);
      worst = Math.max(worst, Math.abs(got[i] - want));
      assert.ok(Math.abs(got[i] - want) < 1e-4, `step ${step} row ${i}: ${got[i]} vs ${want}`);
    });
  }
  assert.ok(worst < 1e-4, `${worst}`);
  xbm.dispose();
});

Deno.test("crossBatchMemory(pmlContrastiveLoss) and mined batch-hard triplets equal their loop oracles with memory", () => {
  const size = 6, width = 2;
  const l2 = (a: number[], b: number[]) => Math.hypot(...a.map((v, k) => v - b[k]));
  const contrastive = harness(crossBatchMemory(pmlContrastiveLoss(), { size }), width);
  const hard = harness(
    crossBatchMemory(mined(batchHard(), tripletMargin({ margin: 1 })), { size }),
    width,
  );
  const queue = oracleQueue(size);
  const next = rng(11);
  for (let step = 0; step < 5; step++) {
    const { rows, labels } = randomBatch(next, 4, width, 2);
    const refs = queue.enqueue(rows, labels);
    // pml contrastive: mean of the non-zero positive costs d, plus of the non-zero negative
    // costs relu(1 − d), over every (row, memory row) pair
    const pos: number[] = [], neg: number[] = [];
    rows.forEach((row, i) =>
      refs[i].forEach((r) => {
        const d = l2(row, r.row);
        if (r.label === labels[i]) pos.push(d);
        else neg.push(Math.max(0, 1 - d));
      })
    );
    const meanNonZero = (xs: number[]) => {
      const nz = xs.filter((x) => x > 0);
      return nz.length === 0 ? 0 : nz.reduce((s, x) => s + x, 0) / nz.length;
    };
    // (per pair, anchor-major; the loss's reducer sums them)
    const got = contrastive.step(rows, labels).reduce((s, v) => s + v, 0);
    assert.ok(
      Math.abs(got - (meanNonZero(pos) + meanNonZero(neg))) < 1e-5,
      `step ${step}: ${got} vs ${meanNonZero(pos)} + ${meanNonZero(neg)}`,
    );
    // batch-hard against the memory: furthest positive, closest negative, margin 1
    const want: number[] = [];
    rows.forEach((row, i) => {
      const dp = refs[i].filter((r) => r.label === labels[i]).map((r) => l2(row, r.row));
      const dn = refs[i].filter((r) => r.label !== labels[i]).map((r) => l2(row, r.row));
      if (dp.length > 0 && dn.length > 0) {
        want.push(Math.max(0, Math.max(...dp) - Math.min(...dn) + 1));
      }
    });
    const triplets = hard.step(rows, labels);
    assert.equal(triplets.length, want.length, `step ${step}`);
    triplets.forEach((v, k) => assert.ok(Math.abs(v - want[k]) < 1e-5, `step ${step} #${k}`));
  }
  contrastive.dispose();
  hard.dispose();
});

Deno.test("the memory is a FIFO queue: slot order, oldest overwritten first, wrap-around, rows filled", () => {
  const size = 5;
  const xbm = harness(crossBatchMemory(multiSimilarity(), { size }), 1);
  const batches = [[1, 2], [3, 4], [5, 6], [7, 8]];
  const seen: string[] = [];
  batches.forEach((b, k) => {
    xbm.step(b.map((v) => [v]), b.map((v) => v % 3));
    seen.push(`${xbm.read("memory")}|${xbm.read("memoryLabels")}|${xbm.read("memoryState")}`);
    void k;
  });
  assert.deepEqual(seen, [
    "1,2,0,0,0|1,2,0,0,0|2,2",
    "1,2,3,4,0|1,2,0,1,0|4,4",
    // 5 fills the last slot, 6 wraps around and replaces the oldest (1)
    "6,2,3,4,5|0,2,0,1,2|1,5",
    "6,7,8,4,5|0,1,2,1,2|3,5",
  ]);
  // evaluation reads the memory and changes nothing
  xbm.step([[9]], [0], false);
  assert.equal(`${xbm.read("memory")}|${xbm.read("memoryState")}`, "6,7,8,4,5|3,5");
  xbm.dispose();
});

Deno.test("no gradient reaches the memory (nor the batch's own copies in it): the gradient is that of constant references", () => {
  const size = 6, width = 3;
  const loss = crossBatchMemory(multiSimilarity(), { size });
  const memory = tf.variable(tf.randomNormal([size, width], 0, 1, "float32", 4), true);
  const memoryLabels = tf.variable(tf.tensor1d([0, 1, 2, 0, 1, 2]), false);
  const memoryState = tf.variable(tf.tensor1d([4, 6]), false);
  const e = tf.variable(tf.randomNormal([3, width], 0, 1, "float32", 5), true);
  const labels = tf.tensor1d([0, 1, 0], "int32");
  const context: LossContext = { training: true, buffers: { memory, memoryLabels, memoryState } };
  const { grads } = tf.variableGrads(
    () =>
      tf.sum(
        loss.perItem(
          { kind: "labelled", embeddings: e as tf.Tensor as tf.Tensor2D, labels },
          context,
        ),
      ) as tf.Scalar,
    [e, memory],
  );
  // the memory the batch was compared with: rows 4, 5, 0 replaced by the batch (detached)
  const enqueued = tf.tidy(() => {
    const m = memory.arraySync() as number[][];
    const rows = e.arraySync() as number[][];
    [4, 5, 0].forEach((slot, i) => (m[slot] = rows[i]));
    return tf.tensor2d(m);
  });
  const mask = tf.tensor2d([
    [1, 1, 1, 1, 0, 1],
    [1, 1, 1, 1, 1, 0],
    [0, 1, 1, 1, 1, 1],
  ]);
  const refLabels = tf.tensor1d([0, 1, 2, 0, 0, 1]);
  const constant = tf.grad((x: tf.Tensor) =>
    tf.sum(
      multiSimilarity().perItem({ kind: "labelled", embeddings: x as tf.Tensor2D, labels }, {
        training: true,
        reference: { embeddings: enqueued, labels: refLabels, mask },
      }),
    )
  )(e);
  const memoryGrad = grads[memory.name];
  assert.ok(
    memoryGrad === undefined || memoryGrad === null ||
      tf.max(tf.abs(memoryGrad)).dataSync()[0] === 0,
  );
  const diff = tf.max(tf.abs(tf.sub(grads[e.name], constant))).dataSync()[0];
  assert.ok(diff < 1e-6, `${diff}`);
  assert.ok(tf.max(tf.abs(constant)).dataSync()[0] > 1e-3, "the batch rows do get a gradient");
  tf.dispose([
    memory,
    memoryLabels,
    memoryState,
    e,
    labels,
    enqueued,
    mask,
    refLabels,
    constant,
    ...Object.values(grads),
  ]);
});

const net = () => pipe(empty, dense(6, { activation: "relu" }), dense(3));

function* stream(
  seed: number,
): Generator<{ kind: "labelled"; embeddings: tf.Tensor2D; labels: tf.Tensor1D }> {
  const next = rng(seed);
  for (;;) {
    const { rows, labels } = randomBatch(next, 6, 4, 3);
    yield { kind: "labelled", embeddings: tf.tensor2d(rows), labels: tf.tensor1d(labels, "int32") };
  }
}

async function state(p: Program<Labelled>): Promise<number[][]> {
  const out = p.trainableWeights().map((w) => Array.from(w.dataSync()));
  for (const b of p.lossState?.buffers ?? []) out.push(Array.from(b.variable.dataSync()));
  for (const w of await p.optimizer.getWeights()) {
    out.push(Array.from(w.tensor.dataSync()));
    if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose();
  }
  return out;
}

const xbmProgram = (
  loss = crossBatchMemory(multiSimilarity({ miner: multiSimilarityMiner() }), { size: 16 }),
) => compile({ model: labelled(net()), loss, inputShape: [4], seed: 3 });

Deno.test("checkpoint round trip: a run resumed at step N continues with the same queue, bit for bit", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const data = stream(2);
    const batches = Array.from({ length: 6 }, () => data.next().value!);
    const a = xbmProgram();
    for (let i = 0; i < 4; i++) a.trainStep(batches[i]).dispose(); // 24 rows: the 16 slots wrapped
    const path = await saveCheckpoint(a, dir, { step: 4 });
    const b = xbmProgram();
    await loadCheckpoint(b, path);
    assert.deepEqual(await state(b), await state(a), "the loaded state is the saved one");
    for (let i = 4; i < 6; i++) {
      const la = a.trainStep(batches[i]), lb = b.trainStep(batches[i]);
      assert.equal(lb.dataSync()[0], la.dataSync()[0], `step ${i + 1}'s loss`);
      tf.dispose([la, lb]);
    }
    assert.deepEqual(await state(b), await state(a), "weights, memory and slots after resuming");
    // a program whose memory was not restored diverges at once: the queue matters
    const c = xbmProgram();
    await loadCheckpoint(c, path);
    c.lossState!.buffers!.forEach((x) => x.variable.assign(tf.zerosLike(x.variable)));
    const fresh = xbmProgram();
    await loadCheckpoint(fresh, path);
    const lc = c.trainStep(batches[4]), lf = fresh.trainStep(batches[4]);
    assert.notEqual(lc.dataSync()[0], lf.dataSync()[0]);
    tf.dispose([lc, lf]);
    [a, b, c, fresh].forEach((p) => p.dispose());
    batches.forEach((x) => tf.dispose([x.embeddings, x.labels]));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadCheckpoint refuses a checkpoint whose memory is not the program's, naming it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const small = xbmProgram(crossBatchMemory(multiSimilarity(), { size: 8 }));
    const path = await saveCheckpoint(small, dir, { step: 1 });
    const big = xbmProgram(crossBatchMemory(multiSimilarity(), { size: 16 }));
    await assert.rejects(
      () => loadCheckpoint(big, path),
      /loss buffer memory has shape \[16,3\] in the program but \[8,3\] in the checkpoint/,
    );
    const plain = compile({ model: labelled(net()), loss: multiSimilarity(), inputShape: [4] });
    const plainPath = await saveCheckpoint(plain, `${dir}/plain`, { step: 1 });
    await assert.rejects(
      () => loadCheckpoint(big, plainPath),
      /it holds loss buffers \[\] \(0 tensors\) but the program's loss has \[memory, memoryLabels, memoryState\]/,
    );
    await assert.rejects(() => loadCheckpoint(plain, path), /loss/);
    [small, big, plain].forEach((p) => p.dispose());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("training with a memory leaks no tensor; dispose frees the memory", () => {
  const before = tf.memory().numTensors;
  const p = xbmProgram();
  const data = stream(9);
  const step = () => {
    const b = data.next().value!;
    p.trainStep(b).dispose();
    p.evaluate(b).dispose();
    tf.dispose([b.embeddings, b.labels]);
  };
  step();
  const warm = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) step();
  assert.equal(tf.memory().numTensors, warm);
  p.dispose();
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("crossBatchMemory names bad options, a loss that cannot compare with references, and a batch larger than the memory", () => {
  for (const size of [0, -3, 1.5, NaN, 2 ** 25, undefined]) {
    assert.throws(
      () => crossBatchMemory(multiSimilarity(), { size: size as number }),
      new RegExp(`options\\.size must be an integer from 1 to 16777216: current value is ${size}`),
    );
  }
  assert.throws(
    () => crossBatchMemory(tripletMargin() as unknown as Loss<Labelled>, { size: 4 }),
    /loss 'triplet-margin' must be a labelled loss that compares with reference rows/,
  );
  assert.throws(
    () => crossBatchMemory(softmaxCrossEntropy({ classes: 3 }), { size: 4 }),
    /must be a labelled loss that compares with reference rows/,
  );
  assert.throws(
    () => crossBatchMemory(null as unknown as Loss<Labelled>, { size: 4 }),
    /loss must be a labelled loss value/,
  );
  const inner = crossBatchMemory(multiSimilarity(), { size: 4 });
  assert.throws(() => crossBatchMemory(inner, { size: 4 }), /compares with reference rows/);
  const xbm = harness(inner, 2);
  assert.throws(
    () => xbm.step([[1, 0], [0, 1], [1, 1], [2, 1], [3, 3]], [0, 0, 1, 1, 2]),
    /the batch must fit in the memory \(options\.size 4\): current batch has 5 rows/,
  );
  xbm.dispose();
  const input: Labelled = {
    kind: "labelled",
    embeddings: tf.zeros([2, 2]),
    labels: tf.tensor1d([0, 1]),
  };
  assert.throws(
    () => inner.perItem(input),
    /context\.buffers\.memory must be its \[4,2\] buffer: current value is undefined \(compile the loss/,
  );
  // a host-only miner cannot mine against the memory
  const hostOnly = (i: Labelled) => batchHard()(i);
  assert.throws(
    () => crossBatchMemory(mined(hostOnly, tripletMargin()), { size: 4 }),
    /loss 'mined triplet-margin' must be a labelled loss that compares with reference rows/,
  );
  tf.dispose([input.embeddings, input.labels]);
});

Deno.test("fit's snapshots (captureState / restoreState) roll the memory back with the weights", async () => {
  const { captureState, disposeState, restoreState } = await import("../../lib/train/_state.ts");
  const p = xbmProgram();
  const data = stream(4);
  const b0 = data.next().value!, b1 = data.next().value!;
  p.trainStep(b0).dispose();
  const before = await state(p);
  const snapshot = await captureState(p);
  p.trainStep(b1).dispose();
  assert.notDeepEqual(await state(p), before);
  await restoreState(p, snapshot);
  assert.deepEqual(await state(p), before);
  disposeState(snapshot);
  p.dispose();
  [b0, b1].forEach((b) => tf.dispose([b.embeddings, b.labels]));
});

Deno.test("classWeighted passes a memory through both ways: weighted losses compare with the memory", () => {
  const size = 6;
  const weights = [1, 2, 0.5];
  const plain = harness(crossBatchMemory(multiSimilarity(), { size }), 2);
  const outer = harness(crossBatchMemory(classWeighted(multiSimilarity(), weights), { size }), 2);
  const inner = harness(classWeighted(crossBatchMemory(multiSimilarity(), { size }), weights), 2);
  const next = rng(8);
  for (let step = 0; step < 3; step++) {
    const { rows, labels } = randomBatch(next, 3, 2, 3);
    const want = plain.step(rows, labels).map((v, i) => v * weights[labels[i]]);
    for (const [name, h] of [["outer", outer], ["inner", inner]] as const) {
      const got = h.step(rows, labels);
      got.forEach((v, i) =>
        assert.ok(Math.abs(v - want[i]) < 1e-6, `${name} step ${step} row ${i}`)
      );
    }
  }
  [plain, outer, inner].forEach((h) => h.dispose());
});

for (const backend of BACKENDS) {
  Deno.test({
    name:
      `${backend.name}: a memory-backed loss (device miners, mined and pair) trains and resumes bit for bit`,
    ignore: backend.ignore,
    fn: async () => {
      await use(backend.name);
      try {
        const dir = await Deno.makeTempDir();
        const data = stream(30);
        const batches = Array.from({ length: 5 }, () => data.next().value!);
        for (
          const loss of [
            () =>
              crossBatchMemory(multiSimilarity({ miner: multiSimilarityMiner() }), { size: 10 }),
            () => crossBatchMemory(mined(batchHard(), tripletMargin()), { size: 10 }),
          ]
        ) {
          const run = (p: Program<Labelled>, bs: typeof batches) =>
            bs.map((x) => {
              const l = p.trainStep(x);
              const v = l.dataSync()[0];
              l.dispose();
              return v;
            });
          const straight = xbmProgram(loss());
          const all = run(straight, batches);
          assert.ok(all.every(Number.isFinite), `${backend.name}: ${all}`);
          const first = xbmProgram(loss());
          run(first, batches.slice(0, 3));
          const path = await saveCheckpoint(first, `${dir}/${loss().name}`, { step: 3 });
          first.dispose();
          const second = xbmProgram(loss());
          await loadCheckpoint(second, path);
          assert.deepEqual(run(second, batches.slice(3)), all.slice(3), `${backend.name}`);
          assert.deepEqual(await state(second), await state(straight));
          straight.dispose();
          second.dispose();
        }
        batches.forEach((x) => tf.dispose([x.embeddings, x.labels]));
        await Deno.remove(dir, { recursive: true });
      } finally {
        await use("cpu");
      }
    },
  });
}
