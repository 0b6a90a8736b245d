// Device (tensor-op) mining helpers shared by the miners (private).
import * as tf from "@tensorflow/tfjs";
import type { Distance, Labelled, LossReference, Tensor, Tensor2D } from "../types.ts";

/**
 * What a device miner sees: the batch's rows, the rows they are compared with (`columns`: the
 * batch itself, or a reference such as a cross-batch memory) and the `[n, r]` 0/1 masks of
 * same-class (never a row with itself) and other-class pairs.
 */
export interface DeviceBatch {
  readonly embeddings: Tensor2D;
  readonly columns: Tensor2D;
  readonly same: Tensor;
  readonly other: Tensor;
}

/** The device batch of a labelled input (with `reference`, its rows and mask). */
export function deviceBatch(input: Labelled, reference?: LossReference): DeviceBatch {
  const n = input.embeddings.shape[0];
  const labels = tf.cast(input.labels, "int32");
  if (reference === undefined) {
    const equal = tf.cast(tf.equal(tf.expandDims(labels, 1), tf.expandDims(labels, 0)), "float32");
    return {
      embeddings: input.embeddings,
      columns: input.embeddings,
      same: tf.sub(equal, tf.eye(n)),
      other: tf.sub(1, equal),
    };
  }
  const refLabels = tf.cast(reference.labels, "int32");
  const equal = tf.cast(
    tf.equal(tf.expandDims(labels, 1), tf.expandDims(refLabels, 0)),
    "float32",
  );
  const mask = tf.cast(reference.mask, "float32");
  return {
    embeddings: input.embeddings,
    columns: reference.embeddings,
    same: tf.mul(equal, mask),
    other: tf.mul(tf.sub(1, equal), mask),
  };
}

/**
 * Runs `f` on `inputs` off the gradient tape: tfjs records no op run inside a custom
 * gradient's forward function, and the one node it records takes a constant, not `inputs`,
 * so nothing computed from the result is on a path from a variable (comparisons, which have
 * no gradient in tfjs, may then follow). A selection or a detached copy is never
 * differentiated.
 */
export function withoutGradient(f: (...xs: Tensor[]) => Tensor, ...inputs: Tensor[]): Tensor {
  const cut = tf.customGrad(
    // deno-lint-ignore no-explicit-any
    ((_anchor: Tensor): any => ({
      value: f(...inputs),
      gradFunc: (dy: Tensor) => [tf.zerosLike(dy).sum()],
      // deno-lint-ignore no-explicit-any
    })) as any,
  ) as unknown as (anchor: Tensor) => Tensor;
  return cut(tf.scalar(0));
}

/**
 * `choose(d, same, other)` with `d` the all-pairs distances of the rows and the columns, run
 * without gradient (comparisons have no gradient in tfjs; a selection is never
 * differentiated). `choose` returns one float tensor (stack several, cast indices).
 */
export function chooseOnDevice(
  distance: Distance,
  batch: DeviceBatch,
  choose: (d: Tensor2D, same: Tensor, other: Tensor) => Tensor,
): Tensor {
  return withoutGradient(
    (e, c, same, other) => choose(distance.matrix(e as Tensor2D, c as Tensor2D), same, other),
    batch.embeddings,
    batch.columns,
    batch.same,
    batch.other,
  );
}

/**
 * `d > m` for float32 `d` and a float64 `m`, exactly as the host compares (float32 values
 * widened to float64): against the float32 nearest `m`, inclusive when that rounded up.
 */
export function greaterThan(d: Tensor, m: number): Tensor {
  const m32 = Math.fround(m);
  return m32 > m ? tf.greaterEqual(d, m32) : tf.greater(d, m32);
}

/** `d < m` for float32 `d` and a float64 `m`, exactly as the host compares. */
export function lessThan(d: Tensor, m: number): Tensor {
  const m32 = Math.fround(m);
  return m32 < m ? tf.lessEqual(d, m32) : tf.less(d, m32);
}

/** `d ≤ m` for float32 `d` and a float64 `m`, exactly as the host compares. */
export function atMost(d: Tensor, m: number): Tensor {
  return tf.logicalNot(greaterThan(d, m));
}

/** 0/1 float of a bool tensor. */
export const float = (b: Tensor): Tensor => tf.cast(b, "float32");

/** `tf.unstack` that also takes zero-size tensors (tfjs's cpu kernel fails on them). */
export function unstack(t: Tensor): Tensor[] {
  if (t.size > 0) return tf.unstack(t);
  return Array.from({ length: t.shape[0] }, () => tf.zeros(t.shape.slice(1)));
}

/** Whether the backend keeps tensors on a GPU, where every read-back stalls the pipeline. */
export function readBackStalls(): boolean {
  const backend = tf.getBackend();
  return backend === "webgpu" || backend === "webgl";
}

/**
 * Device forms whose selection is a `[n, r, r]` mask: reading it back costs more than the
 * host form's `[n, r]` distances on the CPU-side backends (see bench/miners.ts), so `mined`
 * uses them only where a read-back stalls a GPU, or against a reference (which only a
 * device form can mine).
 */
export const cubicSelections: WeakSet<object> = new WeakSet();
