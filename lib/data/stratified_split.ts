import type { Dataset } from "../types.ts";
import { rng } from "../samplers/rng.ts";
import { subset } from "./subset.ts";

/**
 * Options of {@linkcode stratifiedSplit}.
 *
 * @example
 * ```ts
 * import { stratifiedSplit, type StratifiedSplitOptions } from "./stratified_split.ts";
 * // 8 samples, 4 per class; each image holds its own index
 * const d = { images: Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7]), labels: Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1]), shape: [1], size: 8, classNames: ["a", "b"] };
 * const options: StratifiedSplitOptions = { validationFraction: 0.5, seed: 7 };
 * const { train, validation } = stratifiedSplit(d, options);
 * // half of each class goes to validation; together the parts hold every sample once
 * if (validation.labels.filter((l) => l === 0).length !== 2 || validation.size !== 4) throw new Error("strata");
 * if ([...train.images, ...validation.images].sort().join() !== "0,1,2,3,4,5,6,7") throw new Error("partition");
 * // the same seed gives the same split
 * if (stratifiedSplit(d, options).validation.images.join() !== validation.images.join()) throw new Error("seed");
 * ```
 */
export interface StratifiedSplitOptions {
  /** Fraction of each class that goes to validation, in [0, 1]. */
  readonly validationFraction: number;
  /** Seed of the random choice (the same seed gives the same split). */
  readonly seed: number;
}

/**
 * A dataset split in two with the same classes.
 *
 * @example
 * ```ts
 * import { stratifiedSplit, type TrainValidation } from "./stratified_split.ts";
 * const d = { images: new Float32Array(4), labels: Int32Array.from([0, 0, 1, 1]), shape: [1], size: 4, classNames: ["a", "b"] };
 * const parts: TrainValidation = stratifiedSplit(d, { validationFraction: 0.5, seed: 1 });
 * // half of each class on each side, and the class names kept
 * const labels = (p: typeof parts.train) => [...p.labels].sort().join();
 * if (labels(parts.train) !== "0,1" || labels(parts.validation) !== "0,1") throw new Error("halves");
 * if (parts.validation.classNames.join() !== "a,b") throw new Error("class names");
 * ```
 */
export interface TrainValidation {
  /** The samples to train on. */
  readonly train: Dataset;
  /** The held-out samples. */
  readonly validation: Dataset;
}

/**
 * Splits a dataset into train and validation sets with the same class proportions: from each
 * class, `round(count × validationFraction)` random samples go to validation (so a class of
 * one sample stays in train unless the fraction is ≥ 0.5). Both parts keep the original
 * order of their samples.
 *
 * @param dataset The source.
 * @param options The validation fraction and the seed.
 * @returns The two parts.
 *
 * @example
 * ```ts
 * import { stratifiedSplit } from "./stratified_split.ts";
 * const labels = Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
 * const d = { images: new Float32Array(12), labels, shape: [1], size: 12, classNames: ["a", "b"] };
 * const { train, validation } = stratifiedSplit(d, { validationFraction: 0.25, seed: 1 });
 * const count = (l: Int32Array, c: number) => l.filter((x) => x === c).length;
 * if (count(validation.labels, 0) !== 1 || count(validation.labels, 1) !== 2) throw new Error("strata");
 * if (train.size !== 9) throw new Error("train size");
 * ```
 */
export function stratifiedSplit(
  dataset: Dataset,
  options: StratifiedSplitOptions,
): TrainValidation {
  const { validationFraction: f, seed } = options;
  if (!(f >= 0 && f <= 1)) {
    throw new RangeError(
      `Cannot split dataset as validationFraction must be in [0, 1]: current validationFraction is ${f}`,
    );
  }
  const r = rng(seed);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < dataset.size; i++) {
    const l = dataset.labels[i];
    if (!byClass.has(l)) byClass.set(l, []);
    byClass.get(l)!.push(i);
  }
  const isValidation = new Uint8Array(dataset.size);
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = byClass.get(c)!;
    const n = Math.round(members.length * f);
    for (let i = 0; i < n; i++) {
      const j = i + r.int(members.length - i);
      [members[i], members[j]] = [members[j], members[i]];
      isValidation[members[i]] = 1;
    }
  }
  const train: number[] = [];
  const validation: number[] = [];
  for (let i = 0; i < dataset.size; i++) (isValidation[i] ? validation : train).push(i);
  return { train: subset(dataset, train), validation: subset(dataset, validation) };
}
