// Property: for arbitrary memory sizes, batch sizes (empty and too large included), labels
// (negative, huge) and finite or hostile values, crossBatchMemory either returns pml's
// CrossBatchMemory value (the loop oracle over the same steps) or throws an Error naming the
// argument; never a NaN for finite input, never a leaked tensor. And the miners' device forms
// choose what their host forms choose on arbitrary batches.
import assert from "node:assert/strict";
import fc from "fast-check";
import * as tf from "@tensorflow/tfjs";
import { crossBatchMemory } from "../../lib/losses/cross_batch_memory.ts";
import { multiSimilarity } from "../../lib/losses/mod.ts";
import { batchHard, pairMarginMiner, tripletMarginMiner } from "../../lib/miners/mod.ts";
import { selectionIndices } from "../../lib/miners/mined.ts";
import { minedMasks } from "../../lib/losses/_mined_masks.ts";
import type { Labelled, LossContext, Tensor } from "../../lib/types.ts";
import { cos, logSumExp } from "../losses/_oracle.ts";

await tf.setBackend("cpu");

const value = fc.oneof(
  { weight: 6, arbitrary: fc.float({ min: -4, max: 4, noNaN: true }).map(Math.fround) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1, -1) },
);
const batch = (width: number) =>
  fc.array(
    fc.record({
      row: fc.array(value, { minLength: width, maxLength: width }),
      label: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constantFrom(-7, 2 ** 20)),
    }),
    { minLength: 0, maxLength: 7 },
  );

Deno.test("fuzz: crossBatchMemory(multiSimilarity) is pml's value over arbitrary steps, or a named error", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 9 }),
      fc.array(batch(2), { minLength: 1, maxLength: 4 }),
      (size, steps) => {
        const before = tf.memory().numTensors;
        const loss = crossBatchMemory(multiSimilarity(), { size });
        const buffers = tf.tidy(() => ({
          memory: tf.variable(tf.zeros([size, 2]), false),
          memoryLabels: tf.variable(tf.zeros([size]), false),
          memoryState: tf.variable(tf.zeros([2]), false),
        }));
        const slots: { row: number[]; label: number }[] = [];
        let position = 0;
        try {
          for (const items of steps) {
            const input: Labelled = {
              kind: "labelled",
              embeddings: tf.tensor2d(items.map((i) => i.row), [items.length, 2]),
              labels: tf.tensor1d(items.map((i) => i.label), "int32"),
            };
            const staged: Record<string, Tensor> = {};
            const context: LossContext = {
              training: true,
              buffers,
              update: (name, v) => (staged[name] = tf.keep(v.clone())),
            };
            try {
              if (items.length > size) {
                assert.throws(
                  () => loss.perItem(input, context),
                  /the batch must fit in the memory/,
                );
                continue;
              }
              const got = tf.tidy(() => loss.perItem(input, context).dataSync());
              const own: number[] = [];
              items.forEach((item) => {
                slots[position] = { row: item.row, label: item.label };
                own.push(position);
                position = (position + 1) % size;
              });
              items.forEach((item, i) => {
                const refs = slots.filter((_, s) => s !== own[i]);
                const pos = refs.filter((r) => r.label === item.label)
                  .map((r) => -2 * (cos(item.row, r.row) - 0.5));
                const neg = refs.filter((r) => r.label !== item.label)
                  .map((r) => 50 * (cos(item.row, r.row) - 0.5));
                const want = logSumExp(pos, true) / 2 + logSumExp(neg, true) / 50;
                assert.ok(Number.isFinite(got[i]), `row ${i}: ${got[i]}`);
                assert.ok(
                  Math.abs(got[i] - want) <= 1e-3 * Math.max(1, Math.abs(want)),
                  `row ${i}: ${got[i]} vs ${want}`,
                );
              });
              for (const [name, v] of Object.entries(staged)) {
                buffers[name as keyof typeof buffers].assign(v);
              }
            } finally {
              tf.dispose([input.embeddings, input.labels, ...Object.values(staged)]);
            }
          }
        } finally {
          tf.dispose(Object.values(buffers));
        }
        assert.equal(tf.memory().numTensors, before);
      },
    ),
    { numRuns: 60 },
  );
});

Deno.test("fuzz: the miners' device forms choose what their host forms choose", () => {
  fc.assert(
    fc.property(batch(3), (items) => {
      const input: Labelled = {
        kind: "labelled",
        embeddings: tf.tensor2d(items.map((i) => i.row), [items.length, 3]),
        labels: tf.tensor1d(items.map((i) => i.label), "int32"),
      };
      const key = (t: { anchor: Int32Array; positive: Int32Array; negative: Int32Array }) =>
        `${t.anchor}|${t.positive}|${t.negative}`;
      try {
        for (const miner of [batchHard(), tripletMarginMiner({ type: "hard", margin: 0.5 })]) {
          assert.equal(key(selectionIndices(miner.device!(input))), key(miner(input)));
        }
        const pairs = pairMarginMiner({ posMargin: 1, negMargin: 2 });
        const got = pairs.device!(input), want = minedMasks(items.length, pairs(input));
        assert.deepEqual(
          [Array.from(got.same.dataSync()), Array.from(got.other.dataSync())],
          [Array.from(want.same.dataSync()), Array.from(want.other.dataSync())],
        );
        tf.dispose([got.same, got.other, want.same, want.other]);
      } finally {
        tf.dispose([input.embeddings, input.labels]);
      }
    }),
    { numRuns: 80 },
  );
});
