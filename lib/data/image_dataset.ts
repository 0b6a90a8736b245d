import type { Dataset } from "../types.ts";
import { ByteCache } from "./_byte_cache.ts";
import { readAndDecode } from "./_read_and_decode.ts";
import { DecodePool } from "./_decode_pool.ts";

/**
 * How images on disk become samples: their size, their channels and how much decoded data
 * to keep in memory.
 *
 * @example
 * ```ts
 * import type { ImageDatasetOptions } from "./image_dataset.ts";
 * const options: ImageDatasetOptions = { size: [32, 48], channels: 3, cacheBytes: 1 << 20 };
 * if (options.channels !== 3) throw new Error("channels");
 * ```
 */
export interface ImageDatasetOptions {
  /**
   * `[height, width]` (or one number for a square) every image is resized to: area
   * interpolation along an axis that shrinks (anti-aliased), bilinear along one that grows.
   */
  readonly size: number | readonly [number, number];
  /**
   * 1 (grey: ITU-R BT.601 luma `0.299 R + 0.587 G + 0.114 B`) or 3 (RGB; grey images are
   * repeated into the three channels). Alpha is dropped, not composited. Default 3.
   */
  readonly channels?: 1 | 3;
  /**
   * The most bytes of decoded, resized float32 images kept in memory (least recently used
   * are evicted first). Default 256 MiB.
   */
  readonly cacheBytes?: number;
  /**
   * Decoding workers (`node:worker_threads`, started on first load, idle ones never keep the
   * process alive). 0 (the default) decodes on the calling thread; 1 or more let decoding run
   * beside the training step (see {@linkcode imageBatches}), which is what keeps the step
   * from waiting on decoding.
   */
  readonly workers?: number;
}

/**
 * How {@linkcode imageFolder} and {@linkcode imageManifest} check the images when they open
 * the folder or manifest.
 *
 * @example
 * ```ts
 * import type { ImageSourceOptions } from "./image_dataset.ts";
 * const options: ImageSourceOptions = { check: "decode" };
 * if (options.check !== "decode") throw new Error("check");
 * ```
 */
export interface ImageSourceOptions {
  /**
   * `"header"` (the default) reads the first 4 KiB of every file and throws, naming it, unless
   * it starts like a JPEG or PNG declaring at most 50 megapixels; `"decode"` decodes every
   * image (filling the cache; catches corrupt data too, at the cost of a full pass); `"none"`
   * checks nothing until an image is loaded.
   */
  readonly check?: "none" | "header" | "decode";
}

/**
 * A {@linkcode Dataset} whose images stay on disk and are decoded when asked for, through a
 * byte-bounded least-recently-used cache. Labels, size, shape and class names are in memory,
 * so the samplers (which only index) work on it unchanged; pixels come from {@linkcode load}
 * (or {@linkcode imageBatches}, which prefetches ahead of the training step). Reading
 * `images` throws: call {@linkcode materialize} for an in-memory copy (for the splits and
 * `tensorBatches`) when the folder fits in memory.
 *
 * @example
 * ```ts
 * import { encode } from "@jsquash/png";
 * import { imageDataset, type ImageDataset } from "./image_dataset.ts";
 * const dir = await Deno.makeTempDir();
 * const png = async (v: number) => new Uint8Array(await encode({ data: new Uint8ClampedArray(16).fill(v).map((x, i) => i % 4 === 3 ? 255 : x), width: 2, height: 2 } as ImageData));
 * await Deno.writeFile(`${dir}/a.png`, await png(0));
 * await Deno.writeFile(`${dir}/b.png`, await png(255));
 * const d: ImageDataset = imageDataset({ files: [`${dir}/a.png`, `${dir}/b.png`], labels: [0, 1], classNames: ["dark", "light"] }, { size: 1, channels: 1 });
 * const [dark, light] = await d.load([0, 1]);
 * if (d.shape.join() !== "1,1,1" || dark[0] !== 0 || light[0] !== 1) throw new Error(`${dark} ${light}`);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export interface ImageDataset extends Dataset {
  /** The image file of each sample. */
  readonly files: readonly string[];
  /** The cache: bytes held now, its limit, the most ever held, hits and misses. */
  readonly cache: {
    readonly bytes: number;
    readonly maxBytes: number;
    readonly peakBytes: number;
    readonly hits: number;
    readonly misses: number;
  };
  /**
   * The pixels (`prod(shape)` floats in [0, 1], `[h, w, c]` row-major) of the samples at
   * `indices`, decoded (concurrently) or from the cache.
   */
  load(indices: ArrayLike<number>): Promise<Float32Array[]>;
  /** Decodes every image into an in-memory {@linkcode Dataset}. */
  materialize(): Promise<Dataset>;
  /**
   * The image dataset of the samples at `indices` (what `subset`, and so the stratified and
   * class-disjoint splits, return for an image dataset): still lazy, sharing this one's cache.
   */
  select(indices: ArrayLike<number>): ImageDataset;
}

/**
 * The files, labels and class names of an {@linkcode imageDataset}.
 *
 * @example
 * ```ts
 * import type { ImageList } from "./image_dataset.ts";
 * const list: ImageList = { files: ["cats/1.jpg", "dogs/1.jpg"], labels: [0, 1], classNames: ["cats", "dogs"] };
 * if (list.files.length !== list.labels.length) throw new Error("one label per file");
 * ```
 */
export interface ImageList {
  /** Paths of the image files. */
  readonly files: readonly string[];
  /** One label per file, in `[0, classNames.length)`. */
  readonly labels: ArrayLike<number>;
  /** Class names, indexed by label. */
  readonly classNames: readonly string[];
}

/**
 * Builds a lazy {@linkcode ImageDataset} from a list of JPEG/PNG files and their labels
 * (what {@linkcode imageFolder} and {@linkcode imageManifest} build on). Nothing is read
 * until pixels are asked for; a missing file then throws {@linkcode DataNotFoundError}, a
 * file that is not a JPEG or PNG or does not decode throws {@linkcode DataFileError}, both
 * naming the file.
 *
 * @param list The files, labels and class names.
 * @param options Size, channels and cache limit.
 * @returns The dataset.
 *
 * @example
 * ```ts
 * import { imageDataset } from "./image_dataset.ts";
 * import { DataNotFoundError } from "./errors.ts";
 * const d = imageDataset({ files: ["/no/such.png"], labels: [0], classNames: ["a"] }, { size: [4, 6] });
 * if (d.size !== 1 || d.shape.join() !== "4,6,3") throw new Error(`${d.shape}`);
 * let error: unknown;
 * try { await d.load([0]); } catch (e) { error = e; }
 * if (!(error instanceof DataNotFoundError) || error.file !== "/no/such.png") throw error;
 * ```
 */
export function imageDataset(list: ImageList, options: ImageDatasetOptions): ImageDataset {
  const fail = (what: string): never => {
    throw new RangeError(`Cannot make image dataset as ${what}`);
  };
  if (list === null || typeof list !== "object") {
    fail(`list must be an object: current value is ${list}`);
  }
  if (options === null || typeof options !== "object") {
    fail(`options must be an object: current value is ${options}`);
  }
  const { files, classNames } = list;
  if (!Array.isArray(files) || !files.every((f) => typeof f === "string" && f !== "")) {
    fail(`files must be an array of non-empty strings`);
  }
  if (
    !Array.isArray(classNames) || classNames.length === 0 ||
    !classNames.every((n) => typeof n === "string")
  ) fail(`classNames must be a non-empty array of strings`);
  const labels = Int32Array.from(list.labels ?? []);
  if (labels.length !== files.length) {
    fail(`labels must hold one label per file: ${files.length} files, ${labels.length} labels`);
  }
  labels.forEach((l, i) => {
    if (l < 0 || l >= classNames.length || l !== list.labels[i]) {
      fail(
        `labels must be integers in [0, ${classNames.length}): current labels[${i}] is ${
          list.labels[i]
        }`,
      );
    }
  });
  const size = typeof options.size === "number" ? [options.size, options.size] : options.size;
  if (
    !Array.isArray(size) || size.length !== 2 ||
    !size.every((n) => Number.isInteger(n) && n >= 1 && n <= 4096)
  ) {
    fail(
      `options.size must be an integer or [height, width] of integers in [1, 4096]: current size is ${
        JSON.stringify(options.size)
      }`,
    );
  }
  const channels = options.channels ?? 3;
  if (channels !== 1 && channels !== 3) {
    fail(`options.channels must be 1 or 3: current channels is ${options.channels}`);
  }
  const cacheBytes = options.cacheBytes ?? 256 * 2 ** 20;
  if (!(Number.isSafeInteger(cacheBytes) && cacheBytes >= 0)) {
    fail(`options.cacheBytes must be an integer ≥ 0: current cacheBytes is ${cacheBytes}`);
  }
  const [height, width] = size as readonly [number, number];
  const shape = [height, width, channels];
  const cache = new ByteCache(cacheBytes);
  const pending = new Map<number, Promise<Float32Array>>();

  const workers = options.workers ?? 0;
  if (!(Number.isInteger(workers) && workers >= 0 && workers <= 64)) {
    fail(`options.workers must be an integer in [0, 64]: current workers is ${options.workers}`);
  }
  const pool = workers > 0 ? new DecodePool(workers) : undefined;
  const decodeOne = (i: number): Promise<Float32Array> =>
    pool
      ? pool.decode(files[i], [height, width], channels)
      : readAndDecode(files[i], [height, width], channels);

  const one = (i: number): Promise<Float32Array> => {
    const hit = cache.get(i);
    if (hit !== undefined) return Promise.resolve(hit);
    let p = pending.get(i);
    if (p === undefined) {
      p = decodeOne(i).then((pixels) => {
        cache.set(i, pixels);
        return pixels;
      }).finally(() => pending.delete(i));
      pending.set(i, p);
    }
    return p;
  };

  const per = height * width * channels;
  const cacheView = {
    get bytes() {
      return cache.bytes;
    },
    get maxBytes() {
      return cache.maxBytes;
    },
    get peakBytes() {
      return cache.peakBytes;
    },
    get hits() {
      return cache.hits;
    },
    get misses() {
      return cache.misses;
    },
  };

  /** The dataset of the root files at `rows`, labelled `rowLabels`; views share the cache. */
  const view = (rows: Int32Array, rowLabels: Int32Array): ImageDataset => {
    const n = rows.length;
    const load = (indices: ArrayLike<number>): Promise<Float32Array[]> => {
      const out: Promise<Float32Array>[] = [];
      for (let j = 0; j < indices.length; j++) {
        const i = indices[j];
        if (!(Number.isInteger(i) && i >= 0 && i < n)) {
          return Promise.reject(
            new RangeError(
              `Cannot load images as indices must be integers in [0, ${n}): current indices[${j}] is ${i}`,
            ),
          );
        }
        out.push(one(rows[i]));
      }
      return Promise.all(out);
    };
    const dataset: ImageDataset & { [BRAND]: true } = {
      [BRAND]: true,
      files: Array.from(rows, (r) => files[r]),
      labels: rowLabels,
      shape: [...shape],
      size: n,
      classNames: [...classNames],
      get images(): Float32Array {
        throw new TypeError(
          `Cannot read images of an image dataset (${n} files) as it streams them from disk: use data.imageBatches(dataset) or dataset.load(indices), or await dataset.materialize() for an in-memory Dataset`,
        );
      },
      cache: cacheView,
      load,
      select(indices: ArrayLike<number>): ImageDataset {
        const picked = new Int32Array(indices.length);
        const pickedLabels = new Int32Array(indices.length);
        for (let j = 0; j < indices.length; j++) {
          const i = indices[j];
          if (!(Number.isInteger(i) && i >= 0 && i < n)) {
            throw new RangeError(
              `Cannot take subset as indices must be integers in [0, ${n}): current indices[${j}] is ${i}`,
            );
          }
          picked[j] = rows[i];
          pickedLabels[j] = rowLabels[i];
        }
        return view(picked, pickedLabels);
      },
      async materialize(): Promise<Dataset> {
        const images = new Float32Array(n * per);
        for (let start = 0; start < n; start += 64) {
          const idx = Array.from({ length: Math.min(64, n - start) }, (_, k) => start + k);
          (await load(idx)).forEach((px, k) => images.set(px, (start + k) * per));
        }
        return {
          images,
          labels: rowLabels,
          shape: [...shape],
          size: n,
          classNames: [...classNames],
        };
      },
    };
    return dataset;
  };
  return view(Int32Array.from(files, (_, i) => i), labels);
}

const BRAND = Symbol("likeness.ImageDataset");

/**
 * Whether `dataset` is an {@linkcode ImageDataset} made by {@linkcode imageDataset} (or
 * {@linkcode imageFolder} / {@linkcode imageManifest}).
 *
 * @param dataset Any value.
 * @returns True for an image dataset.
 *
 * @example
 * ```ts
 * import { imageDataset, isImageDataset } from "./image_dataset.ts";
 * const d = imageDataset({ files: ["a.png", "b.png"], labels: [0, 1], classNames: ["a", "b"] }, { size: 8 });
 * if (!isImageDataset(d) || isImageDataset({ images: new Float32Array(1) })) throw new Error("brand");
 * ```
 */
export function isImageDataset(dataset: unknown): dataset is ImageDataset {
  return typeof dataset === "object" && dataset !== null && BRAND in dataset;
}
