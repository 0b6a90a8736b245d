import type { Dataset, IndexTuple, LabelledIndex, Rng } from "../types.ts";
import { rng as makeRng } from "../samplers/rng.ts";
import type { Augmentation } from "./augment/image.ts";
import { disposeTensors } from "./dispose_tensors.ts";
import { isImageDataset } from "./image_dataset.ts";
import { type TensorsOf, toTensors } from "./to_tensors.ts";

/**
 * Options of {@linkcode imageBatches}.
 *
 * @example
 * ```ts
 * import type { ImageBatchesOptions } from "./image_batches.ts";
 * const o: ImageBatchesOptions = { ahead: 2, seed: 1 };
 * if (o.ahead !== 2) throw new Error("ahead");
 * ```
 */
export interface ImageBatchesOptions {
  /** How many batches to decode ahead of the one the loop is on. Default 2. */
  readonly ahead?: number;
  /** Applied to every image of every batch, in batch order (so seeded). */
  readonly augment?: Augmentation;
  /**
   * 2 for the two-view form of SimCLR-style self-supervised training (labelled batches only,
   * with `augment`): each item's image is augmented twice, independently; the batch holds the
   * first views of its n items, then their second views (`[2n, h, w, c]`), labelled by item
   * (`0 … n-1` twice), so the two views of one image are each other's positives and every other
   * image a negative, whatever the items' class labels were. Default 1.
   */
  readonly views?: 1 | 2;
  /** Seed of the augmentation's rng. Default 0. */
  readonly seed?: number;
  /** Filled as batches are pulled: milliseconds the loop waited for decoding, batches given. */
  readonly stats?: { waitedMs: number; batches: number };
}

/**
 * The streaming counterpart of `tensorBatches` for an {@linkcode ImageDataset}: turns index
 * batches (from any sampler) into tensor batches (an `AsyncIterable`, which `fit` accepts),
 * decoding the images of the next `ahead` batches while the loop works on the current one.
 * Each batch's tensors are disposed when the next is pulled or the loop leaves. Memory holds
 * the dataset's cache plus at most `ahead + 1` batches of pixels. Each image of a batch is
 * augmented separately (an index used twice gets two draws).
 *
 * @param dataset The image dataset the indices point into (typed `Dataset`, so the splits'
 *   results, image datasets at run time, can be passed as they are).
 * @param options Prefetch depth, augmentation and its seed.
 * @returns A function from index batches to an async iterable of tensor batches.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { encode } from "@jsquash/png";
 * import { imageBatches } from "./image_batches.ts";
 * import { imageDataset } from "./image_dataset.ts";
 * await tf.setBackend("cpu");
 * const dir = await Deno.makeTempDir();
 * for (const [i, v] of [0, 128, 255].entries()) {
 *   const data = new Uint8ClampedArray([v, v, v, 255]);
 *   await Deno.writeFile(`${dir}/${i}.png`, new Uint8Array(await encode({ data, width: 1, height: 1 } as ImageData)));
 * }
 * const d = imageDataset({ files: [0, 1, 2].map((i) => `${dir}/${i}.png`), labels: [0, 0, 1], classNames: ["a", "b"] }, { size: 1, channels: 1 });
 * const before = tf.memory().numTensors;
 * const got: number[] = [];
 * for await (const t of imageBatches(d)([[{ kind: "triplet", anchor: 0, positive: 1, negative: 2 }]])) {
 *   got.push(t.anchor.dataSync()[0], t.negative.dataSync()[0]);
 * }
 * if (got.join() !== "0,1" || tf.memory().numTensors !== before) throw new Error(`${got}`);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function imageBatches(
  dataset: Dataset,
  options: ImageBatchesOptions = {},
): <T extends IndexTuple>(batches: Iterable<readonly T[]>) => AsyncIterable<TensorsOf<T>> {
  if (!isImageDataset(dataset)) {
    throw new TypeError(
      `Cannot stream image batches as dataset must be an ImageDataset (from data.imageFolder, data.imageManifest or data.imageDataset): current value is not one (an in-memory Dataset goes through data.tensorBatches)`,
    );
  }
  const ahead = options.ahead ?? 2;
  if (!(Number.isInteger(ahead) && ahead >= 0 && ahead <= 64)) {
    throw new RangeError(
      `Cannot stream image batches as options.ahead must be an integer in [0, 64]: current ahead is ${ahead}`,
    );
  }
  const augment = options.augment;
  if (augment !== undefined && typeof augment !== "function") {
    throw new TypeError(
      `Cannot stream image batches as options.augment must be a function: current value is ${augment}`,
    );
  }
  const views = options.views ?? 1;
  if (views !== 1 && views !== 2) {
    throw new RangeError(
      `Cannot stream image batches as options.views must be 1 or 2: current views is ${options.views}`,
    );
  }
  if (views === 2 && augment === undefined) {
    throw new RangeError(
      `Cannot stream image batches as options.views is 2 but options.augment is not given: the two views would be identical`,
    );
  }
  const [h, w, c] = dataset.shape;
  const per = h * w * c;
  return async function* <T extends IndexTuple>(batches: Iterable<readonly T[]>) {
    const r: Rng | undefined = augment ? makeRng(options.seed ?? 0) : undefined;
    const it = batches[Symbol.iterator]();
    const queue: { batch: readonly T[]; slots: number[]; pixels: Promise<Float32Array[]> }[] = [];
    const fill = () => {
      while (queue.length < ahead + 1) {
        const next = it.next();
        if (next.done) break;
        const slots = slotsOf(next.value, views);
        const pixels = dataset.load(slots);
        pixels.catch(() => {}); // awaited below; this only stops an early unhandled rejection
        queue.push({ batch: next.value, slots, pixels });
      }
    };
    try {
      fill();
      while (queue.length > 0) {
        const head = queue.shift()!;
        fill();
        const t0 = performance.now();
        const pixels = await head.pixels;
        if (options.stats) {
          options.stats.waitedMs += performance.now() - t0;
          options.stats.batches++;
        }
        const images = new Float32Array(head.slots.length * per);
        pixels.forEach((px, j) => {
          const out = r ? augment!({ data: px, shape: [h, w, c] }, r).data : px;
          images.set(out, j * per);
        });
        const local: Dataset = {
          images,
          labels: Int32Array.from(head.slots, (i) => dataset.labels[i]),
          shape: [h, w, c],
          size: head.slots.length,
          classNames: dataset.classNames,
        };
        const tensors = toTensors(local)(
          views === 2 ? viewsOf(head.batch) as unknown as readonly T[] : renumber(head.batch),
        );
        try {
          yield tensors;
        } finally {
          disposeTensors(tensors);
        }
      }
    } finally {
      it.return?.();
    }
  };
}

/** The dataset indices a batch needs, one per image slot, in slot order. */
function slotsOf(batch: readonly IndexTuple[], views: number): number[] {
  if (!Array.isArray(batch)) {
    throw new TypeError(
      `Cannot stream image batches as each batch must be an array of index tuples`,
    );
  }
  const out: number[] = [];
  for (const t of batch) {
    if (t?.kind === "pair") out.push(t.left, t.right);
    else if (t?.kind === "triplet") out.push(t.anchor, t.positive, t.negative);
    else if (t?.kind === "labelled") out.push(t.index);
    else {
      throw new TypeError(
        `Cannot stream image batches as kind must be "pair", "triplet" or "labelled": current kind is ${
          JSON.stringify((t as { kind?: unknown })?.kind)
        }`,
      );
    }
  }
  if (views === 2) {
    const kind = batch.find((t) => t.kind !== "labelled")?.kind;
    if (kind !== undefined) {
      throw new TypeError(
        `Cannot stream image batches as options.views 2 needs labelled batches (e.g. from samplers.pk): current batch has kind ${
          JSON.stringify(kind)
        }`,
      );
    }
    return [...out, ...out];
  }
  return out;
}

/** The two-view batch of n labelled items: slots 0…n-1 and n…2n-1, labelled by item. */
function viewsOf(batch: readonly IndexTuple[]): LabelledIndex[] {
  const n = batch.length;
  return Array.from({ length: 2 * n }, (_, s) => ({ kind: "labelled", index: s, label: s % n }));
}

/** The batch with each index replaced by its slot in the batch's local dataset. */
function renumber<T extends IndexTuple>(batch: readonly T[]): readonly T[] {
  let s = 0;
  return batch.map((t) => {
    if (t.kind === "pair") return { ...t, left: s++, right: s++ };
    if (t.kind === "triplet") return { ...t, anchor: s++, positive: s++, negative: s++ };
    return { ...t, index: s++ };
  }) as readonly T[];
}
