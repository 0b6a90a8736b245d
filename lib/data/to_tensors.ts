import * as tf from "@tensorflow/tfjs";
import type {
  Dataset,
  IndexTuple,
  Labelled,
  LabelledIndex,
  Pair,
  PairIndex,
  Tensor,
  Triplet,
  TripletIndex,
} from "../types.ts";

/**
 * The tensors of a batch of index tuples: pairs → {@linkcode Pair}, and so on.
 *
 * @example
 * ```ts
 * import type { TensorsOf } from "./to_tensors.ts";
 * import type { TripletIndex } from "../types.ts";
 * const kindOf = (t: TensorsOf<TripletIndex>): "triplet" => t.kind;
 * if (typeof kindOf !== "function") throw new Error("type");
 * ```
 */
export type TensorsOf<T extends IndexTuple> = T extends PairIndex ? Pair<Tensor>
  : T extends TripletIndex ? Triplet<Tensor>
  : T extends LabelledIndex ? Labelled<Tensor>
  : never;

/**
 * Returns a function turning a batch of index tuples into the tensors of a model's input
 * batch, with images of shape `[n, ...dataset.shape]` (float32):
 *
 * - `readonly PairIndex[]` → `Pair<Tensor>` `{ kind: "pair", left, right, same }`, `same` a
 *   float32 Tensor1D of 0/1;
 * - `readonly TripletIndex[]` → `Triplet<Tensor>` `{ kind: "triplet", anchor, positive, negative }`;
 * - `readonly LabelledIndex[]` → `Labelled<Tensor>` `{ kind: "labelled", embeddings, labels }`,
 *   `embeddings` holding the images and `labels` an int32 Tensor1D.
 *
 * Tensors are created when the function is called, i.e. when a batch is consumed: map it over
 * a batch sampler (`samplers.map(toTensors(train))`) to stay lazy, and dispose each batch
 * after its step with {@linkcode disposeTensors} (or let {@linkcode tensorBatches} do both).
 * An empty batch, mixed kinds or an index outside the dataset throw.
 *
 * @param dataset The dataset the indices point into.
 * @returns The conversion function.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { toTensors } from "./to_tensors.ts";
 * import { disposeTensors } from "./dispose_tensors.ts";
 * await tf.setBackend("cpu");
 * const d = { images: Float32Array.from([0, 0.5, 1, 0.25]), labels: Int32Array.from([0, 0, 1, 1]), shape: [1], size: 4, classNames: ["a", "b"] };
 * const before = tf.memory().numTensors;
 * const t = toTensors(d)([{ kind: "triplet", anchor: 0, positive: 1, negative: 2 }]);
 * if (t.anchor.shape.join() !== "1,1" || t.negative.dataSync()[0] !== 1) throw new Error("triplet");
 * disposeTensors(t);
 * if (tf.memory().numTensors !== before) throw new Error("leak");
 * ```
 */
export function toTensors(
  dataset: Dataset,
): <T extends IndexTuple>(batch: readonly T[]) => TensorsOf<T> {
  const per = dataset.shape.reduce((a, b) => a * b, 1);
  const gather = (batch: readonly IndexTuple[], pick: (t: IndexTuple) => number): Tensor => {
    const out = new Float32Array(batch.length * per);
    for (let j = 0; j < batch.length; j++) {
      const i = pick(batch[j]);
      if (!(Number.isInteger(i) && i >= 0 && i < dataset.size)) {
        throw new RangeError(
          `Cannot convert batch to tensors as indices must be integers in [0, ${dataset.size}): current index of item ${j} is ${i}`,
        );
      }
      out.set(dataset.images.subarray(i * per, i * per + per), j * per);
    }
    return tf.tensor(out, [batch.length, ...dataset.shape], "float32");
  };
  return <T extends IndexTuple>(batch: readonly T[]): TensorsOf<T> => {
    if (!Array.isArray(batch) || batch.length === 0) {
      throw new RangeError(`Cannot convert batch to tensors as batch must be a non-empty array`);
    }
    const kind = batch[0].kind;
    for (let j = 1; j < batch.length; j++) {
      if (batch[j].kind !== kind) {
        throw new TypeError(
          `Cannot convert batch to tensors as all items must be of one kind: item 0 is "${kind}", item ${j} is "${
            batch[j].kind
          }"`,
        );
      }
    }
    const made: Tensor[] = [];
    const keep = <X extends Tensor>(t: X): X => (made.push(t), t);
    try {
      if (kind === "pair") {
        const b = batch as readonly IndexTuple[] as readonly PairIndex[];
        return {
          kind,
          left: keep(gather(b, (t) => (t as PairIndex).left)),
          right: keep(gather(b, (t) => (t as PairIndex).right)),
          same: keep(tf.tensor1d(b.map((t) => (t.same ? 1 : 0)), "float32")),
        } as Pair<Tensor> as TensorsOf<T>;
      }
      if (kind === "triplet") {
        const b = batch as readonly IndexTuple[];
        return {
          kind,
          anchor: keep(gather(b, (t) => (t as TripletIndex).anchor)),
          positive: keep(gather(b, (t) => (t as TripletIndex).positive)),
          negative: keep(gather(b, (t) => (t as TripletIndex).negative)),
        } as Triplet<Tensor> as TensorsOf<T>;
      }
      if (kind === "labelled") {
        const b = batch as readonly IndexTuple[] as readonly LabelledIndex[];
        return {
          kind,
          embeddings: keep(gather(b, (t) => (t as LabelledIndex).index)),
          labels: keep(tf.tensor1d(b.map((t) => t.label), "int32")),
        } as Labelled<Tensor> as TensorsOf<T>;
      }
      throw new TypeError(
        `Cannot convert batch to tensors as kind must be "pair", "triplet" or "labelled": current kind is ${
          JSON.stringify(kind)
        }`,
      );
    } catch (e) {
      for (const t of made) t.dispose();
      throw e;
    }
  };
}
