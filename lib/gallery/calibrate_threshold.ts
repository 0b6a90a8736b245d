import { rocCurve, thresholdAtFar } from "../metrics/mod.ts";

/** Options of {@linkcode calibrateThreshold}. */
export interface CalibrateThresholdOptions {
  /** The largest acceptable false accept rate, in [0, 1] (e.g. 0.001). */
  readonly far: number;
}

/** A verification threshold and the rates it gives on the calibration distances. */
export interface Calibration {
  /** Accept a claim when its distance is `<=` this; `-Infinity` accepts nothing. */
  readonly threshold: number;
  /** Fraction of impostor distances accepted at the threshold (never above the target). */
  readonly far: number;
  /** Fraction of genuine distances accepted at the threshold (true accept rate). */
  readonly tar: number;
}

/**
 * Chooses the verification threshold for a target false accept rate: the largest threshold
 * whose false accept rate on the impostor distances does not exceed `far`, which gives the
 * highest true accept rate the target allows. Genuine distances are those of pairs of the
 * same identity, impostor distances of different identities, both measured on held-out
 * data with the gallery's distance. The same rule as `metrics.thresholdAtFar` (which this
 * calls): the threshold is a distance seen in the data (accept when distance `<=` it), or
 * `-Infinity` when even the smallest distance would exceed the target.
 *
 * @example
 * ```ts
 * import { calibrateThreshold } from "./calibrate_threshold.ts";
 * const genuine = [0.1, 0.2, 0.3, 0.6];
 * const impostor = [0.5, 0.7, 0.8, 0.9];
 * const { threshold, far, tar } = calibrateThreshold(genuine, impostor, { far: 0.25 });
 * // one impostor (0.5) may be accepted, the next (0.7) may not: 0.6 keeps every genuine
 * if (threshold !== 0.6 || far !== 0.25 || tar !== 1) throw new Error(`${threshold}`);
 * ```
 */
export function calibrateThreshold(
  genuine: ArrayLike<number>,
  impostor: ArrayLike<number>,
  options: CalibrateThresholdOptions,
): Calibration {
  const action = "calibrate a threshold";
  const target = options?.far;
  if (typeof target !== "number" || !(target >= 0 && target <= 1)) {
    throw new RangeError(
      `Cannot ${action} as options.far must be a number in [0, 1]: current value is ${target}`,
    );
  }
  const gen = finite(genuine, "genuine", action);
  const imp = finite(impostor, "impostor", action);
  const distances = [...gen, ...imp];
  const same = distances.map((_, i) => i < gen.length);
  const { threshold, far, tar } = thresholdAtFar(rocCurve(distances, same), target);
  return { threshold, far, tar };
}

function finite(values: ArrayLike<number>, name: string, action: string): number[] {
  if (values === null || typeof values !== "object" || typeof values.length !== "number") {
    throw new TypeError(`Cannot ${action} as ${name} must be an array of distances`);
  }
  if (values.length === 0) {
    throw new RangeError(
      `Cannot ${action} as ${name} must hold at least one distance: it is empty`,
    );
  }
  const out = Array.from(values);
  out.forEach((v, i) => {
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new RangeError(
        `Cannot ${action} as ${name} distances must be finite: value at index ${i} is ${v}`,
      );
    }
  });
  return out;
}
