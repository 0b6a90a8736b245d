import { checkDistance as checkDistanceRecord } from "../distances/host.ts";
import type { Distance, Tensor1D, Tensor2D } from "../types.ts";

/** Throws unless `value` is a finite number ≥ 0. */
export function nonNegative(what: string, argument: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new Error(`Cannot create ${what} as ${argument} must be ≥ 0: current value is ${value}`);
  }
  return value;
}

/** Throws unless `value` is a function (a distance, per-item function, reducer). */
export function isFunction<F>(what: string, argument: string, value: F): F {
  if (typeof value !== "function") {
    throw new Error(
      `Cannot create ${what} as ${argument} must be a function: current value is ${String(value)}`,
    );
  }
  return value;
}

/** Throws unless `distance` is a {@linkcode Distance} record; returns it. */
export const checkDistance = (what: string, distance: Distance): Distance =>
  checkDistanceRecord(`create ${what}`, "options.distance", distance);

/** Throws unless `x` is rank 2 with `rows` rows (or any, when `rows` is undefined). */
export function checkEmbeddings(
  what: string,
  argument: string,
  x: Tensor2D,
  rows?: number,
): void {
  if (x.rank !== 2) {
    throw new Error(
      `Cannot compute ${what} as ${argument} must be rank 2: current rank is ${x.rank}`,
    );
  }
  if (rows !== undefined && x.shape[0] !== rows) {
    throw new Error(
      `Cannot compute ${what} as ${argument} must have ${rows} rows: current shape is [${x.shape}]`,
    );
  }
}

/** Throws unless `y` is rank 1 with `rows` entries. */
export function checkLabels(what: string, argument: string, y: Tensor1D, rows: number): void {
  if (y.rank !== 1 || y.shape[0] !== rows) {
    throw new Error(
      `Cannot compute ${what} as ${argument} must have shape [${rows}]: current shape is [${y.shape}]`,
    );
  }
}
