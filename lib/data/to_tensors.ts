import * as tf from "@tensorflow/tfjs";
import type {
  Dataset,
  IndexTuple,
  Labelled,
  LabelledIndex,
  NWay,
  NWayIndex,
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
 * import * as tf from "@tensorflow/tfjs";
 * import { type TensorsOf, toTensors } from "./to_tensors.ts";
 * import type { PairIndex } from "../types.ts";
 * await tf.setBackend("cpu");
 * // three 1-pixel images with values 0, 0.5 and 1
 * const d = { images: Float32Array.from([0, 0.5, 1]), labels: Int32Array.from([0, 0, 1]), shape: [1], size: 3, classNames: ["a", "b"] };
 * const batch: PairIndex[] = [{ kind: "pair", left: 0, right: 1, same: true }, { kind: "pair", left: 0, right: 2, same: false }];
 * // pair indices become a Pair of tensors: one row per pair, `same` as 1 or 0
 * const t: TensorsOf<PairIndex> = toTensors(d)(batch);
 * if (t.kind !== "pair" || t.right.shape.join() !== "2,1") throw new Error(`${t.right.shape}`);
 * if (t.right.dataSync().join() !== "0.5,1" || t.same.dataSync().join() !== "1,0") throw new Error("values");
 * ```
 */
export type TensorsOf<T extends IndexTuple> = T extends PairIndex ? Pair<Tensor>
  : T extends TripletIndex ? Triplet<Tensor>
  : T extends LabelledIndex ? Labelled<Tensor>
  : T extends NWayIndex<infer N> ? NWay<Tensor, N>
  : never;

/**
 * Returns a function turning a batch of index tuples into the tensors of a model's input
 * batch, with images of shape `[n, ...dataset.shape]` (float32):
 *
 * - `readonly PairIndex[]` → `Pair<Tensor>` `{ kind: "pair", left, right, same }`, `same` a
 *   float32 Tensor1D of 0/1;
 * - `readonly TripletIndex[]` → `Triplet<Tensor>` `{ kind: "triplet", anchor, positive, negative }`;
 * - `readonly LabelledIndex[]` → `Labelled<Tensor>` `{ kind: "labelled", embeddings, labels }`,
 *   `embeddings` holding the images and `labels` an int32 Tensor1D;
 * - `readonly NWayIndex<N>[]` → `NWay<Tensor, N>` `{ kind: "nway", items }`, one tensor per
 *   slot (anchor, positive, negatives); every tuple of the batch must have the same length
 *   (at least 2).
 *
 * Tensors are created when the function is called, i.e. when a batch is consumed: map it over
 * a batch sampler (`samplers.map(toTensors(train))`) to stay lazy, and dispose each batch
 * after its step with {@linkcode disposeTensors} (or let {@linkcode tensorBatches} do both).
 * An empty batch, mixed kinds, an index outside the dataset, a label that is not an integer
 * or a pixel that is not finite (NaN, ±Infinity) throw, naming the item; so does a dataset
 * whose arrays do not match its size and shape (checked when `toTensors` is called).
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
  const fail = (what: string): never => {
    throw new RangeError(`Cannot convert batch to tensors as ${what}`);
  };
  if (dataset === null || typeof dataset !== "object") {
    fail(`dataset must be a Dataset: current value is ${dataset}`);
  }
  const { shape, size, images, labels } = dataset;
  if (!Array.isArray(shape) || !shape.every((n) => Number.isInteger(n) && n >= 1)) {
    fail(`dataset.shape must be positive integers: current shape is [${shape}]`);
  }
  if (!Number.isInteger(size) || size < 0) {
    fail(`dataset.size must be an integer ≥ 0: current size is ${size}`);
  }
  const per = shape.reduce((a, b) => a * b, 1);
  if (!(images instanceof Float32Array) || images.length !== size * per) {
    fail(
      `dataset.images must be a Float32Array of size × prod(shape) = ${size} × ${per} = ${
        size * per
      } values: current is ${
        images instanceof Float32Array
          ? `of length ${images.length}`
          : (images as object)?.constructor?.name ?? String(images)
      }`,
    );
  }
  if (!(labels instanceof Int32Array) || labels.length !== size) {
    fail(`dataset.labels must be an Int32Array of size ${size}`);
  }
  const gather = (
    batch: readonly IndexTuple[],
    field: string,
    pick: (t: IndexTuple) => number,
  ): Tensor => {
    const out = new Float32Array(batch.length * per);
    for (let j = 0; j < batch.length; j++) {
      const i = pick(batch[j]);
      if (!(Number.isInteger(i) && i >= 0 && i < size)) {
        fail(
          `indices must be integers in [0, ${size}): current index of item ${j} is ${i} (its ${field})`,
        );
      }
      const row = images.subarray(i * per, i * per + per);
      for (let k = 0; k < per; k++) {
        if (!Number.isFinite(row[k])) {
          fail(
            `pixels must be finite: dataset.images[${
              i * per + k
            }] (${field} of item ${j}, sample ${i}) is ${row[k]}, not finite`,
          );
        }
      }
      out.set(row, j * per);
    }
    return tf.tensor(out, [batch.length, ...shape], "float32");
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
          left: keep(gather(b, "left", (t) => (t as PairIndex).left)),
          right: keep(gather(b, "right", (t) => (t as PairIndex).right)),
          same: keep(tf.tensor1d(b.map((t) => (t.same ? 1 : 0)), "float32")),
        } as Pair<Tensor> as TensorsOf<T>;
      }
      if (kind === "triplet") {
        const b = batch as readonly IndexTuple[];
        return {
          kind,
          anchor: keep(gather(b, "anchor", (t) => (t as TripletIndex).anchor)),
          positive: keep(gather(b, "positive", (t) => (t as TripletIndex).positive)),
          negative: keep(gather(b, "negative", (t) => (t as TripletIndex).negative)),
        } as Triplet<Tensor> as TensorsOf<T>;
      }
      if (kind === "labelled") {
        const b = batch as readonly IndexTuple[] as readonly LabelledIndex[];
        b.forEach((t, j) => {
          if (!(Number.isInteger(t.label) && Math.abs(t.label) < 2 ** 31)) {
            fail(`labels must be int32 integers: current label of item ${j} is ${t.label}`);
          }
        });
        return {
          kind,
          embeddings: keep(gather(b, "index", (t) => (t as LabelledIndex).index)),
          labels: keep(tf.tensor1d(b.map((t) => t.label), "int32")),
        } as Labelled<Tensor> as TensorsOf<T>;
      }
      if (kind === "nway") {
        const b = batch as readonly IndexTuple[] as readonly NWayIndex[];
        const lengthOf = (t: NWayIndex, j: number): number => {
          if (!Array.isArray(t.items) || t.items.length < 2) {
            fail(
              `nway items must be arrays of at least 2 indices (anchor, positive, negatives…): current items of item ${j} is ${
                Array.isArray(t.items) ? `of length ${t.items.length}` : String(t.items)
              }`,
            );
          }
          return t.items.length;
        };
        const n = lengthOf(b[0], 0);
        b.forEach((t, j) => {
          if (lengthOf(t, j) !== n) {
            fail(
              `all nway items must have one length: item 0 has ${n} indices, item ${j} has ${t.items.length}`,
            );
          }
        });
        const items = Array.from({ length: n }, (_, s) =>
          keep(gather(
            b,
            `items[${s}]`,
            (t) => (t as NWayIndex).items[s],
          )));
        return { kind, items } as NWay<Tensor> as TensorsOf<T>;
      }
      throw new TypeError(
        `Cannot convert batch to tensors as kind must be "pair", "triplet", "labelled" or "nway": current kind is ${
          JSON.stringify(kind)
        }`,
      );
    } catch (e) {
      for (const t of made) t.dispose();
      throw e;
    }
  };
}
