/** Options of {@linkcode cosineDecay}. */
export interface CosineDecayOptions {
  /** Steps over which the rate decays from `initial` to `floor`. */
  readonly steps: number;
  /** Linear warm-up steps from `initial / warmup` up to `initial`. Default 0. */
  readonly warmup?: number;
  /** The rate reached at the end and kept after. Default 0. */
  readonly floor?: number;
}

/**
 * A cosine learning-rate schedule for `fit`'s `learningRate`: an optional linear warm-up,
 * then half a cosine from `initial` down to `floor` over `steps` steps (warm-up included),
 * then `floor`.
 *
 * @example
 * ```ts
 * import { cosineDecay } from "./cosine_decay.ts";
 *
 * const rate = cosineDecay(0.1, { steps: 100 });
 * if (rate(0) !== 0.1) throw new Error("start");
 * if (Math.abs(rate(50) - 0.05) > 1e-12) throw new Error("middle");
 * if (rate(100) !== 0 || rate(500) !== 0) throw new Error("end");
 * ```
 */
export function cosineDecay(
  initial: number,
  options: CosineDecayOptions,
): (step: number) => number {
  const { steps, warmup = 0, floor = 0 } = options;
  if (!(Number.isFinite(initial) && initial > 0)) {
    throw new Error(
      `Cannot build cosineDecay as initial must be positive: current value is ${initial}`,
    );
  }
  if (!Number.isInteger(steps) || steps < 1) {
    throw new Error(
      `Cannot build cosineDecay as steps must be an integer ≥ 1: current value is ${steps}`,
    );
  }
  if (!Number.isInteger(warmup) || warmup < 0 || warmup >= steps) {
    throw new Error(
      `Cannot build cosineDecay as warmup must be an integer in [0, steps): current value is ${warmup}`,
    );
  }
  if (!(floor >= 0 && floor < initial)) {
    throw new Error(
      `Cannot build cosineDecay as floor must be in [0, initial): current value is ${floor}`,
    );
  }
  return (step) => {
    if (step < warmup) return (initial * (step + 1)) / warmup;
    if (step >= steps) return floor;
    const t = (step - warmup) / (steps - warmup);
    return floor + ((initial - floor) * (1 + Math.cos(Math.PI * t))) / 2;
  };
}
