// Shared checks and maths of the losses with learned parameters (private).
import * as tf from "@tensorflow/tfjs";
import { cosine } from "../../distances/cosine.ts";
import type {
  Labelled,
  Loss,
  LossContext,
  ParameterInit,
  Reducer,
  Tensor,
  Tensor1D,
  Tensor2D,
  Tensor3D,
} from "../../types.ts";
import { checkEmbeddings, checkLabels } from "../_validate.ts";
import { mean } from "../mean.ts";
import { labelChecks, labelPoison } from "../_device_labels.ts";

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

/** ArcFace's `options.margin`: degrees in [0, 180) (default 28.6, pml's); returns radians. */
export function checkAngularMargin(what: string, degrees: number | undefined): number {
  const checked = checkNumber(
    what,
    "margin",
    degrees ?? 28.6,
    (v) => v >= 0 && v < 180,
    "in [0, 180) degrees",
  );
  return (checked * Math.PI) / 180;
}

/** N(0, 1), pml's `normal_`: how class weights and ProxyNCA's proxies start. */
export const standardNormal: ParameterInit = { kind: "normal", mean: 0, stddev: 1 };

/** A loss over labelled rows with one learned `[classes·rowsPerClass, embeddingSize]` parameter. */
export interface LearnedLossSpec {
  /** The loss's name (`"arc-face"`); its errors say `"arc-face loss"`. */
  readonly name: string;
  /** Number of classes; labels must be integers in `[0, classes)`. */
  readonly classes: number;
  /** The parameter's name (`classWeights`, `proxies`, `centers`). */
  readonly parameter: string;
  /** Rows of the parameter per class (default 1); row `c·k + j` is class c's j-th. */
  readonly rowsPerClass?: number;
  /** How `compile` fills the parameter. */
  readonly init: ParameterInit;
  /** Learning rate of the parameter as a multiple of the program's. */
  readonly learningRateMultiplier: number;
  /** The reducer (default {@linkcode mean}). */
  readonly reduce?: Reducer;
  /** The per-item values from checked embeddings, the parameter and the one-hot labels. */
  readonly perItem: (embeddings: Tensor2D, rows: Tensor2D, oneHot: Tensor2D) => Tensor1D;
}

/**
 * The {@linkcode Loss} of a spec: cosine distance, the parameter declared with shape
 * `[classes·rowsPerClass, "embeddingSize"]`, and a `perItem` that checks the labels against
 * `classes` and the parameter's shape (in that order) before `spec.perItem`, inside a tidy.
 */
export function learnedLoss(spec: LearnedLossSpec): Loss<Labelled> {
  const { name, classes, parameter } = spec;
  const rows = classes * (spec.rowsPerClass ?? 1);
  const what = `${name} loss`;
  return {
    name,
    distance: cosine,
    reduce: spec.reduce ?? mean,
    parameters: [{
      name: parameter,
      shape: [rows, "embeddingSize"],
      init: spec.init,
      learningRateMultiplier: spec.learningRateMultiplier,
    }],
    perItem: (input: Labelled, context?: LossContext): Tensor1D =>
      tf.tidy(() => {
        const device = labelChecks.onDevice();
        const { oneHot } = checkedLabels(what, input, classes, device);
        const e = input.embeddings;
        const values = spec.perItem(
          e,
          parameterOf(what, context, parameter, rows, e.shape[1]),
          oneHot,
        );
        // on the device: a bad label makes every value NaN (no read-back)
        return device ? tf.add(values, labelPoison(input.labels, classes)) as Tensor1D : values;
      }),
  };
}

/**
 * Validates a labelled input against `classes`; returns the labels as int32 and one-hot.
 * With `onDevice` the labels' values are not read (shapes only; see `labelChecks`).
 */
export function checkedLabels(
  what: string,
  input: Labelled,
  classes: number,
  onDevice = false,
): { labels: Tensor1D; oneHot: Tensor2D } {
  checkEmbeddings(what, "embeddings", input.embeddings);
  const n = input.embeddings.shape[0];
  checkLabels(what, "labels", input.labels, n);
  const values = onDevice ? [] : input.labels.dataSync();
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

/** `[n, classes, k]` cosine similarities of embeddings to `k` rows per class. */
export const similarityPerClass = (
  e: Tensor2D,
  rows: Tensor2D,
  classes: number,
  k: number,
): Tensor3D => tf.reshape(similarityTo(e, rows), [e.shape[0], classes, k]);

/** Logits `scale·(similarity − margin·[c = y])`: an additive margin on the target class. */
export const additiveMarginLogits = (
  similarity: Tensor2D,
  oneHot: Tensor2D,
  margin: number,
  scale: number,
): Tensor2D => tf.mul(tf.sub(similarity, tf.mul(oneHot, margin)), scale);

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
