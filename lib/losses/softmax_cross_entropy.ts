import * as tf from "@tensorflow/tfjs";
import type { Labelled, Loss, LossContext, Tensor1D } from "../types.ts";
import { checkEmbeddings, checkLabels } from "./_validate.ts";
import { mean } from "./mean.ts";

/** Options of {@linkcode softmaxCrossEntropy}. */
export interface SoftmaxCrossEntropyOptions {
  /** Number of classes; labels must lie in `[0, classes)`. */
  readonly classes: number;
}

/**
 * Classification baseline: a dense head maps each embedding to `classes` logits and the
 * softmax cross-entropy with the integer labels is averaged. The branch output (the layer
 * before the head) then serves as the embedding. `compile` builds and owns the head. A label
 * outside `[0, classes)` contributes 0 (it is one-hot encoded as all zeros).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { softmaxCrossEntropy } from "./softmax_cross_entropy.ts";
 * await tf.setBackend("cpu");
 * const loss = softmaxCrossEntropy({ classes: 4 });
 * // A head with equal logits gives log 4 per row.
 * const head = (x: tf.Tensor2D) => tf.zeros([x.shape[0], 4]) as tf.Tensor2D;
 * const input = { kind: "labelled" as const, embeddings: tf.ones([2, 3]) as tf.Tensor2D, labels: tf.tensor1d([0, 3], "int32") };
 * const v = loss.perItem(input, { training: false, head }).dataSync();
 * if (Math.abs(v[1] - Math.log(4)) > 1e-6) throw new Error("softmaxCrossEntropy");
 * ```
 */
export function softmaxCrossEntropy(options: SoftmaxCrossEntropyOptions): Loss<Labelled> {
  const classes = options?.classes;
  if (!Number.isInteger(classes) || classes < 2) {
    throw new Error(
      `Cannot create softmaxCrossEntropy loss as classes must be an integer ≥ 2: current value is ${classes}`,
    );
  }
  return {
    name: "softmax-cross-entropy",
    head: {
      input: "single",
      branch: {
        kind: "branch",
        stages: [{ kind: "dense", units: classes, activation: "linear", useBias: true }],
      },
    },
    reduce: mean,
    perItem: (input: Labelled, context?: LossContext): Tensor1D =>
      tf.tidy(() => {
        const what = "softmax-cross-entropy loss";
        checkEmbeddings(what, "embeddings", input.embeddings);
        checkLabels(what, "labels", input.labels, input.embeddings.shape[0]);
        if (context?.head === undefined) {
          throw new Error(
            `Cannot compute ${what} as context.head must be the compiled head: current value is undefined (compile the loss)`,
          );
        }
        const logits = context.head(input.embeddings);
        const target = tf.oneHot(tf.cast(input.labels, "int32"), classes);
        return tf.neg(tf.sum(tf.mul(target, tf.logSoftmax(logits)), 1)) as Tensor1D;
      }),
  };
}
