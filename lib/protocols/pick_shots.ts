import { rng } from "../samplers/rng.ts";

/** The result of {@linkcode pickShots}: indices into the labels it was given. */
export interface PickedShots {
  /** `shots` indices of each class, class by class (in `classes` order), seeded. */
  readonly picked: number[];
  /** Every other index, ascending. */
  readonly rest: number[];
}

/**
 * Picks `shots` samples of each class, seeded (a partial Fisher–Yates shuffle of each class's
 * indices on stream 7 of `rng(seed)`), and returns them with the rest. With `leaveOne` (the
 * default) each class must keep at least one sample in `rest` (to probe with).
 *
 * @example
 * ```ts
 * import { pickShots } from "./pick_shots.ts";
 * const { picked, rest } = pickShots([0, 0, 0, 1, 1, 1], [0, 1], 2, 1);
 * if (picked.length !== 4 || rest.length !== 2) throw new Error("2 shots of 2 classes");
 * if (new Set([...picked, ...rest]).size !== 6) throw new Error("a partition");
 * ```
 */
export function pickShots(
  labels: ArrayLike<number>,
  classes: readonly number[],
  shots: number,
  seed: number,
  options: { readonly leaveOne?: boolean; readonly what?: string } = {},
): PickedShots {
  const what = options.what ?? "labels";
  if (!Number.isInteger(shots) || shots < 1) {
    throw new RangeError(
      `Cannot pick shots as shots must be an integer ≥ 1: current value is ${shots}`,
    );
  }
  const leaveOne = options.leaveOne ?? true;
  const r = rng(seed, { stream: 7 });
  const picked: number[] = [];
  const taken = new Uint8Array(labels.length);
  for (const c of classes) {
    const pool: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === c) pool.push(i);
    const limit = leaveOne ? pool.length - 1 : pool.length;
    if (shots > limit) {
      throw new RangeError(
        `Cannot enrol ${shots} shots of class ${c} from ${what} as it has only ${pool.length} samples: shots must be ${
          leaveOne
            ? `below ${pool.length} (one sample of each class is left to probe)`
            : `at most ${pool.length}`
        }`,
      );
    }
    for (let i = 0; i < shots; i++) {
      const j = i + r.int(pool.length - i);
      [pool[i], pool[j]] = [pool[j], pool[i]];
      picked.push(pool[i]);
      taken[pool[i]] = 1;
    }
  }
  const rest: number[] = [];
  for (let i = 0; i < labels.length; i++) if (!taken[i]) rest.push(i);
  return { picked, rest };
}
