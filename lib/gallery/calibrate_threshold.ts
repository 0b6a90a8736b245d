/** Options of {@linkcode calibrateThreshold}. */
export interface CalibrateThresholdOptions {
  /** The largest acceptable false accept rate, in [0, 1] (e.g. 0.001). */
  readonly far: number;
}

/** A verification threshold and the rates it gives on the calibration distances. */
export interface Calibration {
  /** Accept a claim when its distance is `<=` this. */
  readonly threshold: number;
  /** Fraction of impostor distances accepted at the threshold (never above the target). */
  readonly far: number;
  /** Fraction of genuine distances accepted at the threshold (true accept rate). */
  readonly tar: number;
}

/**
 * Chooses the verification threshold for a target false accept rate: the largest threshold
 * that accepts (distance `<=` threshold) at most `far × impostor.length` impostor distances,
 * which gives the highest true accept rate the target allows. Genuine distances are those of
 * pairs of the same identity, impostor distances of different identities, both measured on
 * held-out data with the gallery's distance.
 *
 * @example
 * ```ts
 * import { calibrateThreshold } from "./calibrate_threshold.ts";
 * const genuine = [0.1, 0.2, 0.3, 0.6];
 * const impostor = [0.5, 0.7, 0.8, 0.9];
 * const { threshold, far, tar } = calibrateThreshold(genuine, impostor, { far: 0.25 });
 * // one impostor (0.5) may be accepted, the next (0.7) may not
 * if (!(threshold >= 0.6 && threshold < 0.7)) throw new Error(`threshold ${threshold}`);
 * if (far !== 0.25 || tar !== 1) throw new Error("rates");
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
  const imp = sortedFinite(impostor, "impostor", action);
  const gen = sortedFinite(genuine, "genuine", action);
  const allowed = Math.floor(target * imp.length + 1e-9);
  // Accept the `allowed` smallest impostors and none of the next, whatever the ties.
  const threshold = allowed >= imp.length ? Infinity : below(imp[allowed]);
  return {
    threshold,
    far: countAtMost(imp, threshold) / imp.length,
    tar: countAtMost(gen, threshold) / gen.length,
  };
}

function sortedFinite(values: ArrayLike<number>, name: string, action: string): Float64Array {
  if (values === null || typeof values !== "object" || typeof values.length !== "number") {
    throw new TypeError(`Cannot ${action} as ${name} must be an array of distances`);
  }
  if (values.length === 0) {
    throw new RangeError(
      `Cannot ${action} as ${name} must hold at least one distance: it is empty`,
    );
  }
  const out = Float64Array.from(values);
  out.forEach((v, i) => {
    if (!Number.isFinite(v)) {
      throw new RangeError(
        `Cannot ${action} as ${name} distances must be finite: value at index ${i} is ${v}`,
      );
    }
  });
  return out.sort();
}

/** The largest float64 strictly below `x`. */
function below(x: number): number {
  if (x === 0) return -Number.MIN_VALUE;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigInt64(0);
  view.setBigInt64(0, x > 0 ? bits - 1n : bits + 1n);
  return view.getFloat64(0);
}

/** How many of the sorted `values` are `<= t`. */
function countAtMost(values: Float64Array, t: number): number {
  let lo = 0, hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
