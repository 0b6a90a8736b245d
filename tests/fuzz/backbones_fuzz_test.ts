/**
 * Properties of the backbones and the embedding stage: for arbitrary (also hostile) options a
 * backbone either returns an inert branch that ends at its features, or throws an Error that
 * names the backbone and the argument; `embedding(size)` either appends one linear stage of
 * `size` units marked as the embedding, or throws naming `size`/`useBias`; and compiled, a
 * backbone plus `embedding(size)` outputs exactly `size` values per item.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import * as tf from "@tensorflow/tfjs";
import { mlp, resnet, vgg } from "../../lib/backbones/mod.ts";
import { embedding, empty, siamese } from "../../lib/branches/mod.ts";
import { compile } from "../../lib/compile/mod.ts";
import { contrastive } from "../../lib/losses/mod.ts";
import { pipe } from "../../lib/pipe.ts";
import type { Branch } from "../../lib/types.ts";

await tf.setBackend("cpu");

/** Anything a caller might pass where a number or a list is expected. */
const hostile = fc.oneof(
  fc.integer({ min: -3, max: 40 }),
  fc.double(),
  fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, 1e9),
  fc.string({ maxLength: 3 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.oneof(fc.integer({ min: -2, max: 20 }), fc.double(), fc.string()), {
    maxLength: 4,
  }),
);

const isInert = (b: Branch) => assert.deepEqual(JSON.parse(JSON.stringify(b)), b);

function checkBackbone(name: string, make: () => Branch, options: Record<string, unknown>) {
  let branch: Branch;
  try {
    branch = make();
  } catch (error) {
    assert.ok(error instanceof Error, `${name} threw a non-Error: ${String(error)}`);
    assert.match(
      error.message,
      new RegExp(`^Cannot create ${name} backbone as (\\w+) `),
      `${name}(${JSON.stringify(options)}): ${error.message}`,
    );
    const argument = error.message.match(/ backbone as (\w+) /)![1];
    assert.ok(
      argument in options,
      `${name}: the error names ${argument}, not an option given (${Object.keys(options)})`,
    );
    assert.match(error.message, /: current value is /);
    return;
  }
  assert.equal(options.embeddingSize, undefined, `${name} accepted embeddingSize`);
  assert.equal(branch.kind, "branch");
  isInert(branch);
  // it ends at features: no embedding stage inside a backbone
  assert.ok(branch.stages.every((s) => !(s.kind === "dense" && s.role === "embedding")));
}

Deno.test("backbones: arbitrary options give an inert feature branch or an Error naming the argument", () => {
  fc.assert(
    fc.property(
      fc.record({
        filters: hostile,
        blocks: hostile,
        dense: hostile,
        dropout: hostile,
        hidden: hostile,
        activation: fc.constantFrom("relu", "tanh", "bogus", 3),
        batchNorm: hostile,
        blocksPerStage: hostile,
        embeddingSize: hostile,
      }, { requiredKeys: [] }),
      (options) => {
        const o = options as Record<string, unknown>;
        // deno-lint-ignore no-explicit-any
        const any = o as any;
        checkBackbone("vgg", () => vgg(any), o);
        checkBackbone("mlp", () => mlp(any), o);
        checkBackbone("resnet", () => resnet(any), o);
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("embedding: an arbitrary size and useBias give one embedding stage or an Error naming them", () => {
  fc.assert(
    fc.property(hostile, fc.oneof(fc.boolean(), hostile), (size, useBias) => {
      let branch: Branch;
      try {
        branch = embedding(size as number, { useBias: useBias as boolean })(empty);
      } catch (error) {
        assert.ok(error instanceof Error);
        assert.match(
          error.message,
          /^Cannot create embedding stage as (size must be a positive integer|useBias must be true or false): current value is /,
        );
        return;
      }
      assert.ok(Number.isInteger(size) && (size as number) >= 1, `accepted size ${size}`);
      assert.deepEqual(branch.stages, [{
        kind: "dense",
        units: size,
        activation: "linear",
        useBias: useBias ?? true,
        role: "embedding",
      }]);
    }),
    { numRuns: 300 },
  );
});

Deno.test("a backbone plus embedding(size) compiles to `size` outputs and the counted weights", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 6 }), { maxLength: 2 }),
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 1, max: 7 }),
      (hidden, input, size) => {
        const program = compile({
          model: siamese(pipe(mlp({ hidden }), embedding(size))),
          loss: contrastive(),
          inputShape: [input],
        });
        try {
          assert.equal(program.embeddingSize, size);
          let weights = 0, width = input;
          for (const h of hidden) [weights, width] = [weights + width * h + h, h];
          assert.equal(program.embedder.countParams(), weights + width * size + size);
        } finally {
          program.dispose();
        }
      },
    ),
    { numRuns: 25 },
  );
});
