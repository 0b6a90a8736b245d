/**
 * Helpers shared by the step stream, its transformers and `fit`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { NamedTensor } from "../_state.ts";
import type { History } from "../fit.ts";
import type { TrainableProgram } from "../trainable_program.ts";

/** A value as an error message shows it. */
export const shown = (value: unknown): string =>
  typeof value === "string"
    ? JSON.stringify(value)
    : typeof value === "function"
    ? "a function"
    : typeof value === "bigint"
    ? `${value}n`
    : Array.isArray(value)
    ? "an array"
    : value !== null && typeof value === "object"
    ? "an object"
    : String(value);

/** Checks an optional count: an integer ≥ `min` (or Infinity when `infinite`). */
export const checkCount = (
  what: string,
  name: string,
  value: number | undefined,
  min: number,
  infinite = true,
): void => {
  if (value === undefined) return;
  if (
    typeof value !== "number" || !(Number.isInteger(value) || (infinite && value === Infinity)) ||
    value < min
  ) {
    throw new Error(
      `Cannot ${what} as ${name} must be an integer ≥ ${min}: current value is ${shown(value)}`,
    );
  }
};

/** A history with nothing in it yet. */
export const emptyHistory = (): History => ({
  loss: [],
  learningRate: [],
  epochLoss: [],
  epochImagesPerSecond: [],
  validation: [],
  steps: 0,
  epochs: 0,
  images: 0,
  elapsedMs: 0,
  imagesPerSecond: 0,
  stopReason: "completed",
});

/** The optimiser's learning rate, NaN when it does not tell. */
export const optimizerRate = (program: TrainableProgram<unknown>): number => {
  const rate = (program.optimizer as unknown as { learningRate?: unknown }).learningRate;
  return typeof rate === "number" ? rate : NaN;
};

/** An iterator over a sync or async iterable. */
export type AnyIterator<T> = Iterator<T> | AsyncIterator<T>;

/** The iterator of a sync or async iterable; an error naming `what` for anything else. */
export const iteratorOf = <T>(
  source: Iterable<T> | AsyncIterable<T>,
  what = "batches",
): AnyIterator<T> => {
  if (source && typeof (source as AsyncIterable<T>)[Symbol.asyncIterator] === "function") {
    return (source as AsyncIterable<T>)[Symbol.asyncIterator]();
  }
  if (source && typeof (source as Iterable<T>)[Symbol.iterator] === "function") {
    return (source as Iterable<T>)[Symbol.iterator]();
  }
  throw new Error(
    `Cannot fit as ${what} must be an iterable, an async iterable or a function returning one: current value is ${typeof source}`,
  );
};

/** The tensors of a batch with their names (`batch.anchor`, `batch.items[1]`, …). */
export const batchTensors = (batch: unknown): NamedTensor[] => {
  const found: NamedTensor[] = [];
  const seen = new Set<unknown>();
  const visit = (value: unknown, name: string): void => {
    if (value instanceof tf.Tensor) {
      if (!value.isDisposed) found.push({ name, tensor: value });
    } else if (value !== null && typeof value === "object" && !seen.has(value)) {
      seen.add(value);
      if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${name}[${i}]`));
      else for (const [key, v] of Object.entries(value)) visit(v, `${name}.${key}`);
    }
  };
  visit(batch, "batch");
  return found;
};
