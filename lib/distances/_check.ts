import type { Tensor2D } from "../types.ts";

/** Throws unless `a` and `b` are rank-2 with the same shape. */
export function checkRows(name: string, a: Tensor2D, b: Tensor2D): void {
  if (a.rank !== 2) {
    throw new Error(
      `Cannot compute ${name} distance as a must be rank 2: current rank is ${a.rank}`,
    );
  }
  if (b.rank !== 2) {
    throw new Error(
      `Cannot compute ${name} distance as b must be rank 2: current rank is ${b.rank}`,
    );
  }
  if (a.shape[0] !== b.shape[0] || a.shape[1] !== b.shape[1]) {
    throw new Error(
      `Cannot compute ${name} distance as a and b must have the same shape: current shapes are [${a.shape}] and [${b.shape}]`,
    );
  }
}
