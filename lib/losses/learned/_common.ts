// Shared checks and maths of the losses with learned parameters (private).
import * as tf from "@tensorflow/tfjs";
import { cosine } from "../../distances/cosine.ts";
import type { Labelled, LossContext, Tensor, Tensor1D, Tensor2D } from "../../types.ts";
import { checkEmbeddings, checkLabels } from "../_validate.ts";

/** Throws unless `classes` is an integer ≥ 2; returns it. */
export function checkClasses(what: string, classes: number): number {
  if (typeof classes !== "number" || !Number.isInteger(classes) || classes < 2) {
    throw new Error(
      `Cannot create ${what} loss as options.classes must be an integer ≥ 2 (the number of classes): current value is ${classes}`,
    );
  }
  return classes;
}

/** Throws unless `value` is an integer ≥ 1; returns it. */
export function checkCount(what: string, argument: string, value: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new Error(
      `Cannot create ${what} loss as options.${argument} must be an integer ≥ 1: current value is ${value}`,
    );
  }
  return value;
}

/** Throws unless `value` is a finite number that passes `ok` (`rule` says which); returns it. */
export function checkNumber(
  what: string,
  argument: string,
  value: number,
  ok: (v: number) => boolean = () => true,
  rule = "",
): number {
  if (typeof value !== "number" || !Number.isFinite(value) || !ok(value)) {
    throw new Error(
      `Cannot create ${what} loss as options.${argument} must be a finite number${
        rule === "" ? "" : ` ${rule}`
      }: current value is ${value}`,
    );
  }
  return value;
}

/** Throws unless `value` is a finite number > 0; returns it. */
export const checkPositive = (what: string, argument: string, value: number): number =>
  checkNumber(what, argument, value, (v) => v > 0, "> 0");

/** The learning-rate multiplier of a loss's parameters (default 1). */
export const checkMultiplier = (what: string, value: number | undefined): number =>
  checkPositive(what, "learningRateMultiplier", value ?? 1);

/** Validates a labelled input against `classes`; returns the labels as int32 and one-hot. */
export function checkedLabels(
  what: string,
  input: Labelled,
  classes: number,
): { labels: Tensor1D; oneHot: Tensor2D } {
  checkEmbeddings(what, "embeddings", input.embeddings);
  const n = input.embeddings.shape[0];
  checkLabels(what, "labels", input.labels, n);
  const values = input.labels.dataSync();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v >= classes) {
      throw new Error(
        `Cannot compute ${what} as labels must be integers in [0, ${classes}) (options.classes is ${classes}): current value at index ${i} is ${v}`,
      );
    }
  }
  const labels = tf.cast(input.labels, "int32") as Tensor1D;
  return { labels, oneHot: tf.cast(tf.oneHot(labels, classes), "float32") as Tensor2D };
}

/** The loss parameter `name` from the compiled program, checked to be `[rows, width]`. */
export function parameterOf(
  what: string,
  context: LossContext | undefined,
  name: string,
  rows: number,
  width: number,
): Tensor2D {
  const p: Tensor | undefined = context?.parameters?.[name];
  if (p === undefined || p === null) {
    throw new Error(
      `Cannot compute ${what} as context.parameters.${name} must be its [${rows}, ${width}] parameter: current value is undefined (compile the loss, or pass context.parameters)`,
    );
  }
  if (p.rank !== 2 || p.shape[0] !== rows || p.shape[1] !== width) {
    throw new Error(
      `Cannot compute ${what} as context.parameters.${name} must have shape [${rows}, ${width}] (one row per class or centre, as wide as the embeddings): current shape is [${p.shape}]`,
    );
  }
  return p as Tensor2D;
}

/** `[n, rows]` cosine similarities of embeddings to parameter rows (zero rows give 0). */
export const similarityTo = (e: Tensor2D, rows: Tensor2D): Tensor2D =>
  tf.sub(1, cosine.matrix(e, rows)) as Tensor2D;

/** Per-row softmax cross-entropy of `logits` with one-hot targets. */
export const crossEntropy = (logits: Tensor2D, oneHot: Tensor2D): Tensor1D =>
  tf.sub(tf.logSumExp(logits, 1), tf.sum(tf.mul(logits, oneHot), 1)) as Tensor1D;

/**
 * ArcFace's logits (pml's `ArcFaceLoss`): the target class's cosine c = cos θ becomes
 * cos(θ + m) while θ ≤ π − m (i.e. c ≥ −cos m) and c − m·sin m beyond, all scaled by `scale`.
 * cos(θ + m) is computed as c·cos m − sin θ·sin m with sin θ = √max(1 − c², 1e-12), the same
 * value as through acos but with a finite gradient at c = ±1.
 */
export function arcFaceLogits(
  cos: Tensor2D,
  oneHot: Tensor2D,
  margin: number,
  scale: number,
): Tensor2D {
  const c = tf.sum(tf.mul(cos, oneHot), 1);
  const sin = tf.sqrt(tf.clipByValue(tf.sub(1, tf.square(c)), 1e-12, 1));
  const withMargin = tf.sub(tf.mul(c, Math.cos(margin)), tf.mul(sin, Math.sin(margin)));
  const beyond = tf.sub(c, margin * Math.sin(margin));
  const target = tf.where(tf.greaterEqual(c, -Math.cos(margin)), withMargin, beyond);
  const logits = tf.add(cos, tf.mul(oneHot, tf.expandDims(tf.sub(target, c), 1)));
  return tf.mul(logits, scale) as Tensor2D;
}
