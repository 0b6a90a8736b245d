// Properties of the export: for arbitrary small networks built with the DSL, the stock-tfjs
// and ONNX exports give the embeddings likeness gives (no NaN, no leak); for hostile
// arguments, exportEmbedder throws an Error naming the argument and writes nothing.
import assert from "node:assert/strict";
import fc from "fast-check";
import * as tf from "@tensorflow/tfjs";
import {
  activation as activationStage,
  batchNorm,
  conv2d,
  dense,
  dropout,
  embedding,
  empty,
  flatten,
  globalAveragePool2d,
  l2Normalize,
  maxPool2d,
  spatialDropout2d,
  triplet,
} from "../../lib/branches/mod.ts";
import { compile } from "../../lib/compile/mod.ts";
import { tripletMargin } from "../../lib/losses/mod.ts";
import { exportArtifacts, exportEmbedder } from "../../lib/export/mod.ts";
import type { Activation, Branch } from "../../lib/types.ts";
import { embedWithOnnxRuntime, maxDifference } from "../export/_check.ts";

await tf.setBackend("cpu");

const activations: Activation[] = [
  "linear",
  "relu",
  "relu6",
  "elu",
  "selu",
  "tanh",
  "sigmoid",
  "softplus",
  "swish",
];

const convSpec = fc.record({
  filters: fc.integer({ min: 1, max: 4 }),
  kernelSize: fc.integer({ min: 1, max: 3 }),
  strides: fc.integer({ min: 1, max: 2 }),
  padding: fc.constantFrom("same" as const, "valid" as const),
  activation: fc.constantFrom(...activations),
  useBias: fc.boolean(),
  norm: fc.constantFrom("none", "before", "after"),
  pool: fc.boolean(),
  drop: fc.boolean(),
});
const denseSpec = fc.record({
  units: fc.integer({ min: 1, max: 6 }),
  activation: fc.constantFrom(...activations),
  norm: fc.constantFrom("none", "before", "after"),
  drop: fc.boolean(),
});
const network = fc.record({
  h: fc.integer({ min: 2, max: 9 }),
  w: fc.integer({ min: 2, max: 9 }),
  c: fc.integer({ min: 1, max: 3 }),
  convs: fc.array(convSpec, { maxLength: 3 }),
  global: fc.boolean(),
  denses: fc.array(denseSpec, { maxLength: 2 }),
  size: fc.integer({ min: 1, max: 5 }),
  l2: fc.boolean(),
  seed: fc.integer({ min: 0, max: 1000 }),
});

type Network = typeof network extends fc.Arbitrary<infer T> ? T : never;

function build(n: Network): Branch {
  let b = empty;
  for (const s of n.convs) {
    b = conv2d(s.filters, {
      kernelSize: s.kernelSize,
      strides: s.strides,
      padding: s.padding,
      activation: s.norm === "before" ? "linear" : s.activation,
      useBias: s.useBias,
    })(b);
    if (s.norm === "before") b = activationStage(s.activation)(batchNorm()(b));
    if (s.norm === "after") b = batchNorm()(b);
    if (s.drop) b = spatialDropout2d(0.3)(b);
    if (s.pool) b = maxPool2d(2)(b);
  }
  b = n.global && n.convs.length > 0 ? globalAveragePool2d()(b) : flatten()(b);
  for (const s of n.denses) {
    b = dense(s.units, { activation: s.norm === "before" ? "linear" : s.activation })(b);
    if (s.norm === "before") b = activationStage(s.activation)(batchNorm()(b));
    if (s.norm === "after") b = batchNorm()(b);
    if (s.drop) b = dropout(0.5)(b);
  }
  b = embedding(n.size)(b);
  return n.l2 ? l2Normalize()(b) : b;
}

Deno.test("fuzz: arbitrary small DSL networks export to tfjs and ONNX with likeness's embeddings", async () => {
  await fc.assert(
    fc.asyncProperty(network, async (n) => {
      let program;
      try {
        program = compile({
          model: triplet(build(n)),
          loss: tripletMargin(),
          inputShape: [n.h, n.w, n.c],
          seed: n.seed,
        });
      } catch (error) {
        // Too small an image for the branch: compile says so; nothing to export.
        assert.match((error as Error).message, /^Cannot compile/);
        return;
      }
      try {
        // Non-trivial batch-norm statistics.
        for (const v of program.embedder.weights) {
          if (/moving_variance$/.test(v.originalName)) {
            v.write(tf.randomUniform(v.shape as number[], 0.3, 2, "float32", n.seed));
          } else if (/(moving_mean|beta)$/.test(v.originalName)) {
            v.write(tf.randomUniform(v.shape as number[], -0.5, 0.5, "float32", n.seed + 1));
          }
        }
        const shape = [3, n.h, n.w, n.c];
        const x = tf.randomUniform(shape, 0, 1, "float32", n.seed);
        const data = Float32Array.from(x.dataSync() as Float32Array);
        const e = program.embed(x);
        const expected = Float32Array.from(e.dataSync() as Float32Array);
        tf.dispose([x, e]);
        const before = tf.memory().numTensors;
        const a = await exportArtifacts(program, { format: "onnx" });
        assert.equal(tf.memory().numTensors, before);
        const scale = Math.max(1, ...expected.map(Math.abs));
        assert.ok(a.metadata.checkedDifference <= 1e-5 * scale);
        const onnx = await embedWithOnnxRuntime(a.onnx as Uint8Array, data, shape);
        const gap = maxDifference(onnx.embeddings, expected);
        assert.ok(gap <= 1e-4 * scale, `onnx differs by ${gap} (scale ${scale})`);
      } finally {
        program.dispose();
      }
    }),
    { numRuns: 60, seed: 16 },
  );
});

Deno.test("fuzz: hostile options and sources are refused by name, and nothing is written", async () => {
  const parent = await Deno.makeTempDir();
  const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 2 })] });
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.anything(),
          fc.record({
            format: fc.oneof(fc.string(), fc.anything()),
            threshold: fc.oneof(fc.double(), fc.anything()),
            inputLayout: fc.oneof(fc.constantFrom("nhwc", "nchw", "NCHW"), fc.anything()),
            overwrite: fc.anything(),
            classNames: fc.anything(),
            extra: fc.anything(),
          }, { requiredKeys: [] }),
        ),
        fc.oneof(fc.constant<unknown>(embedder), fc.anything()),
        async (options, source) => {
          const dir = `${parent}/out`;
          try {
            // deno-lint-ignore no-explicit-any
            const m = await exportEmbedder(source as any, dir, options as any);
            assert.ok(m.files.length > 0);
            await Deno.remove(dir, { recursive: true });
          } catch (error) {
            assert.ok(error instanceof Error);
            assert.match(error.message, /^Cannot (export embedder as (options|source)|load)/);
          }
          assert.deepEqual([...Deno.readDirSync(parent)], []);
        },
      ),
      { numRuns: 60, seed: 16 },
    );
  } finally {
    embedder.dispose();
    await Deno.remove(parent, { recursive: true });
  }
});
