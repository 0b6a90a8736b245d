// Label checks that need no read-back on GPU backends (private).
import * as tf from "@tensorflow/tfjs";
import { readBackStalls } from "../miners/_device.ts";
import type { Scalar, Tensor } from "../types.ts";

/**
 * Where labels are checked. On GPU backends (webgpu, webgl) a read-back stalls the pipeline
 * every step, so labels are checked on the device: a label outside `[0, classes)` (or not an
 * integer) makes the loss NaN, which `fit` stops on. On CPU-side backends (cpu, wasm,
 * native) reading `n` labels is a copy with no stall, and a bad label throws, naming it.
 * Tests replace `onDevice` to run the device check on the cpu backend.
 */
export const labelChecks = {
  onDevice: readBackStalls,
};

/** 0 when every label is an integer in `[0, classes)`, NaN otherwise (a scalar, no read-back). */
export function labelPoison(labels: Tensor, classes: number): Scalar {
  return tf.tidy(() => {
    const y = tf.cast(labels, "float32");
    const ok = tf.logicalAnd(
      tf.logicalAnd(tf.greaterEqual(y, 0), tf.less(y, classes)),
      tf.equal(y, tf.round(y)),
    );
    const all = tf.all(ok);
    return tf.where(all, tf.scalar(0), tf.scalar(NaN)) as Scalar;
  });
}
