import { studentTCritical } from "./student_t.ts";
import { checkSeeds } from "./_seeds.ts";

/** One metric over repeats: its mean, the ±95 % Student-t half-width and every value. */
export interface RepeatedMetric {
  /** Mean over the seeds. */
  readonly mean: number;
  /** Half-width of the 95 % t-interval: t(0.975, n − 1) × s / √n (s: sample deviation). */
  readonly halfWidth: number;
  /** `mean − halfWidth`. */
  readonly low: number;
  /** `mean + halfWidth`. */
  readonly high: number;
  /** The value of each seed, in `seeds` order. */
  readonly values: number[];
}

/** The result of {@linkcode repeatOverSeeds}. */
export interface RepeatedMetrics {
  /** The seeds, in the order they ran. */
  readonly seeds: number[];
  /** Per metric name. */
  readonly metrics: Record<string, RepeatedMetric>;
}

/**
 * Runs `run(seed)` for every seed (one after another) and summarises each numeric metric it
 * returns as mean ± 95 % half-width (Student-t with n − 1 degrees of freedom) and its values.
 * Needs at least 2 distinct seeds; every run must return the same metric names, each a finite
 * number.
 *
 * @example
 * ```ts
 * import { repeatOverSeeds } from "./repeat_over_seeds.ts";
 * const r = await repeatOverSeeds([1, 2, 3], (seed) => ({ x: seed }));
 * // mean 2, s = 1, t(0.975, 2) = 4.3027 → half-width 4.3027 / √3
 * if (r.metrics.x.mean !== 2) throw new Error("mean");
 * if (Math.abs(r.metrics.x.halfWidth - 4.3027 / Math.sqrt(3)) > 1e-4) throw new Error("t");
 * ```
 */
export async function repeatOverSeeds(
  seeds: readonly number[],
  run: (seed: number) => Record<string, number> | Promise<Record<string, number>>,
): Promise<RepeatedMetrics> {
  const what = "repeat over seeds";
  checkSeeds(what, seeds);
  if (typeof run !== "function") {
    throw new TypeError(`Cannot ${what} as run must be a function: current value is ${run}`);
  }
  const values: Record<string, number[]> = {};
  let names: string[] | undefined;
  for (const seed of seeds) {
    const result = await run(seed);
    const keys = Object.keys(result ?? {}).sort();
    if (names === undefined) names = keys;
    else if (keys.join("\n") !== names.join("\n")) {
      throw new Error(
        `Cannot ${what} as run(${seed}) returned metrics ${JSON.stringify(keys)}, not ${
          JSON.stringify(names)
        } as before`,
      );
    }
    for (const k of keys) {
      const v = result[k];
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new RangeError(
          `Cannot ${what} as run(${seed}) returned metric '${k}' = ${v}: not a finite number`,
        );
      }
      (values[k] ??= []).push(v);
    }
  }
  const n = seeds.length;
  const t = studentTCritical(n - 1);
  const metrics: Record<string, RepeatedMetric> = {};
  for (const k of names ?? []) {
    const v = values[k];
    const mean = v.reduce((a, b) => a + b, 0) / n;
    const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
    const halfWidth = (t * Math.sqrt(variance)) / Math.sqrt(n);
    metrics[k] = { mean, halfWidth, low: mean - halfWidth, high: mean + halfWidth, values: v };
  }
  return { seeds: [...seeds], metrics };
}
