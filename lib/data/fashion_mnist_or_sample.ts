import type { Dataset } from "../types.ts";
import { DataNotFoundError } from "./errors.ts";
import { fashionMnist, type FashionMnistOptions } from "./fashion_mnist.ts";
import { stratifiedSplit } from "./stratified_split.ts";

/**
 * Options of {@linkcode fashionMnistOrSample}: where to look for Fashion-MNIST (as
 * {@linkcode fashionMnist} takes them, less `split`), whether to use only the bundled sample,
 * the seed of the sample's split, and who hears about a fallback.
 *
 * @example
 * ```ts
 * import { fashionMnistOrSample, type FashionMnistOrSampleOptions } from "./fashion_mnist_or_sample.ts";
 * // the bundled sample only: no search, no network, split 600 / 400 by class with seed 3
 * const options: FashionMnistOrSampleOptions = { sample: true, seed: 3 };
 * const { train, test, source } = await fashionMnistOrSample(options);
 * if (source !== "sample" || train.size !== 600 || test.size !== 400) throw new Error(`${train.size}`);
 * ```
 */
export interface FashionMnistOrSampleOptions extends Omit<FashionMnistOptions, "split"> {
  /**
   * Use only the 1,000 images bundled with likeness, split 600 train / 400 test (60 / 40 of
   * each class): no search and no network. Default false: look for Fashion-MNIST first.
   */
  readonly sample?: boolean;
  /** Seed of the sample's stratified split, a non-negative integer (default 0). */
  readonly seed?: number;
  /**
   * Told when Fashion-MNIST is found nowhere and the sample is used instead: the message
   * (why, and that the sample is used) and the {@linkcode DataNotFoundError}. Default: the
   * message on stderr.
   */
  readonly onFallback?: (message: string, error: DataNotFoundError) => void;
}

/**
 * Training and test data with where they came from.
 *
 * @example
 * ```ts
 * import { fashionMnistOrSample, type TrainTestData } from "./fashion_mnist_or_sample.ts";
 * const data: TrainTestData = await fashionMnistOrSample({ sample: true, seed: 1 });
 * // the description says which data, for a run's metrics.json
 * if (data.description.train !== "bundled sample, 600 of 1000 (stratified, seed 1)") throw new Error(data.description.train);
 * if (data.description.test !== "bundled sample, the other 400") throw new Error(data.description.test);
 * ```
 */
export interface TrainTestData {
  /** The images to train on. */
  readonly train: Dataset;
  /** The held-out images to evaluate on (never seen in training). */
  readonly test: Dataset;
  /** `"fashion-mnist"` (60,000 / 10,000) or `"sample"` (the bundled sample, 600 / 400). */
  readonly source: "fashion-mnist" | "sample";
  /** One line each saying which data, e.g. `"Fashion-MNIST train (60000)"`. */
  readonly description: { readonly train: string; readonly test: string };
}

/** Share of each class of the bundled sample held out as test data. */
const SAMPLE_TEST_FRACTION = 0.4;

/**
 * Fashion-MNIST's train and test splits, found as {@linkcode fashionMnist} finds them (the
 * `dir` option, `LIKENESS_DATA`, the cache, Debian's `dataset-fashion-mnist`, a download) —
 * or, when no copy is found anywhere, the 1,000-image sample bundled with likeness split
 * 600 train / 400 test by class (seeded), so that a program runs everywhere.
 *
 * Only "not found" (a {@linkcode DataNotFoundError}) falls back, and `onFallback` is told
 * why. A copy that is found but unreadable, truncated or corrupt throws its
 * {@linkcode DataFileError}, naming the file: training on other data than the copy the user
 * pointed at would hide the problem. `sample: true` skips the search.
 *
 * @param options Where to look, `sample`, `seed` and `onFallback`.
 * @returns The train and test datasets, their source and a description of each.
 *
 * @example
 * ```ts
 * import { fashionMnistOrSample } from "./fashion_mnist_or_sample.ts";
 * // an empty folder and no download: not found, so the bundled sample, saying why
 * const dir = await Deno.makeTempDir();
 * const told: string[] = [];
 * const data = await fashionMnistOrSample({ dir, download: false, seed: 1, onFallback: (m) => told.push(m) });
 * await Deno.remove(dir);
 * if (data.source !== "sample" || data.train.size !== 600 || data.test.size !== 400) throw new Error(data.source);
 * if (told.length !== 1 || !told[0].includes(dir) || !told[0].includes("Falling back to the bundled sample")) throw new Error(told.join());
 * // the same seed gives the same split, and train and test share no image
 * const again = await fashionMnistOrSample({ sample: true, seed: 1 });
 * if (again.test.labels.join() !== data.test.labels.join()) throw new Error("seeded");
 * ```
 */
export async function fashionMnistOrSample(
  options: FashionMnistOrSampleOptions = {},
): Promise<TrainTestData> {
  const {
    sample = false,
    seed = 0,
    onFallback = (message: string) => console.error(message),
    ...find
  } = options ?? {};
  if (typeof sample !== "boolean") {
    throw new TypeError(
      `Cannot load Fashion-MNIST or the sample as sample must be true or false: current value is ${
        String(sample)
      }`,
    );
  }
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(
      `Cannot load Fashion-MNIST or the sample as seed must be a non-negative integer: current value is ${seed}`,
    );
  }
  if (typeof onFallback !== "function") {
    throw new TypeError(
      `Cannot load Fashion-MNIST or the sample as onFallback must be a function: current value is ${
        String(onFallback)
      }`,
    );
  }
  if (!sample) {
    try {
      const train = await fashionMnist({ ...find, split: "train" });
      const test = await fashionMnist({ ...find, split: "test" });
      return {
        train,
        test,
        source: "fashion-mnist",
        description: {
          train: `Fashion-MNIST train (${train.size})`,
          test: `Fashion-MNIST test (${test.size})`,
        },
      };
    } catch (error) {
      // Only "found nowhere" falls back; a broken copy (DataFileError) is the user's to fix.
      if (!(error instanceof DataNotFoundError)) throw error;
      onFallback(
        `${error.message}\nFalling back to the bundled sample (600 train / 400 test images).`,
        error,
      );
    }
  }
  const all = await fashionMnist({ split: "sample", fetch: find.fetch });
  const { train, validation: test } = stratifiedSplit(all, {
    validationFraction: SAMPLE_TEST_FRACTION,
    seed,
  });
  return {
    train,
    test,
    source: "sample",
    description: {
      train: `bundled sample, ${train.size} of ${all.size} (stratified, seed ${seed})`,
      test: `bundled sample, the other ${test.size}`,
    },
  };
}
