import type { Branch } from "../types.ts";
import { append } from "./_append.ts";
import { positiveInteger } from "./_validate.ts";

/**
 * Options of {@linkcode embedding}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { embedding, type EmbeddingOptions } from "./embedding.ts";
 * import { empty } from "./empty.ts";
 * const options: EmbeddingOptions = { useBias: false };
 * assert.deepEqual(embedding(3, options)(empty).stages, [
 *   { kind: "dense", units: 3, activation: "linear", useBias: false, role: "embedding" },
 * ]);
 * ```
 */
export interface EmbeddingOptions {
  /** Whether the projection adds a bias (default true). */
  readonly useBias?: boolean;
}

/**
 * Appends the embedding: a linear fully connected projection to `size` outputs, marked
 * `role: "embedding"` so the branch itself says where its embedding is and how wide it is
 * (saved metadata carries the stage list). Backbones end at their features; this is the
 * stage that turns features into the embedding, e.g. the lecture's network is
 * `pipe(vgg(), embedding(32))`: 256 features → 32-d embedding, 429,176 weights on 28×28×1.
 * Follow it with `l2Normalize()` to put embeddings on the unit sphere.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { pipe } from "../pipe.ts";
 * import { vgg } from "../backbones/vgg.ts";
 * import { compile } from "../compile/compile.ts";
 * import { tripletMargin } from "../losses/mod.ts";
 * import { embedding } from "./embedding.ts";
 * import { triplet } from "./triplet.ts";
 * await tf.setBackend("cpu");
 * const net = pipe(vgg(), embedding(32));
 * const last = net.stages.at(-1);
 * if (last?.kind !== "dense" || last.role !== "embedding" || last.units !== 32) {
 *   throw new Error("the embedding is the last stage");
 * }
 * // the lecture's network: the backbone's 420,952 weights, then 256·32 + 32 = 8,224 more
 * const program = compile({ model: triplet(net), loss: tripletMargin(), inputShape: [28, 28, 1] });
 * const weights = program.embedder.countParams();
 * if (weights !== 420_952 + 8_224 || program.embeddingSize !== 32) throw new Error(`${weights}`);
 * program.dispose();
 * ```
 */
export function embedding(
  size: number,
  options: EmbeddingOptions = {},
): (branch: Branch) => Branch {
  const useBias = options.useBias ?? true;
  if (typeof useBias !== "boolean") {
    throw new Error(
      `Cannot create embedding stage as useBias must be true or false: current value is ${
        String(useBias)
      }`,
    );
  }
  return append({
    kind: "dense",
    units: positiveInteger("embedding stage", "size", size),
    activation: "linear",
    useBias,
    role: "embedding",
  });
}
