// Hostile inputs to the N-way pieces: samplers.nWay either yields correct tuples or throws an
// Error naming the argument; toTensors on N-way tuples either gathers the right rows or throws
// naming the item, and leaks nothing either way.
import assert from "node:assert/strict";
import fc from "fast-check";
import * as tf from "@tensorflow/tfjs";
import { nWay, rng } from "../../lib/samplers/mod.ts";
import { toTensors } from "../../lib/data/mod.ts";
import type { Dataset, NWayIndex } from "../../lib/types.ts";

await tf.setBackend("cpu");

const hostileNumber = fc.oneof(
  fc.integer({ min: -3, max: 9 }),
  fc.constantFrom(NaN, Infinity, -Infinity, 2.5, -0, 2 ** 31, 1025),
);

Deno.test("fuzz nWay: correct tuples or an error naming the argument", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: -1, max: 6 }), { maxLength: 30 }),
      fc.oneof(
        hostileNumber,
        fc.constantFrom<unknown>(undefined, null, "4", [4], {}),
      ),
      fc.boolean(),
      fc.integer(),
      (labels, n, wrapOptions, seed) => {
        const dataset: Dataset = {
          images: new Float32Array(labels.length),
          labels: Int32Array.from(labels),
          shape: [1],
          size: labels.length,
          classNames: ["a", "b", "c", "d", "e", "f", "g"],
        };
        const options = (wrapOptions ? { n } : n) as { n: number };
        let sampler;
        try {
          sampler = nWay(dataset, options);
        } catch (e) {
          assert.ok(e instanceof Error);
          assert.match(
            e.message,
            /^Cannot sample nWay tuples.*(options|n|dataset|classes|labels|class|size)/,
          );
          return;
        }
        // accepted: only for a valid n and a usable dataset
        assert.ok(wrapOptions && Number.isInteger(n) && (n as number) >= 2);
        for (const t of sampler(rng(seed))) {
          assert.equal(t.items.length, n);
          const [a, p, ...negatives] = t.items;
          assert.ok(a !== p && labels[a] === labels[p]);
          const classes = new Set(negatives.map((i) => labels[i]));
          assert.ok(!classes.has(labels[a]) && classes.size === negatives.length);
        }
      },
    ),
    { numRuns: 400 },
  );
});

Deno.test("fuzz toTensors nway: right rows or an error naming the item, never a leak", () => {
  const size = 5;
  const dataset: Dataset = {
    images: Float32Array.from({ length: size * 2 }, (_, i) => i / 10),
    labels: Int32Array.from([0, 1, 2, 0, 1]),
    shape: [2],
    size,
    classNames: ["a", "b", "c"],
  };
  const convert = toTensors(dataset);
  fc.assert(
    fc.property(
      fc.array(fc.array(hostileNumber, { maxLength: 5 }), { minLength: 1, maxLength: 4 }),
      (tuples) => {
        const before = tf.memory().numTensors;
        const batch = tuples.map((items) => ({ kind: "nway", items }) as unknown as NWayIndex);
        let out;
        try {
          out = convert(batch);
        } catch (e) {
          assert.ok(e instanceof Error);
          assert.match(e.message, /^Cannot convert batch to tensors as .*item/);
          assert.equal(tf.memory().numTensors, before, "a refused batch leaks nothing");
          return;
        }
        assert.ok(tuples.every((t) => t.length === tuples[0].length && t.length >= 2));
        assert.equal(out.items.length, tuples[0].length);
        out.items.forEach((x, s) => {
          // (`+ 0`: an index of -0 is sample 0)
          const expected = tuples.flatMap((t) =>
            [t[s] * 2 + 0, t[s] * 2 + 1].map((v) => Math.fround(v / 10))
          );
          assert.deepEqual([...x.dataSync()], expected);
        });
        tf.dispose([...out.items]);
        assert.equal(tf.memory().numTensors, before);
      },
    ),
    { numRuns: 400 },
  );
});
