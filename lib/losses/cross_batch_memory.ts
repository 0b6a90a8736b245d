import * as tf from "@tensorflow/tfjs";
import { withoutGradient } from "../miners/_device.ts";
import type { Labelled, Loss, LossContext, Tensor, Tensor1D, Tensor2D } from "../types.ts";
import { checkEmbeddings, checkLabels } from "./_validate.ts";

/** Options of {@linkcode crossBatchMemory}. */
export interface CrossBatchMemoryOptions {
  /**
   * How many past embeddings the memory holds, M (an integer from 1 to 2²⁴; each batch must
   * fit in it). pytorch-metric-learning's `memory_size`.
   */
  readonly size: number;
}

/** The names of the buffers {@linkcode crossBatchMemory} declares (the checkpoint's keys). */
const MEMORY = "memory", LABELS = "memoryLabels", STATE = "memoryState";

/** The largest memory: slot positions are float32 integers on the device. */
const MAX_SIZE = 2 ** 24;

/**
 * Cross-batch memory (Wang et al. 2020, "Cross-Batch Memory for Embedding Learning"), as
 * pytorch-metric-learning's `CrossBatchMemory`: a queue of the last `size` embeddings and
 * labels seen in training, which `loss` uses as extra positives and negatives. Each step the
 * batch's rows are compared with the memory **after** the batch's own rows are enqueued (as
 * pml: the batch takes part through its copy in the memory), never a row with its own copy;
 * only the batch's rows (the anchors) get a gradient — the memory's rows, including the
 * batch's copies, get none. The batch is enqueued (detached) after the training step, oldest
 * out first: the queue fills slot 0, 1, … and then wraps around. `evaluate` reads the memory
 * but does not change it.
 *
 * The memory is state beside the model: the loss declares it as buffers (`memory`
 * `[size, embeddingSize]`, `memoryLabels` `[size]`, `memoryState` `[2]`: next slot and rows
 * filled), `compile` creates and owns them (`program.lossState.buffers`), and checkpoints
 * save and restore them, so a resumed run continues with the same queue. Nothing is hidden
 * in the loss value, which holds no tensor.
 *
 * `loss` must be a labelled loss that compares against reference rows (`acceptsReference`):
 * `multiSimilarity`, `circle`, `ntXent`, `supCon`, `pmlContrastiveLoss`,
 * `pmlTripletMarginLoss`, and `mined(miner, …)` or a loss's `miner` option with a miner that
 * has a device form (`batchHard`, `batchAll`, `tripletMarginMiner`, `pairMarginMiner`,
 * `multiSimilarityMiner`). The reducer is the loss's. Labels are stored as float32: integers
 * up to 2²⁴ in magnitude.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { crossBatchMemory } from "./cross_batch_memory.ts";
 * import { multiSimilarity } from "./multi_similarity.ts";
 * import { compile } from "../compile/compile.ts";
 * import { dense, empty, labelled } from "../branches/mod.ts";
 * await tf.setBackend("cpu");
 * const loss = crossBatchMemory(multiSimilarity(), { size: 8 });
 * const program = compile({ model: labelled(dense(3)(empty)), loss, inputShape: [2], seed: 1 });
 * const batch = { kind: "labelled" as const, embeddings: tf.randomNormal([4, 2], 0, 1, "float32", 3), labels: tf.tensor1d([0, 0, 1, 1], "int32") };
 * program.trainStep(batch).dispose();
 * program.trainStep(batch).dispose();
 * // two steps of 4 rows: the memory's 8 slots are full, its next slot wrapped to 0
 * const state = program.lossState!.buffers!.find((b) => b.name === "memoryState")!.variable;
 * if (state.dataSync().join() !== "0,8") throw new Error(`${state.dataSync()}`);
 * program.dispose();
 * ```
 */
export function crossBatchMemory(
  loss: Loss<Labelled>,
  options: CrossBatchMemoryOptions,
): Loss<Labelled> {
  if (loss === null || typeof loss !== "object" || typeof loss.perItem !== "function") {
    throw new Error(
      `Cannot create crossBatchMemory as loss must be a labelled loss value (losses.multiSimilarity(), …): current value is ${
        String(loss)
      }`,
    );
  }
  if (loss.acceptsReference !== true) {
    throw new Error(
      `Cannot create crossBatchMemory as loss '${loss.name}' must be a labelled loss that compares with reference rows (acceptsReference: multiSimilarity, circle, ntXent, supCon, pmlContrastiveLoss, pmlTripletMarginLoss, or mined with a device miner): current loss has acceptsReference ${
        String(loss.acceptsReference)
      }`,
    );
  }
  if (loss.buffers !== undefined) {
    throw new Error(
      `Cannot create crossBatchMemory as loss '${loss.name}' must not own buffers (a memory of a memory): current buffers are ${
        JSON.stringify(loss.buffers?.map?.((b) => b?.name) ?? loss.buffers)
      }`,
    );
  }
  const size = options?.size;
  if (typeof size !== "number" || !Number.isInteger(size) || size < 1 || size > MAX_SIZE) {
    throw new Error(
      `Cannot create crossBatchMemory as options.size must be an integer from 1 to ${MAX_SIZE}: current value is ${
        String(size)
      }`,
    );
  }
  const name = `cross-batch-memory ${loss.name}`;
  const what = `${name} loss`;
  return {
    name,
    reduce: loss.reduce,
    ...(loss.distance ? { distance: loss.distance } : {}),
    ...(loss.head ? { head: loss.head } : {}),
    ...(loss.parameters ? { parameters: loss.parameters } : {}),
    buffers: [
      { name: MEMORY, shape: [size, "embeddingSize"] },
      { name: LABELS, shape: [size] },
      { name: STATE, shape: [2] },
    ],
    perItem: (input: Labelled, context?: LossContext): Tensor1D => {
      checkEmbeddings(what, "embeddings", input.embeddings);
      const n = input.embeddings.shape[0], width = input.embeddings.shape[1];
      checkLabels(what, "labels", input.labels, n);
      const memory = buffer(what, context, MEMORY, [size, width]) as Tensor2D;
      const memoryLabels = buffer(what, context, LABELS, [size]);
      const state = buffer(what, context, STATE, [2]);
      if (n > size) {
        throw new Error(
          `Cannot compute ${what} as the batch must fit in the memory (options.size ${size}): current batch has ${n} rows`,
        );
      }
      return tf.tidy(() => {
        const slots = tf.range(0, size, 1, "float32");
        const [position, filled] = tf.split(state, 2) as Tensor[];
        // slot s receives batch row (s − position) mod size when that is < n
        const offset = tf.mod(tf.add(tf.sub(slots, position), size), size);
        const written = tf.less(offset, n);
        const source = tf.cast(tf.minimum(offset, Math.max(n - 1, 0)), "int32");
        const labels = tf.cast(input.labels, "float32");
        const enqueued = n === 0 ? memory : withoutGradient(
          (e, m) =>
            tf.where(
              tf.broadcastTo(tf.expandDims(written, 1), m.shape),
              tf.gather(e, source),
              m,
            ),
          input.embeddings,
          memory,
        ) as Tensor2D;
        const enqueuedLabels = n === 0
          ? memoryLabels
          : tf.where(written, tf.gather(labels, source), memoryLabels);
        const nowFilled = tf.minimum(tf.add(filled, n), size);
        const nextState = tf.concat([tf.mod(tf.add(position, n), size), nowFilled]);
        // row i may be compared with slot s when s holds a row and it is not row i's own copy
        const valid = tf.less(slots, nowFilled);
        const own = tf.logicalAnd(
          written,
          tf.equal(tf.expandDims(offset, 0), tf.expandDims(tf.range(0, n, 1, "float32"), 1)),
        );
        const mask = tf.cast(
          tf.logicalAnd(tf.expandDims(valid, 0), tf.logicalNot(own)),
          "float32",
        ) as Tensor2D;
        context?.update?.(MEMORY, enqueued);
        context?.update?.(LABELS, enqueuedLabels);
        context?.update?.(STATE, nextState);
        return loss.perItem(input, {
          ...context,
          reference: { embeddings: enqueued, labels: enqueuedLabels as Tensor1D, mask },
        } as LossContext);
      });
    },
  };
}

/** The buffer `name` from the compiled program, checked to have `shape`. */
function buffer(
  what: string,
  context: LossContext | undefined,
  name: string,
  shape: readonly number[],
): Tensor {
  const b: Tensor | undefined = context?.buffers?.[name];
  if (b === undefined || b === null) {
    throw new Error(
      `Cannot compute ${what} as context.buffers.${name} must be its [${shape}] buffer: current value is undefined (compile the loss: the program owns the memory)`,
    );
  }
  if (b.rank !== shape.length || b.shape.some((d, i) => d !== shape[i])) {
    throw new Error(
      `Cannot compute ${what} as context.buffers.${name} must have shape [${shape}] (the memory is as wide as the embeddings): current shape is [${b.shape}]`,
    );
  }
  return b;
}
