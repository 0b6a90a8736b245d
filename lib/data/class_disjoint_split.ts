import type { Dataset } from "../types.ts";
import { rng } from "../samplers/rng.ts";
import { filterClasses } from "./filter_classes.ts";

/**
 * Options of {@linkcode classDisjointSplit}: either name the seen classes, or ask for a number
 * of unseen classes drawn at random with a seed.
 *
 * @example
 * ```ts
 * import { classDisjointSplit, type ClassDisjointSplitOptions } from "./class_disjoint_split.ts";
 * const d = { images: new Float32Array(6), labels: Int32Array.from([0, 1, 2, 0, 1, 2]), shape: [1], size: 6, classNames: ["a", "b", "c"] };
 * // name the seen classes: the rest are unseen
 * const named: ClassDisjointSplitOptions = { seen: [0, 2] };
 * if (classDisjointSplit(d, named).unseenClasses.join() !== "1") throw new Error("named");
 * // or draw how many to hold out: the same seed draws the same classes
 * const random: ClassDisjointSplitOptions = { unseenCount: 2, seed: 1 };
 * const [a, b] = [classDisjointSplit(d, random), classDisjointSplit(d, random)];
 * if (a.unseenClasses.length !== 2 || a.unseenClasses.join() !== b.unseenClasses.join()) throw new Error("seeded");
 * if (a.seen.size !== 2 || a.seen.labels.some((l) => a.unseenClasses.includes(l))) throw new Error("disjoint");
 * ```
 */
export type ClassDisjointSplitOptions =
  | {
    /** Labels of the classes to train on; every other class is unseen. */
    readonly seen: readonly number[];
  }
  | {
    /** How many classes to hold out, drawn at random among `classNames`. */
    readonly unseenCount: number;
    /** Seed of that draw. */
    readonly seed: number;
  };

/**
 * A dataset split by class: no class appears in both parts.
 *
 * @example
 * ```ts
 * import { classDisjointSplit, type SeenUnseen } from "./class_disjoint_split.ts";
 * const d = { images: new Float32Array(3), labels: Int32Array.from([0, 1, 2]), shape: [1], size: 3, classNames: ["a", "b", "c"] };
 * const split: SeenUnseen = classDisjointSplit(d, { seen: [0] });
 * if (split.unseenClasses.join() !== "1,2") throw new Error("unseen");
 * ```
 */
export interface SeenUnseen {
  /** Samples of the classes to train on. */
  readonly seen: Dataset;
  /** Samples of the classes never seen in training (to enrol and evaluate on). */
  readonly unseen: Dataset;
  /** Labels of the seen classes, ascending. */
  readonly seenClasses: readonly number[];
  /** Labels of the unseen classes, ascending. */
  readonly unseenClasses: readonly number[];
}

/**
 * Splits a dataset by class for the open world: train on the `seen` classes, then enrol and
 * evaluate on `unseen` classes the model never saw. Labels and class names are kept (an
 * unseen sample's label still names its class).
 *
 * @param dataset The source.
 * @param options The seen classes, or a count of unseen classes and a seed.
 * @returns Both parts and their class lists.
 *
 * @example
 * ```ts
 * import { classDisjointSplit } from "./class_disjoint_split.ts";
 * const labels = Int32Array.from([0, 1, 2, 3, 0, 1, 2, 3]);
 * const d = { images: new Float32Array(8), labels, shape: [1], size: 8, classNames: ["a", "b", "c", "d"] };
 * const { seen, unseen, unseenClasses } = classDisjointSplit(d, { seen: [0, 1, 2] });
 * if (seen.size !== 6 || unseen.size !== 2 || unseenClasses.join() !== "3") throw new Error("split");
 * const random = classDisjointSplit(d, { unseenCount: 2, seed: 3 });
 * if (random.unseenClasses.length !== 2 || random.seen.labels.some((l) => random.unseenClasses.includes(l))) {
 *   throw new Error("disjoint");
 * }
 * ```
 */
export function classDisjointSplit(
  dataset: Dataset,
  options: ClassDisjointSplitOptions,
): SeenUnseen {
  const all = dataset.classNames.map((_, i) => i);
  let seenClasses: number[];
  if ("seen" in options) {
    seenClasses = [...new Set(options.seen)].sort((a, b) => a - b);
    for (const c of seenClasses) {
      if (!Number.isInteger(c) || c < 0 || c >= all.length) {
        throw new RangeError(
          `Cannot split classes as seen must hold labels in [0, ${all.length}): current class is ${c}`,
        );
      }
    }
  } else {
    const { unseenCount, seed } = options;
    if (!Number.isInteger(unseenCount) || unseenCount < 1 || unseenCount >= all.length) {
      throw new RangeError(
        `Cannot split classes as unseenCount must be an integer in [1, ${all.length}): current unseenCount is ${unseenCount}`,
      );
    }
    const r = rng(seed);
    const pool = [...all];
    for (let i = 0; i < unseenCount; i++) {
      const j = i + r.int(pool.length - i);
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    seenClasses = pool.slice(unseenCount).sort((a, b) => a - b);
  }
  const unseenClasses = all.filter((c) => !seenClasses.includes(c));
  return {
    seen: filterClasses(dataset, seenClasses),
    unseen: filterClasses(dataset, unseenClasses),
    seenClasses,
    unseenClasses,
  };
}
