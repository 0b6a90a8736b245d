/**
 * Test helpers: a small compiled triplet program with the lecture's VGG blocks (spatial
 * dropout 0.2 included), seeded triplet batches, and the backends to run them on.
 */
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../../lib/backend/mod.ts";
import { vgg } from "../../lib/backbones/vgg.ts";
import { embedding, l2Normalize, triplet } from "../../lib/branches/mod.ts";
import { compile } from "../../lib/compile/mod.ts";
import { tripletMargin } from "../../lib/losses/mod.ts";
import { pipe } from "../../lib/pipe.ts";
import type { Loss, Program, Triplet } from "../../lib/types.ts";
import { skipReason, useNative } from "../backend/_native.ts";

export type TripletBatch = {
  kind: "triplet";
  anchor: tf.Tensor;
  positive: tf.Tensor;
  negative: tf.Tensor;
};

/** Side of the square single-channel input images. */
export const SIDE = 12;

/** VGG (2 blocks of 4 and 8 filters, spatial dropout 0.2), dense 16, embedding 8. */
export function smallProgram(
  options: { loss?: Loss<Triplet>; seed?: number; learningRate?: number } = {},
): Program<Triplet> {
  return compile({
    model: triplet(pipe(vgg({ filters: [4, 8], dense: 16 }), embedding(8), l2Normalize())),
    loss: options.loss ?? tripletMargin({ margin: 1 }),
    inputShape: [SIDE, SIDE, 1],
    seed: options.seed ?? 1,
    learningRate: options.learningRate ?? 1e-2,
  });
}

/**
 * An endless seeded stream of triplet batches of `size` triplets; `poison` puts `value` into
 * `field` at flat `index` of the `at`-th batch (1-based).
 */
export function* triplets(
  seed: number,
  size = 4,
  poison?: { at: number; field: "anchor" | "positive" | "negative"; index: number; value: number },
): Generator<TripletBatch> {
  let state = seed >>> 0 || 1;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const n = size * SIDE * SIDE;
  for (let i = 1;; i++) {
    const fields = ["anchor", "positive", "negative"].map((field) => {
      const values = new Float32Array(n);
      for (let j = 0; j < n; j++) values[j] = next();
      if (poison && poison.at === i && poison.field === field) values[poison.index] = poison.value;
      return tf.tensor4d(values, [size, SIDE, SIDE, 1]);
    });
    yield { kind: "triplet", anchor: fields[0], positive: fields[1], negative: fields[2] };
  }
}

/** Every weight of the program (embedder, head) as plain arrays. */
export function weightsOf(
  program: { embedder: tf.LayersModel; head?: tf.LayersModel },
): number[][] {
  return [...program.embedder.getWeights(), ...(program.head?.getWeights() ?? [])].map((w) =>
    Array.from(w.dataSync())
  );
}

/** The backends the reliability tests run on, with why one is skipped (visibly). */
export const BACKENDS: { name: "cpu" | "wasm" | "native"; ignore: boolean }[] = [
  { name: "cpu", ignore: false },
  { name: "wasm", ignore: false },
  { name: "native", ignore: skipReason !== undefined },
];

/** Switches to `name`. */
export async function use(name: "cpu" | "wasm" | "native"): Promise<void> {
  if (name === "native") await useNative();
  else await useBackend(name);
}
