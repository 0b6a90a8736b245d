import * as tf from "@tensorflow/tfjs";
import type { Tensor } from "../types.ts";

/**
 * Dropout with a mask stream derived from `seed` and a call counter: reproducible, yet a new
 * mask every training call (tfjs's own seeded dropout repeats one mask forever).
 */
export function seededDropout(
  x: Tensor,
  rate: number,
  noiseShape: number[],
  seed: number,
  call: number,
): Tensor {
  return tf.dropout(x, rate, noiseShape, `${seed}:${call}`);
}

/** The single input tensor of a layer call. */
export const single = (inputs: Tensor | Tensor[]): Tensor =>
  Array.isArray(inputs) ? inputs[0] : inputs;

/**
 * A layer whose randomness advances with every training call (the seeded dropout layers):
 * its position in its random stream can be read and set, so checkpoints save it and a
 * resumed run draws the masks the uninterrupted run would have drawn.
 */
export interface RandomStateLayer {
  /** Training calls made so far: the position in the layer's random stream. */
  getRandomState(): number;
  /** Moves the random stream to after `calls` training calls. */
  setRandomState(calls: number): void;
}

/** Whether `layer` has a random state to save ({@linkcode RandomStateLayer}). */
export function hasRandomState(layer: unknown): layer is RandomStateLayer {
  const l = layer as Partial<RandomStateLayer> | null;
  return l !== null && typeof l === "object" && typeof l.getRandomState === "function" &&
    typeof l.setRandomState === "function";
}

/** Checks a call counter given to `setRandomState`. */
export function checkCalls(layer: string, calls: number): number {
  if (!Number.isSafeInteger(calls) || calls < 0) {
    throw new Error(
      `Cannot set the random state of ${layer} as calls must be a non-negative integer: current value is ${calls}`,
    );
  }
  return calls;
}
